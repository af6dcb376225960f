using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Granary.Runtime.Tests.Egress;

/// <summary>
/// A small HTTP/1.1 server on a real loopback socket, for fetch tests: each request goes to the handler, which answers
/// or holds the connection (and can tell when the client closed it). Every request received is recorded.
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<HttpExchange, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public LoopbackHttpServer(Func<HttpExchange, Task> handler)
    {
        _handler = handler;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Gets every request received, in order.</summary>
    public ConcurrentQueue<HttpExchange> Received { get; } = new();

    /// <summary>Gets how many connections were accepted.</summary>
    public int Connections => Volatile.Read(ref _connections);

    private int _connections;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            Interlocked.Increment(ref _connections);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            try
            {
                while (await HttpExchange.ReadAsync(stream, _stop.Token) is { } exchange)
                {
                    Received.Enqueue(exchange);
                    await _handler(exchange);
                    if (exchange.Hijacked)
                    {
                        return;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away.
            }
        }
    }
}

/// <summary>One request and the means to answer it.</summary>
internal sealed class HttpExchange
{
    private readonly NetworkStream _stream;

    private HttpExchange(NetworkStream stream, string method, string target, Dictionary<string, string> headers, byte[] body)
    {
        _stream = stream;
        Method = method;
        Target = target;
        Headers = headers;
        Body = body;
    }

    public string Method { get; }

    public string Target { get; }

    public string Path => Target.Split('?')[0];

    public Dictionary<string, string> Headers { get; }

    public byte[] Body { get; }

    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>Gets whether the handler took the connection over (it is closed after the handler returns).</summary>
    public bool Hijacked { get; private set; }

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public static async Task<HttpExchange?> ReadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!EndsWithBlankLine(head))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                return null;
            }

            head.Add(one[0]);
        }

        var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var parts = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var existing) ? existing + ", " + value : value;
        }

        var body = Array.Empty<byte>();
        if (headers.TryGetValue("Content-Length", out var length) && int.Parse(length, System.Globalization.CultureInfo.InvariantCulture) is > 0 and var size)
        {
            body = new byte[size];
            await stream.ReadExactlyAsync(body, cancellationToken);
        }

        return new HttpExchange(stream, parts[0], parts[1], headers, body);
    }

    /// <summary>Answers with a complete response (Content-Length set).</summary>
    public Task RespondAsync(int status, string body = "", string contentType = "text/plain", params (string Name, string Value)[] headers) =>
        RespondAsync(status, Encoding.UTF8.GetBytes(body), contentType, headers);

    /// <summary>Answers with a complete response (Content-Length set).</summary>
    public async Task RespondAsync(int status, byte[] body, string contentType, params (string Name, string Value)[] headers)
    {
        var head = new StringBuilder($"HTTP/1.1 {status} {Reason(status)}\r\nContent-Length: {body.Length}\r\nContent-Type: {contentType}\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        await _stream.WriteAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()));
        await _stream.WriteAsync(body);
    }

    /// <summary>Answers with a chunked body written piece by piece; the connection closes afterwards.</summary>
    public async Task RespondChunkedAsync(int status, IEnumerable<byte[]> chunks)
    {
        Hijacked = true;
        await _stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} {Reason(status)}\r\nTransfer-Encoding: chunked\r\nContent-Type: application/octet-stream\r\n\r\n"));
        foreach (var chunk in chunks)
        {
            await _stream.WriteAsync(Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n"));
            await _stream.WriteAsync(chunk);
            await _stream.WriteAsync("\r\n"u8.ToArray());
            await _stream.FlushAsync();
        }

        await _stream.WriteAsync("0\r\n\r\n"u8.ToArray());
    }

    /// <summary>Sends only the response head of a chunked body, then holds the connection until the client closes it.</summary>
    public async Task SendHeadThenHoldAsync()
    {
        await _stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n5\r\nfirst\r\n"));
        await _stream.FlushAsync();
        await WaitForCloseAsync();
    }

    /// <summary>Holds the connection without answering until the client closes it; returns then.</summary>
    public async Task WaitForCloseAsync()
    {
        Hijacked = true;
        var buffer = new byte[256];
        try
        {
            while (await _stream.ReadAsync(buffer) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // Reset rather than closed: closed all the same.
        }
    }

    private static bool EndsWithBlankLine(List<byte> head) =>
        head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n';

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Status",
    };
}
