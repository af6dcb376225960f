using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Granary.Runtime.Egress;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Workers;

/// <summary>
/// One sandboxed worker's only way out: a small HTTP proxy on a Unix socket that is mounted into the worker's sandbox
/// (which has no network of its own). It speaks <c>CONNECT host:port</c> (a tunnel, for HTTPS and any TCP protocol)
/// and absolute-form requests (<c>GET http://host/path</c>, forwarded with <c>Connection: close</c>). Every
/// destination goes through <see cref="EgressPolicy.ConnectAsync"/> for the tenant of the function the worker is
/// loaded with (names are resolved here, never in the sandbox); before a function is loaded everything is refused.
/// A refusal is a <c>403</c> whose body says why. The operator's event publisher
/// (<c>Granary:Python:PublisherProxyAddress</c>) is let through as configured.
/// </summary>
internal sealed partial class WorkerEgressProxy : IDisposable
{
    private const int MaxHead = 32 * 1024;
    private const int MaxConnections = 64;
    private static readonly TimeSpan s_headTimeout = TimeSpan.FromSeconds(30);

    private readonly Socket _listener;
    private readonly EgressPolicy _policy;
    private readonly (string Host, int Port)? _publisher;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private string? _tenant;
    private int _connections;

    /// <summary>Starts listening on <paramref name="socketPath"/> (mode 0666: only its own sandbox can see it).</summary>
    public WorkerEgressProxy(string socketPath, EgressPolicy policy, (string Host, int Port)? publisher, ILogger logger)
    {
        _policy = policy;
        _publisher = publisher;
        _logger = logger;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(socketPath, (UnixFileMode)0x1B6);
        }

