using System.Diagnostics;
using System.Globalization;
using OpenTelemetry.Trace;

namespace Granary.Gateway.Tests.Telemetry;

/// <summary>
/// A client-mode gateway (an Orleans client over TCP) in front of a silo host: a call through it is one trace, the
/// function grain's span a descendant of the gateway's across the Orleans call, and the record carries the caller's
/// trace id whether or not the trace is sampled (unsampled, Orleans makes no span and the gateway's context travels in
/// the request).
/// </summary>
public sealed class ClientModeTracingFixture : IAsyncLifetime
{
    /// <summary>Gets the host whose silo runs the functions (an embedded gateway: its API deploys them).</summary>
    public GranaryServer Silo { get; private set; } = null!;

    /// <summary>Gets the client-mode gateway the calls go through.</summary>
    public GranaryServer Gateway { get; private set; } = null!;

    /// <summary>Gets every span of the process (the listener is the process's: both hosts' spans arrive here).</summary>
    public SpanCollection Spans { get; } = new();

    public async ValueTask InitializeAsync()
    {
        var clusterId = "granary-trace-" + Guid.NewGuid().ToString("N");
        Silo = await GranaryServer.StartAsync(settings: new Dictionary<string, string?> { ["Granary:Cluster:ClusterId"] = clusterId });
        Gateway = await GranaryServer.StartAsync(
            settings: new Dictionary<string, string?>
            {
                ["Granary:Gateway:Mode"] = "client",
                ["Granary:Cluster:ClusterId"] = clusterId,
                ["Granary:Cluster:GatewayPort"] = Silo.OrleansGatewayPort.ToString(CultureInfo.InvariantCulture),
            },
            services: services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans)));
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Silo.DisposeAsync();
    }
}

/// <summary>See <see cref="ClientModeTracingFixture"/>.</summary>
public sealed class ClientModeTracingTests(ClientModeTracingFixture fixture) : IClassFixture<ClientModeTracingFixture>
{
    [Fact]
    public async Task ACallThroughAClientModeGatewayIsOneTraceFromTheGatewaySpanToTheRun()
    {
        var ws = GatewayFixture.Workspace();
        await fixture.Silo.DeployOkAsync(ws, "remote", "module.exports = (e, c) => c.headers.traceparent;");
        var traceId = TracingFixture.TraceId();

        var seen = await InvokeAsync(ws, "remote", $"00-{traceId}-00f067aa0ba902b7-01");
        var trace = await TraceAsync(traceId, s => s.OperationName == "Microsoft.AspNetCore.Hosting.HttpRequestIn" && s.ParentSpanId.ToHexString() == "00f067aa0ba902b7");

        var gateway = Assert.Single(trace, s => s.Source.Name == "Granary.Gateway");
        var server = Assert.Single(trace, s => s.Source.Name == "Granary.Functions" && s.OperationName == "faas.server");
        var run = Assert.Single(trace, s => s.Source.Name == "Granary.Runtime" && s.OperationName == "faas.run");
        var chain = Ancestors(trace, server);
        Assert.Contains(gateway.SpanId, chain);
        Assert.Contains(trace, s => s.Source.Name == "Microsoft.Orleans.Application" && s.Kind == ActivityKind.Client && s.ParentSpanId == gateway.SpanId);
        Assert.Contains(trace, s => s.Source.Name == "Microsoft.Orleans.Application" && s.Kind == ActivityKind.Server && s.SpanId == server.ParentSpanId);
        Assert.Equal(server.SpanId, run.ParentSpanId);
        Assert.Equal($"00-{traceId}-{server.SpanId.ToHexString()}-01", seen);
        Assert.Equal(traceId, await LatestTraceIdAsync(ws, "remote"));
    }

    [Fact]
    public async Task AnUnsampledCallThroughAClientModeGatewayKeepsItsTraceIdInTheRecord()
    {
        var ws = GatewayFixture.Workspace();
        await fixture.Silo.DeployOkAsync(ws, "quiet", "module.exports = (e, c) => c.headers.traceparent;");
        var traceId = TracingFixture.TraceId();

        var seen = await InvokeAsync(ws, "quiet", $"00-{traceId}-00f067aa0ba902b7-00");

        Assert.Matches($"^00-{traceId}-[0-9a-f]{{16}}-00$", seen);
        Assert.Equal(traceId, await LatestTraceIdAsync(ws, "quiet"));
    }

    private async Task<string> InvokeAsync(string ws, string name, string traceparent)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/fn/default/{ws}/{name}");
        request.Headers.Add("traceparent", traceparent);
        var response = await fixture.Gateway.Http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadAsStringAsync();
    }

    // The definition grain gets its records from the activation within a second or so (reports are batched).
    private async Task<string?> LatestTraceIdAsync(string ws, string name)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var records = (await fixture.Gateway.GetJsonAsync(GranaryServer.FunctionPath(ws, name) + "/invocations?limit=1")).GetProperty("invocations");
            if (records.GetArrayLength() > 0 || DateTime.UtcNow > until)
            {
                return records.EnumerateArray().Single().GetProperty("traceId").GetString();
            }

            await Task.Delay(100);
        }
    }

    private async Task<List<Activity>> TraceAsync(string traceId, Func<Activity, bool> done)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var trace = fixture.Spans.Snapshot().Where(s => s.TraceId.ToHexString() == traceId).ToList();
            if (trace.Any(done) || DateTime.UtcNow > until)
            {
                return trace;
            }

            await Task.Delay(20);
        }
    }

    private static List<ActivitySpanId> Ancestors(List<Activity> trace, Activity span)
    {
        var ancestors = new List<ActivitySpanId>();
        for (var parent = span.ParentSpanId; trace.FirstOrDefault(s => s.SpanId == parent) is { } next; parent = next.ParentSpanId)
        {
            ancestors.Add(parent);
        }

        return ancestors;
    }
}
