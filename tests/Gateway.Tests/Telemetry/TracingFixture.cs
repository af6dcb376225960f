using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using OpenTelemetry.Trace;

namespace Granary.Gateway.Tests.Telemetry;

/// <summary>
/// A gateway whose tracer provider exports to memory (OpenTelemetry's in-memory exporter, added by the test as an
/// operator would add an exporter) and whose functions may reach one loopback server that answers with the
/// <c>traceparent</c> headers it received.
/// </summary>
public sealed class TracingFixture : IAsyncLifetime
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public GranaryServer Server { get; private set; } = null!;

    /// <summary>Gets the spans the gateway's tracer provider exported.</summary>
    public SpanCollection Spans { get; } = new();

    /// <summary>Gets the URL of the loopback server functions may fetch.</summary>
    public string EchoUrl { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        _listener.Start();
        var port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        EchoUrl = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        _ = ServeAsync();
        Server = await GranaryServer.StartAsync(
            settings: new Dictionary<string, string?> { ["Granary:Egress:Allow:0"] = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}" },
            services: services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans)));
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _listener.Dispose();
    }

    /// <summary>A new W3C trace id.</summary>
    public static string TraceId() => ActivityTraceId.CreateRandom().ToHexString();

    /// <summary>Waits until the trace has a span that <paramref name="done"/> accepts, and returns the trace's spans.</summary>
    public async Task<IReadOnlyList<Activity>> TraceAsync(string traceId, Func<Activity, bool> done)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var trace = Spans.Snapshot().Where(s => s.TraceId.ToHexString() == traceId).ToList();
            if (trace.Any(done) || DateTime.UtcNow > until)
            {
                return trace;
            }

            await Task.Delay(20);
        }
    }

    // Answers each request with the values of its traceparent headers, one per line, as text.
    private async Task ServeAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync();
            }
            catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = AnswerAsync(client);
        }
    }

    private static async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
            var traceparents = new List<string>();
            while (await reader.ReadLineAsync() is { Length: > 0 } line)
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && line[..colon].Trim().Equals("traceparent", StringComparison.OrdinalIgnoreCase))
                {
                    traceparents.Add(line[(colon + 1)..].Trim());
                }
            }

            var body = Encoding.ASCII.GetBytes(string.Join('\n', traceparents));
            var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
            await stream.WriteAsync(head);
            await stream.WriteAsync(body);
        }
    }
}
