using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Google.Protobuf;

namespace Granary.Gateway.Tests.Telemetry;

/// <summary>
/// An OTLP/HTTP receiver on a loopback port (<c>/v1/metrics</c>, <c>/v1/traces</c>, <c>/v1/logs</c>) that keeps what it
/// gets and decodes the parts the tests check with protobuf's wire reader: metric names and resource attributes
/// (OpenTelemetry.Proto's generated classes are not at hand; the field numbers are opentelemetry-proto's).
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public OtlpReceiver()
    {
        Port = GranaryServer.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>Gets the port.</summary>
    public int Port { get; }

    /// <summary>Gets the endpoint to set as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Gets every export received: its path, content type and body.</summary>
    public ConcurrentQueue<(string Path, string? ContentType, byte[] Body)> Received { get; } = new();

    /// <summary>Gets the metric names of every <c>/v1/metrics</c> export so far.</summary>
    public HashSet<string> MetricNames() =>
    [
        .. Bodies("/v1/metrics")
            .SelectMany(body => Messages(body, 1))
            .SelectMany(resourceMetrics => Messages(resourceMetrics, 2))
            .SelectMany(scopeMetrics => Messages(scopeMetrics, 2))
            .SelectMany(metric => Messages(metric, 1))
            .Select(Encoding.UTF8.GetString),
    ];

    /// <summary>Gets the resource attributes (string and integer values) of the exports to <paramref name="path"/>.</summary>
    public List<Dictionary<string, string>> Resources(string path) =>
    [
        .. Bodies(path)
            .SelectMany(body => Messages(body, 1))
            .SelectMany(resourceSignal => Messages(resourceSignal, 1))
            .Select(resource => Messages(resource, 1).ToDictionary(
                attribute => Encoding.UTF8.GetString(Messages(attribute, 1).Single()),
                attribute => AnyValue(Messages(attribute, 2).SingleOrDefault() ?? []),
                StringComparer.Ordinal)),
    ];

    /// <summary>Gets the log bodies (string values) of every <c>/v1/logs</c> export so far.</summary>
    public List<string> LogBodies() =>
    [
        .. Bodies("/v1/logs")
            .SelectMany(body => Messages(body, 1))
            .SelectMany(resourceLogs => Messages(resourceLogs, 2))
            .SelectMany(scopeLogs => Messages(scopeLogs, 2))
            .SelectMany(record => Messages(record, 5))
            .Select(AnyValue),
    ];

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
        {
            // Stopped while waiting for a request.
        }
    }

    private IEnumerable<byte[]> Bodies(string path) => Received.Where(r => r.Path == path).Select(r => r.Body);

    // The length-delimited fields numbered <field> of a message (sub-messages, strings and bytes alike).
    private static List<byte[]> Messages(byte[] message, int field)
    {
        var found = new List<byte[]>();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == field && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                found.Add(input.ReadBytes().ToByteArray());
            }
            else
            {
                input.SkipLastField();
            }
        }

        return found;
    }

    // An AnyValue's string_value (1) or int_value (3), as text.
    private static string AnyValue(byte[] value)
    {
        var input = new CodedInputStream(value);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    return input.ReadString();
                case 3:
                    return input.ReadInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return "";
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            Received.Enqueue((context.Request.Url!.AbsolutePath, context.Request.ContentType, body.ToArray()));

            // An empty Export*ServiceResponse: full success.
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.ContentLength64 = 0;
            context.Response.Close();
        }
    }
}
