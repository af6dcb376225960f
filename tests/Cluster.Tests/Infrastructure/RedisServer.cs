using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Granary.Cluster.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> on a free 127.0.0.1 port with its data in a temporary directory, shared by the whole
/// test run (an xunit assembly fixture). It keeps an append-only file, so a restart, or a kill followed by a start,
/// brings back what was written up to a second before, on the same port.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(20);

    private readonly string _directory = Directory.CreateTempSubdirectory("granary-redis-").FullName;
    private ServerProcess? _process;

    /// <summary>Gets the TCP port, fixed for the server's lifetime (across restarts).</summary>
    public int Port { get; } = Ports.FreePort();

    /// <summary>Gets the StackExchange.Redis connection string, <c>127.0.0.1:port</c>.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>Gets how long the last start took until the server answered PING.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>Gets the server's recent output, for failure messages.</summary>
    public string Output => _process?.Output.ToString() ?? "";

    /// <summary>Starts the server and waits until it answers PING.</summary>
    public async Task StartAsync()
    {
        if (_process is { HasExited: false })
        {
            return;
        }

        var binary = Binaries.Require("/usr/bin/redis-server", "redis-server");
        var stopwatch = Stopwatch.StartNew();
        _process?.Dispose();
        _process = ServerProcess.Start(binary,
        [
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--protected-mode", "yes",
            "--dir", _directory,
            "--daemonize", "no",
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--save", "",
            "--logfile", "",
        ], user: null);
        await WaitUntilAnswersAsync();
        StartupTime = stopwatch.Elapsed;
    }

    /// <summary>Stops the server with SIGTERM (it writes its data and exits) and waits for it.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            await process.StopAsync(ServerProcess.SigTerm, TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>Kills the server with SIGKILL, as a crash would.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Signal(ServerProcess.SigKill);
            await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
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
        TempDirectory.Delete(_directory);
    }

    private async Task WaitUntilAnswersAsync()
    {
        var deadline = DateTime.UtcNow + s_startTimeout;
        while (true)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {_process.ExitCode} while starting on port {Port}. Output:\n{Output}");
            }

            if (await PingAsync())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"redis-server did not answer PING on port {Port} within {s_startTimeout}. Output:\n{Output}");
            }

            await Task.Delay(20);
        }
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            // Accepted and closed while loading the append-only file.
            return false;
        }
    }
}
