using System.Data.Common;
using System.Text;
using System.Text.RegularExpressions;
using MySqlConnector;
using Npgsql;

namespace Granary.Silo.Storage;

/// <summary>
/// Installs the tables and stored queries that Orleans' ADO.NET grain storage reads at start-up (its NuGet package
/// does not ship them). The scripts are Granary's, embedded from <c>Storage/Sql</c>: the table, the write and clear
/// routines and the query rows of the contract Orleans 10's storage binds (the payload as <c>PayloadBinary</c>);
/// every statement is checked before it runs, so an existing or half-finished install is completed rather than
/// duplicated, and a schema that is already complete is left untouched.
/// </summary>
public static partial class AdoNetSchema
{
    /// <summary>The Orleans ADO.NET invariant for PostgreSQL through Npgsql.</summary>
    public const string PostgresInvariant = "Npgsql";

    /// <summary>
    /// The Orleans ADO.NET invariant for MySQL and MariaDB through MySqlConnector (Orleans'
    /// <c>AdoNetInvariants.InvariantNameMySqlConnector</c>; <c>MySql.Data.MySqlClient</c> would mean Oracle's driver).
    /// </summary>
    public const string MySqlInvariant = "MySql.Data.MySqlConnector";

    private const string ConnectionStringSetting = "Granary:Storage:ConnectionString";

    // Any constant works as long as no other code in the same database uses it; this one is "granary" in ASCII.
    private const long PostgresLockKey = 0x6772616e617279;

    private const string MySqlLockName = "granary-schema";

    private const int LockTimeoutSeconds = 60;

    private static readonly string[] s_storageQueryKeys = ["WriteToStorageKey", "ReadFromStorageKey", "ClearStorageKey"];

    /// <summary>
    /// Makes sure the Orleans ADO.NET grain storage schema exists in a database, creating what is missing.
    /// Silos starting together are serialised by a database lock (PostgreSQL <c>pg_advisory_lock</c>, MySQL
    /// <c>GET_LOCK</c>). On PostgreSQL the whole install is one transaction; MySQL commits each DDL statement on
    /// its own, so there every statement is skipped when what it creates already exists.
    /// </summary>
    /// <param name="database"><c>postgres</c> or <c>mysql</c> (case-insensitive).</param>
    /// <param name="connectionString">An Npgsql or MySqlConnector connection string naming the database.</param>
    /// <param name="logger">Receives one line saying what was done; never the scripts or the connection string.</param>
    /// <param name="cancellationToken">Cancels the connection, the wait for the lock and the install.</param>
    /// <returns><see langword="true"/> if anything was created, <see langword="false"/> if the schema was complete.</returns>
    /// <exception cref="ArgumentException">The database kind is not <c>postgres</c> or <c>mysql</c>, or the connection string is empty.</exception>
    /// <exception cref="InvalidOperationException">
    /// The database cannot be reached, refuses the credentials, the lock is not granted within 60 seconds, or a
    /// statement fails. The message names <c>Granary:Storage:ConnectionString</c> and never contains the password.
    /// </exception>
    public static async Task<bool> ApplyAsync(string database, string connectionString, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(logger);

        IDialect dialect = database.ToUpperInvariant() switch
        {
            "POSTGRES" => new PostgresDialect(connectionString),
            "MYSQL" => new MySqlDialect(connectionString),
            _ => throw new ArgumentException($"The database kind '{database}' is not supported; use 'postgres' or 'mysql'.", nameof(database)),
        };

        await using var connection = await dialect.OpenAsync(cancellationToken);
        await dialect.LockAsync(connection, cancellationToken);
        try
        {
            if (await IsCompleteAsync(dialect, connection, cancellationToken))
            {
                LogSchemaPresent(logger, dialect.Name, connection.Database);
                return false;
            }

            await using var transaction = dialect.Transactional ? await connection.BeginTransactionAsync(cancellationToken) : null;
            var applied = await ApplyScriptAsync(dialect, connection, transaction, dialect.Script, cancellationToken);

            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken);
            }

