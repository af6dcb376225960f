using System.Net.Sockets;
using System.Text;

namespace Granary.Cluster.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> on a free 127.0.0.1 port with its data in a temporary directory, shared by the whole
/// test run (an xunit assembly fixture). It keeps an append-only file, so a restart, or a kill followed by a start,
/// brings back what was written up to a second before, on the same port.
/// </summary>
public sealed class RedisServer() : LocalServer("redis-server", "granary-redis-", ServerProcess.SigTerm, TimeSpan.FromSeconds(10))
{
    /// <summary>Gets the StackExchange.Redis connection string, <c>127.0.0.1:port</c>.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    private protected override Task<ServerProcess> LaunchAsync() => Task.FromResult(ServerProcess.Start(Binaries.Require("/usr/bin/redis-server", "redis-server"),
    [
        "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--bind", "127.0.0.1",
        "--protected-mode", "yes",
        "--dir", Root,
        "--daemonize", "no",
        "--appendonly", "yes",
        "--appendfsync", "everysec",
        "--save", "",
        "--logfile", "",
    ], user: null));

    protected override async Task<string?> ProbeAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer);
            var answer = Encoding.ASCII.GetString(buffer, 0, read);
            return answer.StartsWith("+PONG", StringComparison.Ordinal) ? null : $"PING answered {answer.Trim()}";
        }
        catch (SocketException ex)
        {
            return ex.Message;
        }
        catch (IOException ex)
        {
            // Accepted and closed while loading the append-only file.
            return ex.Message;
        }
    }
}