        _listener.Listen(16);
        _ = AcceptAsync();
    }

    /// <summary>Gets or sets the tenant whose policy applies (set when the worker loads a function).</summary>
    public string? Tenant
    {
        get => Volatile.Read(ref _tenant);
        set => Volatile.Write(ref _tenant, value);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping.Cancel();
        _listener.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var clientStream = new NetworkStream(client, ownsSocket: true);
        if (Interlocked.Increment(ref _connections) > MaxConnections)
        {
            Interlocked.Decrement(ref _connections);
            await RefuseAsync(clientStream, 503, $"The worker has {MaxConnections} connections open already.");
            return;
        }

        try
        {
            await ServeCoreAsync(clientStream);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Either side went away.
        }
        finally
        {
            Interlocked.Decrement(ref _connections);
        }
    }

    private async Task ServeCoreAsync(NetworkStream client)
    {
        var buffer = new byte[MaxHead];
        var length = 0;
        var headEnd = -1;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
        {
            timeout.CancelAfter(s_headTimeout);
            while (headEnd < 0)
            {
                if (length == buffer.Length)
                {
                    await RefuseAsync(client, 431, "The request head is larger than 32 KiB.");
                    return;
                }

                var read = await client.ReadAsync(buffer.AsMemory(length), timeout.Token);
                if (read == 0)
                {
                    return;
                }

                length += read;
                headEnd = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
            }
        }

        var head = Encoding.Latin1.GetString(buffer, 0, headEnd);
        var rest = buffer.AsMemory(headEnd + 4, length - headEnd - 4);
        var lines = head.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3)
        {
            await RefuseAsync(client, 400, "Malformed request line.");
            return;
        }

        var (method, target, version) = (requestLine[0], requestLine[1], requestLine[2]);
        string host;
        int port;
        byte[]? forward = null;
        if (method == "CONNECT")
        {
            if (!TryParseAuthority(target, out host, out port))
            {
                await RefuseAsync(client, 400, $"'{target}' is not host:port.");
                return;
            }
        }
        else
        {
            if (!Uri.TryCreate(target, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
            {
                await RefuseAsync(client, 400, "The egress proxy forwards http:// URLs in absolute form, and tunnels anything else with CONNECT (https:// included).");
                return;
            }

            host = uri.IdnHost;
            port = uri.Port;
            var rewritten = new StringBuilder();
            rewritten.Append(CultureInfo.InvariantCulture, $"{method} {uri.PathAndQuery} {version}\r\n");
            foreach (var line in lines.Skip(1))
            {
                var name = line.Split(':', 2)[0].Trim();
                if (name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase)
                    || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
                    || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                rewritten.Append(line).Append("\r\n");
            }

            rewritten.Append("Connection: close\r\n\r\n");
            forward = Encoding.Latin1.GetBytes(rewritten.ToString());
        }

        var tenant = Tenant;
        if (tenant is null)
        {
            await RefuseAsync(client, 403, $"Egress to {host}:{port} refused: the worker has no function loaded yet.");
            return;
        }

        Socket upstream;
        try
        {
            upstream = IsPublisher(host, port)
                ? await ConnectPublisherAsync(host, port)
                : await _policy.ConnectAsync(tenant, host, port, _stopping.Token);
        }
        catch (EgressDeniedException ex)
        {
            LogRefused(tenant, host, port, ex.Message);
            await RefuseAsync(client, 403, ex.Message);
            return;
        }
        catch (SocketException ex)
        {
            await RefuseAsync(client, 502, $"Could not connect to {host}:{port} ({ex.SocketErrorCode}).");
            return;
        }

        using var remote = new NetworkStream(upstream, ownsSocket: true);
        if (forward is null)
        {
            await client.WriteAsync("HTTP/1.1 200 Connection Established\r\n\r\n"u8.ToArray(), _stopping.Token);
        }
        else
        {
            await remote.WriteAsync(forward, _stopping.Token);
        }

        if (!rest.IsEmpty)
        {
            await remote.WriteAsync(rest, _stopping.Token);
        }

        var up = PumpAsync(client, remote, upstream);
        var down = PumpAsync(remote, client, null);
        await Task.WhenAny(up, down);
        if (down.IsCompleted)
        {
            // The destination is done: nothing more can come back, so the tunnel ends.
            return;
        }

        await down;
    }

    private bool IsPublisher(string host, int port) =>
        _publisher is { } publisher && port == publisher.Port && string.Equals(host, publisher.Host, StringComparison.OrdinalIgnoreCase);

    private async Task<Socket> ConnectPublisherAsync(string host, int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(_policy.ConnectTimeout);
            await socket.ConnectAsync(host, port, timeout.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task PumpAsync(Stream from, Stream to, Socket? halfClose)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stopping.Token)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), _stopping.Token);
            }

            halfClose?.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // One side closed.
        }
    }

    private static async Task RefuseAsync(Stream client, int status, string reason)
    {
        var body = Encoding.UTF8.GetBytes(reason + "\n");
        var phrase = status switch
        {
            400 => "Bad Request",
            403 => "Forbidden",
            431 => "Request Header Fields Too Large",
            502 => "Bad Gateway",
            _ => "Service Unavailable",
        };
        var head = $"HTTP/1.1 {status} {phrase}\r\nContent-Type: text/plain; charset=utf-8\r\nX-Granary-Egress: refused\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
        try
        {
            await client.WriteAsync(Encoding.ASCII.GetBytes(head));
            await client.WriteAsync(body);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The worker went away.
        }
    }

    // host:port or [v6]:port; the port is required.
    private static bool TryParseAuthority(string authority, out string host, out int port)
    {
        host = "";
        port = 0;
        string portText;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = authority[..(close + 1)];
            portText = authority[(close + 1)..].TrimStart(':');
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            portText = colon < 0 ? "" : authority[(colon + 1)..];
        }

        if (portText.Length > 0 && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            return false;
        }

        return host.Length > 0 && port > 0 && (host.StartsWith('[') ? IPAddress.TryParse(host[1..^1], out _) : Uri.CheckHostName(host) != UriHostNameType.Unknown);
    }

    [LoggerMessage(EventId = 1313, Level = LogLevel.Information, Message = "Egress of a worker-process function (Python, or JavaScript in process mode) of tenant {Tenant} to {Host}:{Port} refused: {Reason}")]
    private partial void LogRefused(string tenant, string host, int port, string reason);
}
