using System.Data.Common;
using MySqlConnector;
using Npgsql;

namespace Granary.Silo.Storage;

/// <summary>Opens a connection to the <c>adonet</c> provider's database and runs <c>SELECT 1</c>.</summary>
internal sealed class DatabaseProbe(StorageOptions options) : IStorageProbe
{
    public string Description { get; } = $"{(IsPostgres(options) ? "PostgreSQL" : "MySQL")} storage at {Server(options)}";

    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        await using var connection = Open(options);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        await command.ExecuteScalarAsync(cancellationToken);
    }

    private static bool IsPostgres(StorageOptions options) => string.Equals(options.Database, StorageOptions.Postgres, StringComparison.OrdinalIgnoreCase);

    private static DbConnection Open(StorageOptions options) =>
        IsPostgres(options) ? new NpgsqlConnection(options.ConnectionString) : new MySqlConnection(options.ConnectionString);

    // Host and database only: the description reaches the readiness response, the password must not.
    private static string Server(StorageOptions options)
    {
        try
        {
            return IsPostgres(options)
                ? new NpgsqlConnectionStringBuilder(options.ConnectionString) is var pg ? $"{pg.Host}:{pg.Port}/{pg.Database}" : ""
                : new MySqlConnectionStringBuilder(options.ConnectionString ?? "") is var my ? $"{my.Server}:{my.Port}/{my.Database}" : "";
        }
        catch (ArgumentException)
        {
            return "(unreadable connection string)";
        }
    }
}
