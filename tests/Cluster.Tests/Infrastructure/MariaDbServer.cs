using System.Globalization;
using System.Text.RegularExpressions;
using MySqlConnector;

namespace Granary.Cluster.Tests.Infrastructure;

/// <summary>
/// A real MariaDB server (<c>mariadbd</c>) on a free 127.0.0.1 port, its data directory in a temporary directory,
/// shared by the whole test run (an xunit assembly fixture). Grant tables are on: the tests log in over TCP as the
/// user <c>granary</c> with a password, which an init file creates at every start. Tests take a database each from
/// <see cref="CreateDatabaseAsync"/>. InnoDB flushes lazily (speed over durability, which tests never need).
/// </summary>
public sealed partial class MariaDbServer() : LocalServer("mariadbd", "granary-mariadb-", ServerProcess.SigTerm, TimeSpan.FromSeconds(30))
{
    /// <summary>The user the tests log in as; it has every privilege.</summary>
    public const string User = "granary";

    /// <summary>The user's password.</summary>
    public const string Password = "granary-test-pw";

    /// <summary>The database created at start, named by <see cref="ConnectionString"/>.</summary>
    public const string DefaultDatabase = "granary";

    private readonly string? _user = ServerProcess.UnprivilegedUser("mysql");
    private bool _initialised;

    /// <summary>Gets a MySqlConnector connection string for the <c>granary</c> database.</summary>
    public string ConnectionString => ConnectionStringFor(DefaultDatabase);

    private string DataDirectory => Path.Combine(Root, "data");

    /// <summary>Gets a MySqlConnector connection string for a database on this server.</summary>
    public string ConnectionStringFor(string database) => new MySqlConnectionStringBuilder
    {
        Server = "127.0.0.1",
        Port = (uint)Port,
        UserID = User,
        Password = Password,
        Database = database,
    }.ConnectionString;

    /// <summary>Creates an empty database (names: lower-case letters, digits, underscores) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        if (!DatabaseName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a plain lower-case database name.", nameof(name));
        }

        await using (var connection = new MySqlConnection(ConnectionStringFor("")))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE `{name}`";
            await command.ExecuteNonQueryAsync();
        }

        return ConnectionStringFor(name);
    }

    /// <summary>Creates the data directory (once) and starts the server.</summary>
    private protected override async Task<ServerProcess> LaunchAsync()
    {
        var server = Binaries.Require("/usr/sbin/mariadbd", "mariadb-server", "/usr/sbin/mysqld");
        if (!_initialised)
        {
            await InstallDbAsync();
            _initialised = true;
        }

        return ServerProcess.Start(server,
        [
            "--no-defaults",
            $"--datadir={DataDirectory}",
            $"--port={Port.ToString(CultureInfo.InvariantCulture)}",
            "--bind-address=127.0.0.1",
            $"--socket={Path.Combine(Root, "mysqld.sock")}",
            $"--pid-file={Path.Combine(Root, "mysqld.pid")}",
            $"--tmpdir={Path.Combine(Root, "tmp")}",
            $"--init-file={Path.Combine(Root, "init.sql")}",
            "--skip-name-resolve",
            "--skip-log-bin",
            "--log-error=",
            "--max-connections=300",
            .. TuningOptions,
        ], _user, ServerEnvironment());
    }

    protected override async Task<string?> ProbeAsync()
    {
        try
        {
            await using var connection = new MySqlConnection(new MySqlConnectionStringBuilder(ConnectionString) { Pooling = false, ConnectionTimeout = 2 }.ConnectionString);
            await connection.OpenAsync();
            return null;
        }
        catch (MySqlException ex)
        {
            // Not listening yet, or the init file has not created the user yet.
            return ex.Message;
        }
    }

    protected override void OnStopped() => MySqlConnection.ClearAllPools();

    private static string[] TuningOptions =>
    [
        "--innodb-flush-log-at-trx-commit=0",
        "--innodb-doublewrite=0",
        "--innodb-buffer-pool-size=32M",
        "--innodb-log-file-size=16M",
    ];

    private async Task InstallDbAsync()
    {
        var installDb = Binaries.Require("/usr/bin/mariadb-install-db", "mariadb-server", "/usr/bin/mysql_install_db");
        Directory.CreateDirectory(Path.Combine(Root, "tmp"));

        // Runs at every start, with the grant tables loaded (the bootstrap of mariadb-install-db has none).
        await File.WriteAllTextAsync(Path.Combine(Root, "init.sql"), $"""
            CREATE USER IF NOT EXISTS '{User}'@'127.0.0.1' IDENTIFIED BY '{Password}';
            GRANT ALL PRIVILEGES ON *.* TO '{User}'@'127.0.0.1' WITH GRANT OPTION;
            CREATE DATABASE IF NOT EXISTS {DefaultDatabase};

            """);
        await ServerProcess.ChownAsync(Root, _user);
        await ServerProcess.RunAsync(installDb,
        [
            "--no-defaults",
            $"--datadir={DataDirectory}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            "--skip-name-resolve",
            .. TuningOptions,
        ], _user, TimeSpan.FromSeconds(60), ServerEnvironment());
    }

    private Dictionary<string, string> ServerEnvironment() => new()
    {
        ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ["HOME"] = Root,
        ["LC_ALL"] = "C",
    };

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,63}$")]
    private static partial Regex DatabaseName();
}
