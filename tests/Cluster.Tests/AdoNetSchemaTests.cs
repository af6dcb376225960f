using System.Data;
using System.Data.Common;
using Granary.Cluster.Tests.Infrastructure;
using Granary.Silo.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using MySqlConnector;
using Npgsql;

namespace Granary.Cluster.Tests;

/// <summary>The Orleans ADO.NET storage schema installer against real PostgreSQL and MariaDB servers, one database per test.</summary>
public sealed class AdoNetSchemaTests(PostgresServer postgres, MariaDbServer mariaDb)
{
    private const string Setting = "Granary:Storage:ConnectionString";

    [Theory]
    [InlineData("postgres")]
    [InlineData("mysql")]
    public async Task ApplyCreatesTheStorageTableAndQueriesAndReturnsTrue(string database)
    {
        var connectionString = await FreshDatabaseAsync(database);

        var applied = await AdoNetSchema.ApplyAsync(database, connectionString, NullLogger.Instance, TestContext.Current.CancellationToken);

        Assert.True(applied);
        await using var connection = await OpenAsync(database, connectionString);
        Assert.Equal(1L, await ScalarAsync(connection, database == "postgres"
            ? "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'orleansstorage'"
            : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'OrleansStorage'"));
        Assert.Equal(
            ["ClearStorageKey", "ReadFromStorageKey", "WriteToStorageKey"],
            await StringsAsync(connection, "SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey"));
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("mysql")]
    public async Task SecondApplyReturnsFalseAndChangesNothing(string database)
    {
        var connectionString = await FreshDatabaseAsync(database);
        Assert.True(await AdoNetSchema.ApplyAsync(database, connectionString, NullLogger.Instance, TestContext.Current.CancellationToken));
        var before = await SnapshotAsync(database, connectionString);

        var applied = await AdoNetSchema.ApplyAsync(database, connectionString, NullLogger.Instance, TestContext.Current.CancellationToken);

        Assert.False(applied);
        Assert.Equal(before, await SnapshotAsync(database, connectionString));
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("mysql")]
    public async Task ConcurrentAppliesOnAFreshDatabaseAllSucceedAndExactlyOneInstalls(string database)
    {
        var connectionString = await FreshDatabaseAsync(database);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            Task.Run(() => AdoNetSchema.ApplyAsync(database, connectionString, NullLogger.Instance, TestContext.Current.CancellationToken))));

        Assert.Single(results, applied => applied);
        await using var connection = await OpenAsync(database, connectionString);
        Assert.Equal(3L, await ScalarAsync(connection, "SELECT COUNT(*) FROM OrleansQuery"));
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("mysql")]
    public async Task ApplyCompletesASchemaThatOnlyHasTheQueryTable(string database)
    {
        // Orleans' ADO.NET clustering or reminders install the shared OrleansQuery table first.
        var connectionString = await FreshDatabaseAsync(database);
        await using (var connection = await OpenAsync(database, connectionString))
        {
            await ExecuteAsync(connection, "CREATE TABLE OrleansQuery (QueryKey varchar(64) NOT NULL, QueryText varchar(8000) NOT NULL, CONSTRAINT OrleansQuery_Key PRIMARY KEY(QueryKey))");
            await ExecuteAsync(connection, "INSERT INTO OrleansQuery(QueryKey, QueryText) VALUES ('GatewaysQueryKey', 'SELECT 1')");
        }

        Assert.True(await AdoNetSchema.ApplyAsync(database, connectionString, NullLogger.Instance, TestContext.Current.CancellationToken));

        await using var check = await OpenAsync(database, connectionString);
        Assert.Equal(
            ["ClearStorageKey", "GatewaysQueryKey", "ReadFromStorageKey", "WriteToStorageKey"],
            await StringsAsync(check, "SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey"));
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("mysql")]
    public async Task WrongPasswordThrowsNamingTheSettingWithoutThePassword(string database)
    {
        const string WrongPassword = "not-the-password-7f3a9c";
        var connectionString = database == "postgres"
            ? new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Password = WrongPassword }.ConnectionString
            : new MySqlConnectionStringBuilder(mariaDb.ConnectionString) { Password = WrongPassword }.ConnectionString;

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            AdoNetSchema.ApplyAsync(database, connectionString, NullLogger.Instance, TestContext.Current.CancellationToken));

        Assert.Contains(Setting, exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongPassword, exception.Message, StringComparison.Ordinal);
        Assert.Contains(database == "postgres" ? "password authentication failed" : "Access denied", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("mysql")]
    public async Task UnreachableServerThrowsNamingTheSetting(string database)
    {
        var port = Ports.FreePort();
        var connectionString = database == "postgres"
            ? $"Host=127.0.0.1;Port={port};Username=granary;Password=secret-1;Database=granary;Timeout=3"
            : $"Server=127.0.0.1;Port={port};User ID=granary;Password=secret-1;Database=granary;Connection Timeout=3";

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            AdoNetSchema.ApplyAsync(database, connectionString, NullLogger.Instance, TestContext.Current.CancellationToken));

        Assert.Contains(Setting, exception.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-1", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("mysql")]
    public async Task StoredQueriesWriteReadAndClearGrainStateAsOrleansCallsThem(string database)
    {
        var connectionString = await FreshDatabaseAsync(database);
        await AdoNetSchema.ApplyAsync(database, connectionString, NullLogger.Instance, TestContext.Current.CancellationToken);
        await using var connection = await OpenAsync(database, connectionString);
        var queries = new Dictionary<string, string>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT QueryKey, QueryText FROM OrleansQuery";
            await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                queries[reader.GetString(0)] = reader.GetString(1);
            }
        }

        Assert.Equal(1, await WriteAsync(connection, queries["WriteToStorageKey"], version: null, [1, 2, 3]));
        Assert.Equal(2, await WriteAsync(connection, queries["WriteToStorageKey"], version: 1, [4, 5]));
        // A write with a stale version answers the version it was given: Orleans' InconsistentStateException.
        Assert.Equal(1, await WriteAsync(connection, queries["WriteToStorageKey"], version: 1, [6]));
        var (payload, storedVersion) = await ReadAsync(connection, queries["ReadFromStorageKey"]);
        Assert.Equal(new byte[] { 4, 5 }, payload);
        Assert.Equal(2, storedVersion);
        Assert.Equal(3, await ClearAsync(connection, queries["ClearStorageKey"], version: 2));
        Assert.Equal((null, 3), await ReadAsync(connection, queries["ReadFromStorageKey"]));
    }

    private Task<string> FreshDatabaseAsync(string database)
    {
        var name = "schema_" + Guid.NewGuid().ToString("N");
        return database == "postgres" ? postgres.CreateDatabaseAsync(name) : mariaDb.CreateDatabaseAsync(name);
    }

    private static async Task<DbConnection> OpenAsync(string database, string connectionString)
    {
        DbConnection connection = database == "postgres" ? new NpgsqlConnection(connectionString) : new MySqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private static async Task<long> ScalarAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<List<string>> StringsAsync(DbConnection connection, string sql)
    {
        var values = new List<string>();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            values.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture) ?? "");
        }

        return values;
    }

    /// <summary>The schema objects and query rows, as text, so two snapshots compare equal only if nothing changed.</summary>
    private static async Task<string> SnapshotAsync(string database, string connectionString)
    {
        await using var connection = await OpenAsync(database, connectionString);
        var objects = database == "postgres"
            ? await StringsAsync(connection, """
                SELECT c.relkind::text || ' ' || c.relname || ' ' || c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public'
                UNION ALL SELECT 'f ' || p.proname || ' ' || p.oid || ' ' || md5(p.prosrc) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = 'public'
                ORDER BY 1
                """)
            : await StringsAsync(connection, """
                SELECT CONCAT('t ', table_name, ' ', create_time) FROM information_schema.tables WHERE table_schema = DATABASE()
                UNION ALL SELECT CONCAT('i ', table_name, ' ', index_name, ' ', column_name) FROM information_schema.statistics WHERE table_schema = DATABASE()
                UNION ALL SELECT CONCAT('r ', routine_name, ' ', created, ' ', last_altered, ' ', MD5(routine_definition)) FROM information_schema.routines WHERE routine_schema = DATABASE()
                ORDER BY 1
                """);
        var rows = await StringsAsync(connection, "SELECT CONCAT(QueryKey, ':', QueryText) FROM OrleansQuery ORDER BY QueryKey");
        return string.Join('\n', objects.Concat(rows));
    }

    private static async Task<int> WriteAsync(DbConnection connection, string query, int? version, byte[] payload)
    {
        await using var command = StateCommand(connection, query, version);
        Add(command, "PayloadBinary", DbType.Binary, payload);
        return Convert.ToInt32(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<(byte[]? Payload, int Version)> ReadAsync(DbConnection connection, string query)
    {
        await using var command = StateCommand(connection, query, version: null);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken));
        var payload = reader.IsDBNull(0) ? null : (byte[])reader.GetValue(0);
        return (payload, Convert.ToInt32(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<int> ClearAsync(DbConnection connection, string query, int version)
    {
        await using var command = StateCommand(connection, query, version);
        return Convert.ToInt32(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A command with the grain key parameters Orleans' AdoNetGrainStorage binds for every query.</summary>
    private static DbCommand StateCommand(DbConnection connection, string query, int? version)
    {
        var command = connection.CreateCommand();
        command.CommandText = query;
        Add(command, "GrainIdHash", DbType.Int32, 12345);
        Add(command, "GrainIdN0", DbType.Int64, 1L);
        Add(command, "GrainIdN1", DbType.Int64, 2L);
        Add(command, "GrainTypeHash", DbType.Int32, 678);
        Add(command, "GrainTypeString", DbType.String, "fndef");
        Add(command, "GrainIdExtensionString", DbType.String, "default/main/hello");
        Add(command, "ServiceId", DbType.String, "granary-test");
        Add(command, "GrainStateVersion", DbType.Int32, version);
        return command;
    }

    private static void Add(DbCommand command, string name, DbType type, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
