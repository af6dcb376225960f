using System.Diagnostics;

namespace Granary.Cluster.Tests.Infrastructure;

/// <summary>
/// What the server fixtures share: one server process on a port fixed for the fixture's lifetime (across restarts),
/// its files in a temporary directory, started as an xunit fixture and stopped, and its files deleted, at the end.
/// </summary>
public abstract class LocalServer : IAsyncLifetime
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);

    private readonly string _name;
    private readonly int _stopSignal;
    private readonly TimeSpan _stopTimeout;
    private ServerProcess? _process;

    /// <param name="name">The program's name in failure messages.</param>
    /// <param name="directoryPrefix">The prefix of the temporary directory (<see cref="Root"/>).</param>
    /// <param name="stopSignal">The signal that shuts the server down cleanly.</param>
    /// <param name="stopTimeout">How long a clean shutdown may take before the server is killed.</param>
    protected LocalServer(string name, string directoryPrefix, int stopSignal, TimeSpan stopTimeout)
    {
        _name = name;
        _stopSignal = stopSignal;
        _stopTimeout = stopTimeout;
        Root = Directory.CreateTempSubdirectory(directoryPrefix).FullName;
    }

    /// <summary>Gets the TCP port, fixed for the server's lifetime (across restarts).</summary>
    public int Port { get; } = Ports.FreePort();

    /// <summary>Gets the server's recent log, for failure messages.</summary>
    public string Output => _process?.Output.ToString() ?? "";

    /// <summary>Gets the temporary directory that holds the server's data, deleted at the end.</summary>
    protected string Root { get; }

    /// <summary>Starts the server (unless it is running) and waits until it answers.</summary>
    public async Task StartAsync()
    {
        if (_process is { HasExited: false })
        {
            return;
        }

        _process?.Dispose();
        _process = await LaunchAsync();
        await WaitUntilReadyAsync(_process);
        await OnStartedAsync();
    }

    /// <summary>Stops the server with its clean-shutdown signal, killing it if that takes too long, and waits for it.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            await process.StopAsync(_stopSignal, _stopTimeout);
        }

        OnStopped();
    }

    /// <summary>Stops (if running) and starts the server again on the same port with the same data.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    async ValueTask IAsyncLifetime.InitializeAsync() => await StartAsync();

    /// <summary>Stops the server and deletes its data.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        TempDirectory.Delete(Root);
        GC.SuppressFinalize(this);
    }

    /// <summary>Prepares the data directory if needed and starts the server process.</summary>
    private protected abstract Task<ServerProcess> LaunchAsync();

    /// <summary>Tries the server once: null when it answers, otherwise why not (yet).</summary>
    protected abstract Task<string?> ProbeAsync();

    /// <summary>Runs once the server answers, after every start.</summary>
    protected virtual Task OnStartedAsync() => Task.CompletedTask;

    /// <summary>Runs after every stop: drops pooled client connections to the stopped server.</summary>
    protected virtual void OnStopped()
    {
    }

    private async Task WaitUntilReadyAsync(ServerProcess process)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{_name} exited with {process.ExitCode} while starting on port {Port}. Output:\n{Output}");
            }

            if (await ProbeAsync() is not { } notReady)
            {
                return;
            }

            if (stopwatch.Elapsed > s_startTimeout)
            {
                throw new InvalidOperationException($"{_name} did not answer on port {Port} within {s_startTimeout}: {notReady}. Output:\n{Output}");
            }

            await Task.Delay(25);
        }
    }
}
