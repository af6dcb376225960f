using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Granary.Cluster.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server (Debian's newest <c>/usr/lib/postgresql/&lt;version&gt;/bin</c>) on a free 127.0.0.1
/// port, its cluster in a temporary directory, shared by the whole test run (an xunit assembly fixture). Tests
/// share the server and take a database each from <see cref="CreateDatabaseAsync"/>. Durability is traded for
/// speed (<c>fsync=off</c>): a crash of the machine, not of the server, would lose data, which tests never need.
/// </summary>
public sealed partial class PostgresServer : IAsyncLifetime
{
    /// <summary>The superuser <c>initdb</c> creates; it owns every database the tests create.</summary>
    public const string User = "granary";

    /// <summary>The superuser's password (scram-sha-256 over TCP; no connection is trusted).</summary>
    public const string Password = "granary-test-pw";

    /// <summary>The database created at start, named by <see cref="ConnectionString"/>.</summary>
    public const string DefaultDatabase = "granary";

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);

    private readonly string _root = Directory.CreateTempSubdirectory("granary-pg-").FullName;
    private readonly string? _user = ServerProcess.UnprivilegedUser("postgres");
    private ServerProcess? _process;
    private bool _initialised;

    /// <summary>Gets the TCP port, fixed for the server's lifetime (across restarts).</summary>
    public int Port { get; } = Ports.FreePort();

    /// <summary>Gets an Npgsql connection string for the <c>granary</c> database.</summary>
    public string ConnectionString => ConnectionStringFor(DefaultDatabase);

    /// <summary>Gets how long <c>initdb</c> took (zero until the first start).</summary>
    public TimeSpan InitDbTime { get; private set; }

    /// <summary>Gets how long the last start took until the server accepted a login.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>Gets the server's recent log, for failure messages.</summary>
    public string Output => _process?.Output.ToString() ?? "";

    private string DataDirectory => Path.Combine(_root, "data");

    private string SocketDirectory => Path.Combine(_root, "sock");

    /// <summary>Gets an Npgsql connection string for a database on this server.</summary>
    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = User,
        Password = Password,
        Database = database,
    }.ConnectionString;

    /// <summary>Creates the cluster (once) and starts the server; the first start also creates <c>granary</c>.</summary>
    public async Task StartAsync()
    {
        if (_process is { HasExited: false })
        {
            return;
        }

        var bin = Binaries.PostgresBin();
        if (!_initialised)
        {
            await InitDbAsync(bin);
        }

        var stopwatch = Stopwatch.StartNew();
        _process?.Dispose();
        _process = ServerProcess.Start(Path.Combine(bin, "postgres"),
        [
            "-D", DataDirectory,
            "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1",
            "-c", $"unix_socket_directories={SocketDirectory}",
            "-c", "fsync=off",
            "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off",
            "-c", "max_connections=200",
            "-c", "shared_buffers=32MB",
            "-c", "log_min_messages=warning",
            "-c", "logging_collector=off",
        ], _user, ServerEnvironment());
        await WaitUntilAcceptsAsync();
        StartupTime = stopwatch.Elapsed;

        if (!_initialised)
        {
            _initialised = true;
            await CreateDatabaseAsync(DefaultDatabase);
        }
    }

    /// <summary>Stops the server with a fast shutdown (SIGINT: sessions are disconnected) and waits for it.</summary>
    public async Task StopAsync()
    {
        // SIGTERM would be a "smart" shutdown that waits for every pooled client connection to close.
        if (_process is { HasExited: false } process)
        {
            await process.StopAsync(ServerProcess.SigInt, TimeSpan.FromSeconds(20));
        }

        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Kills the server with SIGKILL, as a crash would; the next start recovers from the WAL.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Signal(ServerProcess.SigKill);
            await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        NpgsqlConnection.ClearAllPools();
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

        await using (var connection = new NpgsqlConnection(ConnectionStringFor("postgres")))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE {name} OWNER {User}";
            await command.ExecuteNonQueryAsync();
        }

        return ConnectionStringFor(name);
    }

    async ValueTask IAsyncLifetime.InitializeAsync() => await StartAsync();

    /// <summary>Stops the server and deletes its cluster.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        TempDirectory.Delete(_root);
    }

    private async Task InitDbAsync(string bin)
    {
        var stopwatch = Stopwatch.StartNew();
        Directory.CreateDirectory(SocketDirectory);
        var passwordFile = Path.Combine(_root, "pwfile");
        await File.WriteAllTextAsync(passwordFile, Password + "\n");
        await ServerProcess.ChownAsync(_root, _user);
        await ServerProcess.RunAsync(Path.Combine(bin, "initdb"),
        [
            "-D", DataDirectory,
            "-U", User,
            $"--pwfile={passwordFile}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        ], _user, TimeSpan.FromSeconds(60), ServerEnvironment());
        File.Delete(passwordFile);
        InitDbTime = stopwatch.Elapsed;
    }

    private Dictionary<string, string> ServerEnvironment() => new()
    {
        ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
        ["HOME"] = _root,
        ["LC_ALL"] = "C",
    };

    private async Task WaitUntilAcceptsAsync()
    {
        var deadline = DateTime.UtcNow + s_startTimeout;
        var probe = new NpgsqlConnectionStringBuilder(ConnectionStringFor("postgres")) { Pooling = false, Timeout = 2 }.ConnectionString;
        while (true)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"postgres exited with {_process.ExitCode} while starting on port {Port}. Output:\n{Output}");
            }

            try
            {
                await using var connection = new NpgsqlConnection(probe);
                await connection.OpenAsync();
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet, or "the database system is starting up".
            }
            catch (NpgsqlException ex)
            {
                throw new InvalidOperationException($"postgres did not accept a login on port {Port} within {s_startTimeout}: {ex.Message}. Output:\n{Output}", ex);
            }

            await Task.Delay(25);
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex DatabaseName();
}
