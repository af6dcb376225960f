using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Granary.Cluster.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server (Debian's newest <c>/usr/lib/postgresql/&lt;version&gt;/bin</c>) on a free 127.0.0.1
/// port, its cluster in a temporary directory, shared by the whole test run (an xunit assembly fixture). Tests
/// share the server and take a database each from <see cref="CreateDatabaseAsync"/>. Durability is traded for
/// speed (<c>fsync=off</c>): a crash of the machine, not of the server, would lose data, which tests never need.
/// It stops with a fast shutdown (SIGINT: sessions are disconnected); SIGTERM would be a "smart" shutdown that
/// waits for every pooled client connection to close.
/// </summary>
public sealed partial class PostgresServer() : LocalServer("postgres", "granary-pg-", ServerProcess.SigInt, TimeSpan.FromSeconds(20))
{
    /// <summary>The superuser <c>initdb</c> creates; it owns every database the tests create.</summary>
    public const string User = "granary";

    /// <summary>The superuser's password (scram-sha-256 over TCP; no connection is trusted).</summary>
    public const string Password = "granary-test-pw";

    /// <summary>The database created at start, named by <see cref="ConnectionString"/>.</summary>
    public const string DefaultDatabase = "granary";

    private readonly string? _user = ServerProcess.UnprivilegedUser("postgres");
    private bool _initialised;

    /// <summary>Gets an Npgsql connection string for the <c>granary</c> database.</summary>
    public string ConnectionString => ConnectionStringFor(DefaultDatabase);

    private string DataDirectory => Path.Combine(Root, "data");

    private string SocketDirectory => Path.Combine(Root, "sock");

    /// <summary>Gets an Npgsql connection string for a database on this server.</summary>
    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = User,
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

        await using (var connection = new NpgsqlConnection(ConnectionStringFor("postgres")))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE {name} OWNER {User}";
            await command.ExecuteNonQueryAsync();
        }

        return ConnectionStringFor(name);
    }

    /// <summary>Creates the cluster (once) and starts the server.</summary>
    private protected override async Task<ServerProcess> LaunchAsync()
    {
        var bin = Binaries.PostgresBin();
        if (!_initialised)
        {
            await InitDbAsync(bin);
        }

        return ServerProcess.Start(Path.Combine(bin, "postgres"),
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
    }

    protected override async Task<string?> ProbeAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionStringFor("postgres")) { Pooling = false, Timeout = 2 }.ConnectionString);
            await connection.OpenAsync();
            return null;
        }
        catch (NpgsqlException ex)
        {
            // Not listening yet, or "the database system is starting up".
            return ex.Message;
        }
    }

    /// <summary>The first start also creates <c>granary</c>.</summary>
    protected override async Task OnStartedAsync()
    {
        if (!_initialised)
        {
            _initialised = true;
            await CreateDatabaseAsync(DefaultDatabase);
        }
    }

    protected override void OnStopped() => NpgsqlConnection.ClearAllPools();

    private async Task InitDbAsync(string bin)
    {
        Directory.CreateDirectory(SocketDirectory);
        var passwordFile = Path.Combine(Root, "pwfile");
        await File.WriteAllTextAsync(passwordFile, Password + "\n");
        await ServerProcess.ChownAsync(Root, _user);
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
    }

    private Dictionary<string, string> ServerEnvironment() => new()
    {
        ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
        ["HOME"] = Root,
        ["LC_ALL"] = "C",
    };

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex DatabaseName();
}