            LogSchemaApplied(logger, dialect.Name, connection.Database, applied);
            return applied > 0;
        }
        finally
        {
            try
            {
                await dialect.UnlockAsync(connection);
            }
            catch (DbException)
            {
                // The session is broken; closing it releases the lock.
            }
        }
    }

    private static async Task<bool> IsCompleteAsync(IDialect dialect, DbConnection connection, CancellationToken cancellationToken)
    {
        if (!await dialect.TableExistsAsync(connection, null, "OrleansStorage", cancellationToken)
            || !await dialect.TableExistsAsync(connection, null, "OrleansQuery", cancellationToken))
        {
            return false;
        }

        foreach (var key in s_storageQueryKeys)
        {
            if (!await QueryRowExistsAsync(connection, null, key, cancellationToken))
            {
                return false;
            }
        }

        return true;
    }

    private static async Task<int> ApplyScriptAsync(IDialect dialect, DbConnection connection, DbTransaction? transaction, string script, CancellationToken cancellationToken)
    {
        var applied = 0;
        var statements = ScriptSplitter.Split(ReadScript(script), dialect.DollarQuoting);
        for (var i = 0; i < statements.Count; i++)
        {
            var statement = statements[i];
            try
            {
                if (await IsPresentAsync(dialect, connection, transaction, statement, cancellationToken))
                {
                    continue;
                }

                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = statement;
                await command.ExecuteNonQueryAsync(cancellationToken);
                applied++;
            }
            catch (DbException ex)
            {
                throw new InvalidOperationException(
                    $"Installing the Orleans ADO.NET storage schema failed at statement {i + 1} of {script} in {dialect.Name} database " +
                    $"'{connection.Database}' (from {ConnectionStringSetting}): {dialect.Scrub(ex.Message)}", ex);
            }
        }

        return applied;
    }

    /// <summary>Whether what a statement creates already exists; unknown statements fail rather than run twice.</summary>
    private static async Task<bool> IsPresentAsync(IDialect dialect, DbConnection connection, DbTransaction? transaction, string statement, CancellationToken cancellationToken)
    {
        if (CreateTablePattern().Match(statement) is { Success: true } table)
        {
            return await dialect.TableExistsAsync(connection, transaction, table.Groups["name"].Value, cancellationToken);
        }

        if (CreateIndexPattern().Match(statement) is { Success: true } index)
        {
            return await dialect.IndexExistsAsync(connection, transaction, index.Groups["table"].Value, index.Groups["name"].Value, cancellationToken);
        }

        if (CreateRoutinePattern().Match(statement) is { Success: true } routine)
        {
            return await dialect.RoutineExistsAsync(connection, transaction, routine.Groups["name"].Value, cancellationToken);
        }

        if (InsertQueryPattern().Match(statement) is { Success: true } query)
        {
            return await QueryRowExistsAsync(connection, transaction, query.Groups["key"].Value, cancellationToken);
        }

        throw new InvalidOperationException($"The embedded schema script has a statement the installer does not recognise: {statement[..Math.Min(60, statement.Length)]}");
    }

    private static async Task<bool> QueryRowExistsAsync(DbConnection connection, DbTransaction? transaction, string key, CancellationToken cancellationToken) =>
        await ExistsAsync(connection, transaction, "SELECT COUNT(*) FROM OrleansQuery WHERE QueryKey = @p0", [key], cancellationToken);

    private static async Task<bool> ExistsAsync(DbConnection connection, DbTransaction? transaction, string sql, string[] values, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        for (var i = 0; i < values.Length; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            parameter.Value = values[i];
            command.Parameters.Add(parameter);
        }

        var result = await command.ExecuteScalarAsync(cancellationToken);
        return Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private static string ReadScript(string name)
    {
        using var stream = typeof(AdoNetSchema).Assembly.GetManifestResourceStream("Granary.Silo.Storage.Sql." + name)
            ?? throw new InvalidOperationException($"The embedded schema script {name} is missing from {typeof(AdoNetSchema).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static InvalidOperationException ConnectFailed(string name, string host, string database, string user, string error, Exception inner) =>
        new($"Could not connect to the {name} database given by {ConnectionStringSetting} (host '{host}', database '{database}', " +
            $"user '{user}'): {error}", inner);

    private static string ScrubSecret(string text, string? secret) =>
        string.IsNullOrEmpty(secret) ? text : text.Replace(secret, "***", StringComparison.Ordinal);

    [GeneratedRegex(@"^CREATE\s+TABLE\s+(?<name>\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex CreateTablePattern();

    [GeneratedRegex(@"^(?:CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?<name>\w+)\s+ON\s+(?<table>\w+)|ALTER\s+TABLE\s+(?<table>\w+)\s+ADD\s+INDEX\s+(?<name>\w+))", RegexOptions.IgnoreCase)]
    private static partial Regex CreateIndexPattern();

    [GeneratedRegex(@"^CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE)\s+(?<name>\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex CreateRoutinePattern();

    [GeneratedRegex(@"^INSERT\s+INTO\s+OrleansQuery\s*\(\s*QueryKey\s*,\s*QueryText\s*\)\s*VALUES\s*\(\s*'(?<key>\w+)'", RegexOptions.IgnoreCase)]
    private static partial Regex InsertQueryPattern();

    [LoggerMessage(EventId = 3200, Level = LogLevel.Information, Message = "The Orleans ADO.NET storage schema is present in {Database} database {Name}")]
    private static partial void LogSchemaPresent(ILogger logger, string database, string name);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Installed the Orleans ADO.NET storage schema in {Database} database {Name} ({Count} statements)")]
    private static partial void LogSchemaApplied(ILogger logger, string database, string name, int count);

    private interface IDialect
    {
        string Name { get; }

        bool Transactional { get; }

        bool DollarQuoting { get; }

        string Script { get; }

        Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

        Task LockAsync(DbConnection connection, CancellationToken cancellationToken);

        Task UnlockAsync(DbConnection connection);

        Task<bool> TableExistsAsync(DbConnection connection, DbTransaction? transaction, string table, CancellationToken cancellationToken);

        Task<bool> IndexExistsAsync(DbConnection connection, DbTransaction? transaction, string table, string index, CancellationToken cancellationToken);

        Task<bool> RoutineExistsAsync(DbConnection connection, DbTransaction? transaction, string routine, CancellationToken cancellationToken);

        string Scrub(string text);
    }

    private sealed class PostgresDialect : IDialect
    {
        private readonly NpgsqlConnectionStringBuilder _builder;

        public PostgresDialect(string connectionString)
        {
            try
            {
                _builder = new NpgsqlConnectionStringBuilder(connectionString);
            }
            catch (ArgumentException ex)
            {
                throw new InvalidOperationException($"{ConnectionStringSetting} is not a valid Npgsql connection string: {ex.Message}", ex);
            }
        }

        public string Name => "PostgreSQL";

        // PostgreSQL DDL is transactional: the install is all or nothing.
        public bool Transactional => true;

        public bool DollarQuoting => true;

        public string Script => "PostgreSQL.sql";

        public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
        {
            var connection = new NpgsqlConnection(_builder.ConnectionString);
            try
            {
                await connection.OpenAsync(cancellationToken);
                return connection;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or ArgumentException)
            {
                await connection.DisposeAsync();
                throw ConnectFailed(Name, $"{_builder.Host}:{_builder.Port}", _builder.Database ?? "", _builder.Username ?? "", Scrub(ex.Message), ex);
            }
        }

        public async Task LockAsync(DbConnection connection, CancellationToken cancellationToken)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT pg_advisory_lock({PostgresLockKey})";
            command.CommandTimeout = LockTimeoutSeconds;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public async Task UnlockAsync(DbConnection connection)
        {
            if (connection.State != System.Data.ConnectionState.Open)
            {
                // A broken session has released its advisory locks already.
                return;
            }

            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT pg_advisory_unlock({PostgresLockKey})";
            await command.ExecuteNonQueryAsync();
        }

        // to_regclass folds the unquoted name the way CREATE did and looks it up on the search path.
        public Task<bool> TableExistsAsync(DbConnection connection, DbTransaction? transaction, string table, CancellationToken cancellationToken) =>
            ExistsAsync(connection, transaction, "SELECT CASE WHEN to_regclass(@p0) IS NULL THEN 0 ELSE 1 END", [table], cancellationToken);

        public Task<bool> IndexExistsAsync(DbConnection connection, DbTransaction? transaction, string table, string index, CancellationToken cancellationToken) =>
            TableExistsAsync(connection, transaction, index, cancellationToken);

        public Task<bool> RoutineExistsAsync(DbConnection connection, DbTransaction? transaction, string routine, CancellationToken cancellationToken) =>
            ExistsAsync(
                connection,
                transaction,
                "SELECT COUNT(*) FROM pg_proc WHERE proname = lower(@p0) AND pg_function_is_visible(oid)",
                [routine],
                cancellationToken);

        public string Scrub(string text) => ScrubSecret(text, _builder.Password);
    }

    private sealed class MySqlDialect : IDialect
    {
        private readonly MySqlConnectionStringBuilder _builder;

        public MySqlDialect(string connectionString)
        {
            try
            {
                _builder = new MySqlConnectionStringBuilder(connectionString)
                {
                    // The scripts mention @names in comments and string literals; without this MySqlConnector
                    // would take them for missing parameters.
                    AllowUserVariables = true,
                };
            }
            catch (ArgumentException ex)
            {
                throw new InvalidOperationException($"{ConnectionStringSetting} is not a valid MySqlConnector connection string: {ex.Message}", ex);
            }

            if (string.IsNullOrEmpty(_builder.Database))
            {
                throw new InvalidOperationException($"{ConnectionStringSetting} must name a database (Database=…) for MySQL storage.");
            }
        }

        public string Name => "MySQL";

        // MySQL commits every DDL statement implicitly, so a transaction would promise what it cannot keep;
        // each statement is skipped instead when its object exists.
        public bool Transactional => false;

        public bool DollarQuoting => false;

        public string Script => "MySQL.sql";

        public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
        {
            var connection = new MySqlConnection(_builder.ConnectionString);
            try
            {
                await connection.OpenAsync(cancellationToken);
                return connection;
            }
            catch (Exception ex) when (ex is MySqlException or TimeoutException or ArgumentException)
            {
                await connection.DisposeAsync();
                throw ConnectFailed(Name, $"{_builder.Server}:{_builder.Port}", _builder.Database, _builder.UserID, Scrub(ex.Message), ex);
            }
        }

        public async Task LockAsync(DbConnection connection, CancellationToken cancellationToken)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT GET_LOCK('{MySqlLockName}', {LockTimeoutSeconds})";
            command.CommandTimeout = LockTimeoutSeconds + 10;
            var granted = await command.ExecuteScalarAsync(cancellationToken);
            if (granted is null or DBNull || Convert.ToInt64(granted, System.Globalization.CultureInfo.InvariantCulture) != 1)
            {
                throw new InvalidOperationException(
                    $"Another process held the MySQL lock '{MySqlLockName}' for {LockTimeoutSeconds} seconds while installing the Orleans storage schema " +
                    $"in database '{connection.Database}' (from {ConnectionStringSetting}).");
            }
        }

        public async Task UnlockAsync(DbConnection connection)
        {
            if (connection.State != System.Data.ConnectionState.Open)
            {
                // A closed session has released its named locks already.
                return;
            }

            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT RELEASE_LOCK('{MySqlLockName}')";
            await command.ExecuteNonQueryAsync();
        }

        // Table names are case-sensitive on Linux servers; the scripts always spell them the same way, so the
        // comparison is case-insensitive only to tolerate lower_case_table_names=1 servers.
        public Task<bool> TableExistsAsync(DbConnection connection, DbTransaction? transaction, string table, CancellationToken cancellationToken) =>
            ExistsAsync(
                connection,
                transaction,
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND LOWER(table_name) = LOWER(@p0)",
                [table],
                cancellationToken);

        public Task<bool> IndexExistsAsync(DbConnection connection, DbTransaction? transaction, string table, string index, CancellationToken cancellationToken) =>
            ExistsAsync(
                connection,
                transaction,
                "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND LOWER(table_name) = LOWER(@p0) AND LOWER(index_name) = LOWER(@p1)",
                [table, index],
                cancellationToken);

        public Task<bool> RoutineExistsAsync(DbConnection connection, DbTransaction? transaction, string routine, CancellationToken cancellationToken) =>
            ExistsAsync(
                connection,
                transaction,
                "SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = DATABASE() AND LOWER(routine_name) = LOWER(@p0)",
                [routine],
                cancellationToken);

        public string Scrub(string text) => ScrubSecret(text, _builder.Password);
    }

    /// <summary>
    /// Splits a script into statements the way psql and the mysql client do: on the current delimiter outside
    /// quotes and comments, honouring the mysql client's <c>DELIMITER</c> command and PostgreSQL's dollar quoting.
    /// Leading comments are dropped from each statement; MySQL's executable comments (<c>/*!…*/</c>) are kept.
    /// </summary>
    private static class ScriptSplitter
    {
        public static List<string> Split(string script, bool dollarQuoting)
        {
            var statements = new List<string>();
            var delimiter = ";";
            var start = -1;
            var i = 0;
            while (i < script.Length)
            {
                var c = script[i];
                var atLineStart = i == 0 || script[i - 1] == '\n';
                if (start < 0 && char.IsWhiteSpace(c))
                {
                    i++;
                }
                else if (start < 0 && atLineStart && !dollarQuoting && StartsWithWord(script, i, "DELIMITER"))
                {
                    var end = LineEnd(script, i);
                    delimiter = script[(i + "DELIMITER".Length)..end].Trim();
                    i = end;
                }
                else if (c == '-' && At(script, i + 1, '-'))
                {
                    i = LineEnd(script, i);
                }
                else if (c == '#' && !dollarQuoting)
                {
                    i = LineEnd(script, i);
                }
                else if (c == '/' && At(script, i + 1, '*') && !At(script, i + 2, '!'))
                {
                    i = IndexAfter(script, i + 2, "*/");
                }
                else if (string.CompareOrdinal(script, i, delimiter, 0, delimiter.Length) == 0)
                {
                    if (start >= 0)
                    {
                        statements.Add(script[start..i].TrimEnd());
                        start = -1;
                    }

                    i += delimiter.Length;
                }
                else
                {
                    if (start < 0)
                    {
                        start = i;
                    }

                    i = c switch
                    {
                        '\'' or '"' => QuotedEnd(script, i, c, backslashEscapes: !dollarQuoting),
                        '`' when !dollarQuoting => QuotedEnd(script, i, c, backslashEscapes: false),
                        '/' when At(script, i + 1, '*') => IndexAfter(script, i + 2, "*/"),
                        '$' when dollarQuoting && DollarTag(script, i) is { } tag => IndexAfter(script, i + tag.Length, tag),
                        _ => i + 1,
                    };
                }
            }

            if (start >= 0 && script[start..].Trim() is { Length: > 0 } last)
            {
                statements.Add(last);
            }

            return statements;
        }

        private static bool At(string text, int index, char c) => index < text.Length && text[index] == c;

        private static bool StartsWithWord(string text, int index, string word) =>
            string.Compare(text, index, word, 0, word.Length, StringComparison.OrdinalIgnoreCase) == 0
            && index + word.Length < text.Length
            && char.IsWhiteSpace(text[index + word.Length]);

        private static int LineEnd(string text, int index)
        {
            var end = text.IndexOf('\n', index);
            return end < 0 ? text.Length : end;
        }

        private static int IndexAfter(string text, int index, string terminator)
        {
            var end = text.IndexOf(terminator, index, StringComparison.Ordinal);
            return end < 0 ? text.Length : end + terminator.Length;
        }

        private static int QuotedEnd(string text, int index, char quote, bool backslashEscapes)
        {
            var i = index + 1;
            while (i < text.Length)
            {
                if (backslashEscapes && text[i] == '\\')
                {
                    i += 2;
                }
                else if (text[i] == quote && At(text, i + 1, quote))
                {
                    i += 2;
                }
                else if (text[i] == quote)
                {
                    return i + 1;
                }
                else
                {
                    i++;
                }
            }

            return text.Length;
        }

        private static string? DollarTag(string text, int index)
        {
            var end = index + 1;
            while (end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] == '_'))
            {
                end++;
            }

            return At(text, end, '$') && (end == index + 1 || !char.IsDigit(text[index + 1])) ? text[index..(end + 1)] : null;
        }
    }
}
