using System.Globalization;
using System.Net;

namespace Granary.Cluster.Tests.Infrastructure;

/// <summary>
/// A Granary program (the silo or the gateway) running as a separate <c>dotnet</c> process from this repository's
/// build output, with a cleared environment plus what the test gives, Kestrel on a free 127.0.0.1 port and its
/// stdout and stderr captured for failure messages. Disposing kills it if it is still running.
/// </summary>
public sealed class GranaryProcess : IAsyncDisposable
{
    // The programs are run from the configuration the tests were built in, so one build serves both.
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private readonly ServerProcess _process;
    private readonly HttpClient _http;
    private bool _disposed;

    private GranaryProcess(ServerProcess process, Uri httpUri, string workingDirectory)
    {
        _process = process;
        HttpUri = httpUri;
        WorkingDirectory = workingDirectory;
        _http = new HttpClient { BaseAddress = httpUri, Timeout = TimeSpan.FromSeconds(5) };
    }

    /// <summary>The admin key every process is started with (<c>Granary:Auth:AdminKey</c>) unless a test sets its own.</summary>
    public const string AdminKey = "gk_cluster_admin_0123456789abcdef0123456789abcdef";

    /// <summary>The master key of tenant secrets every process is started with (<c>Granary:Secrets:MasterKey</c>).</summary>
    public const string MasterKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    /// <summary>Makes a client of a gateway that sends the admin key; the caller disposes it.</summary>
    public static HttpClient AdminClient(Uri baseAddress, TimeSpan timeout)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = timeout };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminKey);
        return client;
    }

    /// <summary>Gets the program's HTTP address, <c>http://127.0.0.1:port/</c>.</summary>
    public Uri HttpUri { get; }

    /// <summary>
    /// Gets the process's current directory: a fresh temporary directory, deleted on dispose, so that relative
    /// paths (the default <c>./data</c> storage) never land in the build output.
    /// </summary>
    public string WorkingDirectory { get; }

    /// <summary>Gets the process id.</summary>
    public int Pid => _process.Pid;

    /// <summary>Gets whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Gets the process's recent stdout and stderr, interleaved by line.</summary>
    public string Output => _process.Output.ToString();

    /// <summary>Gets the repository root: the first directory above the test binaries that holds <c>Orleans.sln</c>.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Starts <c>src/Silo/bin/&lt;Configuration&gt;/net10.0/Granary.Silo.dll</c>.</summary>
    /// <param name="environment">Variables on top of PATH, HOME, DOTNET_ROOT, ASPNETCORE_URLS and the log level.</param>
    public static Task<GranaryProcess> StartSiloAsync(IDictionary<string, string> environment) =>
        StartAsync(Path.Combine(RepositoryRoot, "src", "Silo", "bin", Configuration, "net10.0", "Granary.Silo.dll"), environment);

    /// <summary>Starts <c>src/Gateway/bin/&lt;Configuration&gt;/net10.0/Granary.Gateway.dll</c>.</summary>
    /// <param name="environment">Variables on top of PATH, HOME, DOTNET_ROOT, ASPNETCORE_URLS and the log level.</param>
    public static Task<GranaryProcess> StartGatewayAsync(IDictionary<string, string> environment) =>
        StartAsync(Path.Combine(RepositoryRoot, "src", "Gateway", "bin", Configuration, "net10.0", "Granary.Gateway.dll"), environment);

    /// <summary>
    /// Starts a gateway with its embedded silo on free silo and gateway ports, and waits until it is ready (60 s).
    /// </summary>
    /// <param name="environment">Variables on top of the ports (and of what <see cref="StartGatewayAsync"/> sets).</param>
    public static async Task<GranaryProcess> StartEmbeddedGatewayAsync(IDictionary<string, string> environment)
    {
        var gateway = await StartGatewayAsync(new Dictionary<string, string>(environment)
        {
            ["Granary__Cluster__SiloPort"] = Ports.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Granary__Cluster__GatewayPort"] = Ports.FreePort().ToString(CultureInfo.InvariantCulture),
        });
        try
        {
            await gateway.WaitReadyAsync(TimeSpan.FromSeconds(60));
            return gateway;
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    /// <summary>Polls <c>/readyz</c> until it answers 200; fails with the captured output if the process exits or time runs out.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "no answer yet";
        while (true)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"{this} exited with {_process.ExitCode} before /readyz answered 200 (last: {last}). Output:\n{Output}");
            }

            try
            {
                using var response = await _http.GetAsync("/readyz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }
            catch (TaskCanceledException)
            {
                last = "request timed out";
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{this} was not ready within {timeout} (last /readyz: {last}). Output:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Kills the process (and any worker processes it started) with SIGKILL, as a crash would.</summary>
    public void Kill()
    {
        _process.KillTree();
    }

    /// <summary>Sends SIGTERM (a graceful shutdown) and waits for the exit; fails with the output if it takes longer.</summary>
    /// <returns>The exit code.</returns>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        _process.Signal(ServerProcess.SigTerm);
        if (!await _process.WaitForExitAsync(timeout))
        {
            _process.Signal(ServerProcess.SigKill);
            Assert.Fail($"{this} did not exit within {timeout} of SIGTERM (killed now). Output:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>Kills the process if it is still running.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.KillTree();
            await _process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
        _http.Dispose();
        TempDirectory.Delete(WorkingDirectory);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Granary process {Pid} ({HttpUri})";

    private static async Task<GranaryProcess> StartAsync(string program, IDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!File.Exists(program))
        {
            Assert.Fail($"{program} is missing; build the solution first: dotnet build {Path.Combine(RepositoryRoot, "Orleans.sln")} -c {Configuration}");
        }

        var dotnet = DotnetHost();
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
            ["HOME"] = Environment.GetEnvironmentVariable("HOME") ?? Path.GetTempPath(),
            ["DOTNET_ROOT"] = Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root ? root : Path.GetDirectoryName(dotnet)!,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Ports.FreePort().ToString(CultureInfo.InvariantCulture)}",
            ["Logging__LogLevel__Default"] = "Warning",
            ["DOTNET_NOLOGO"] = "1",

            // A cluster needs both; a test that checks their absence sets them to "".
            ["Granary__Auth__AdminKey"] = AdminKey,
            ["Granary__Secrets__MasterKey"] = MasterKey,
        };
        foreach (var (name, value) in environment)
        {
            variables[name] = value;
        }

        var url = variables["ASPNETCORE_URLS"].Split(';')[0].Replace("://+:", "://127.0.0.1:", StringComparison.Ordinal);
        var workingDirectory = Directory.CreateTempSubdirectory("granary-process-").FullName;
        var process = ServerProcess.Start(dotnet, [program], user: null, variables, workingDirectory);
        await Task.Yield();
        return new GranaryProcess(process, new Uri(url.EndsWith('/') ? url : url + "/"), workingDirectory);
    }

    private static string DotnetHost()
    {
        var host = FindDotnetHost();

        // /usr/bin/dotnet is a link into the real installation, which DOTNET_ROOT must name.
        return new FileInfo(host).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? host;
    }

    private static string FindDotnetHost()
    {
        // The dotnet CLI tells test hosts where it is; a test exe started directly falls back to PATH.
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "dotnet");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return Binaries.Require("/usr/share/dotnet/dotnet", "dotnet-sdk-10.0", "/usr/lib/dotnet/dotnet");
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Orleans.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Orleans.sln above {AppContext.BaseDirectory}; the tests must run from the repository's build output.");
    }
}
