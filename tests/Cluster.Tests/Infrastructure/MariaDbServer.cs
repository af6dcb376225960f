using System.Diagnostics;
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
public sealed partial class MariaDbServer : IAsyncLifetime
{
    /// <summary>The user the tests log in as; it has every privilege.</summary>
    public const string User = "granary";

    /// <summary>The user's password.</summary>
    public const string Password = "granary-test-pw";

    /// <summary>The database created at start, named by <see cref="ConnectionString"/>.</summary>
    public const string DefaultDatabase = "granary";

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);

    private readonly string _root = Directory.CreateTempSubdirectory("granary-mariadb-").FullName;
    private readonly string? _user = ServerProcess.UnprivilegedUser("mysql");
    private ServerProcess? _process;
    private bool _initialised;

    /// <summary>Gets the TCP port, fixed for the server's lifetime (across restarts).</summary>
    public int Port { get; } = Ports.FreePort();

    /// <summary>Gets a MySqlConnector connection string for the <c>granary</c> database.</summary>
    public string ConnectionString => ConnectionStringFor(DefaultDatabase);

    /// <summary>Gets how long <c>mariadb-install-db</c> took (zero until the first start).</summary>
    public TimeSpan InstallDbTime { get; private set; }

    /// <summary>Gets how long the last start took until the server accepted a login.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>Gets the server's recent log, for failure messages.</summary>
    public string Output => _process?.Output.ToString() ?? "";

    private string DataDirectory => Path.Combine(_root, "data");

    /// <summary>Gets a MySqlConnector connection string for a database on this server.</summary>
    public string ConnectionStringFor(string database) => new MySqlConnectionStringBuilder
    {
        Server = "127.0.0.1",
        Port = (uint)Port,
        UserID = User,
        Password = Password,
        Database = database,
    }.ConnectionString;

    /// <summary>Creates the data directory (once) and starts the server.</summary>
    public async Task StartAsync()
    {
        if (_process is { HasExited: false })
        {
            return;
        }

        var server = Binaries.Require("/usr/sbin/mariadbd", "mariadb-server", "/usr/sbin/mysqld");
        if (!_initialised)
        {
            await InstallDbAsync();
            _initialised = true;
        }

        var stopwatch = Stopwatch.StartNew();
        _process?.Dispose();
        _process = ServerProcess.Start(server,
        [
            "--no-defaults",
            $"--datadir={DataDirectory}",
            $"--port={Port.ToString(CultureInfo.InvariantCulture)}",
            "--bind-address=127.0.0.1",
            $"--socket={Path.Combine(_root, "mysqld.sock")}",
            $"--pid-file={Path.Combine(_root, "mysqld.pid")}",
            $"--tmpdir={Path.Combine(_root, "tmp")}",
            $"--init-file={Path.Combine(_root, "init.sql")}",
            "--skip-name-resolve",
            "--skip-log-bin",
            "--log-error=",
            "--max-connections=300",
            .. TuningOptions,
        ], _user, ServerEnvironment());
        await WaitUntilAcceptsAsync();
        StartupTime = stopwatch.Elapsed;
    }

    /// <summary>Stops the server with SIGTERM (a clean shutdown) and waits for it.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            await process.StopAsync(ServerProcess.SigTerm, TimeSpan.FromSeconds(30));
        }

        MySqlConnection.ClearAllPools();
    }

    /// <summary>Kills the server with SIGKILL, as a crash would; the next start recovers from the redo log.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Signal(ServerProcess.SigKill);
            await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        MySqlConnection.ClearAllPools();
    }

    /// <summary>Stops and starts the server again on the same port with the same data.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

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

    async ValueTask IAsyncLifetime.InitializeAsync() => await StartAsync();

    /// <summary>Stops the server and deletes its data.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        TempDirectory.Delete(_root);
    }

    private static string[] TuningOptions =>
    [
        "--innodb-flush-log-at-trx-commit=0",
        "--innodb-doublewrite=0",
        "--innodb-buffer-pool-size=32M",
        "--innodb-log-file-size=16M",
    ];

    private async Task InstallDbAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        var installDb = Binaries.Require("/usr/bin/mariadb-install-db", "mariadb-server", "/usr/bin/mysql_install_db");
        Directory.CreateDirectory(Path.Combine(_root, "tmp"));

        // Runs at every start, with the grant tables loaded (the bootstrap of mariadb-install-db has none).
        await File.WriteAllTextAsync(Path.Combine(_root, "init.sql"), $"""
            CREATE USER IF NOT EXISTS '{User}'@'127.0.0.1' IDENTIFIED BY '{Password}';
            GRANT ALL PRIVILEGES ON *.* TO '{User}'@'127.0.0.1' WITH GRANT OPTION;
            CREATE DATABASE IF NOT EXISTS {DefaultDatabase};

            """);
        await ServerProcess.ChownAsync(_root, _user);
        await ServerProcess.RunAsync(installDb,
        [
            "--no-defaults",
            $"--datadir={DataDirectory}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            "--skip-name-resolve",
            .. TuningOptions,
        ], _user, TimeSpan.FromSeconds(60), ServerEnvironment());
        InstallDbTime = stopwatch.Elapsed;
    }

    private Dictionary<string, string> ServerEnvironment() => new()
    {
        ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ["HOME"] = _root,
        ["LC_ALL"] = "C",
    };

    private async Task WaitUntilAcceptsAsync()
    {
        var deadline = DateTime.UtcNow + s_startTimeout;
        var probe = new MySqlConnectionStringBuilder(ConnectionStringFor(DefaultDatabase)) { Pooling = false, ConnectionTimeout = 2 }.ConnectionString;
        while (true)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"mariadbd exited with {_process.ExitCode} while starting on port {Port}. Output:\n{Output}");
            }

            try
            {
                await using var connection = new MySqlConnection(probe);
                await connection.OpenAsync();
                return;
            }
            catch (MySqlException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet, or the init file has not created the user yet.
            }
            catch (MySqlException ex)
            {
                throw new InvalidOperationException($"mariadbd did not accept a login on port {Port} within {s_startTimeout}: {ex.Message}. Output:\n{Output}", ex);
            }

            await Task.Delay(25);
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,63}$")]
    private static partial Regex DatabaseName();
}
