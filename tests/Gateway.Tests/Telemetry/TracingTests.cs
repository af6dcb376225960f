using System.Diagnostics;
using System.Text.Json;

namespace Granary.Gateway.Tests.Telemetry;

/// <summary>
/// Traces through the real gateway (embedded silo): an incoming <c>traceparent</c> is continued into the spans, the
/// invocation record and the function's log lines; the spans carry the FaaS attributes and link gateway → grain →
/// runtime; the cold and the warm path make the same spans; each contract sees the trace context its way; a function's
/// <c>fetch</c> sends it on; and what a caller or a function sends cannot put a malformed or foreign id in the record.
/// </summary>
public sealed class TracingTests(TracingFixture fixture) : IClassFixture<TracingFixture>
{
    private const string ParentSpan = "00f067aa0ba902b7";

    private GranaryServer Server => fixture.Server;

    [Fact]
    public async Task AnIncomingTraceparentIsContinuedIntoTheRecordAndTheSpansWithTheFaasAttributes()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "traced", "module.exports = () => 'ok';", new { memoryLimitMb = 64 });
        var traceId = TracingFixture.TraceId();

        var response = await InvokeAsync(ws, "traced", $"00-{traceId}-{ParentSpan}-01");
        var invocationId = response.Headers.GetValues("X-Granary-Invocation-Id").Single();
        var record = await LatestRecordAsync(ws, "traced");
        var trace = await fixture.TraceAsync(traceId, s => s.OperationName == "Microsoft.AspNetCore.Hosting.HttpRequestIn");

        Assert.Equal(traceId, record.GetProperty("traceId").GetString());
        var request = Single(trace, "Microsoft.AspNetCore", "Microsoft.AspNetCore.Hosting.HttpRequestIn");
        var gateway = Single(trace, "Granary.Gateway", "faas.invoke");
        var server = Single(trace, "Granary.Functions", "faas.server");
        var coldStart = Single(trace, "Granary.Functions", "faas.coldstart");
        var load = Single(trace, "Granary.Runtime", "faas.load");
        var run = Single(trace, "Granary.Runtime", "faas.run");
        Assert.Equal(ParentSpan, request.ParentSpanId.ToHexString());
        Assert.Equal(request.SpanId, gateway.ParentSpanId);
        Assert.Contains(gateway.SpanId, Ancestors(trace, server));
        Assert.Equal(server.SpanId, coldStart.ParentSpanId);
        Assert.Contains(coldStart.SpanId, Ancestors(trace, load));
        Assert.Equal(server.SpanId, run.ParentSpanId);
        Assert.Equal(ActivityKind.Server, server.Kind);
        Assert.Equal(ActivityKind.Client, gateway.Kind);
        Assert.Equal(invocationId, server.GetTagItem("faas.invocation_id"));
        Assert.Equal(true, server.GetTagItem("faas.coldstart"));
        Assert.Equal("http", server.GetTagItem("faas.trigger"));
        Assert.Equal("traced", server.GetTagItem("faas.name"));
        Assert.Equal("1", server.GetTagItem("faas.version"));
        Assert.Equal(64L << 20, server.GetTagItem("faas.max_memory"));
        Assert.Equal("default", server.GetTagItem("granary.tenant"));
        Assert.Equal(ws, server.GetTagItem("granary.workspace"));
        Assert.Equal(true, coldStart.GetTagItem("faas.coldstart"));
        Assert.Equal("traced", gateway.GetTagItem("faas.invoked_name"));
    }

    [Fact]
    public async Task TheWarmPathMakesTheSameGranarySpansAsTheColdOneWithoutItsLoad()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "twice", "module.exports = () => 'ok';");
        var (cold, warm) = (TracingFixture.TraceId(), TracingFixture.TraceId());

        await InvokeAsync(ws, "twice", $"00-{cold}-{ParentSpan}-01");
        await InvokeAsync(ws, "twice", $"00-{warm}-{ParentSpan}-01");
        var coldTrace = await fixture.TraceAsync(cold, s => s.OperationName == "Microsoft.AspNetCore.Hosting.HttpRequestIn");
        var warmTrace = await fixture.TraceAsync(warm, s => s.OperationName == "Microsoft.AspNetCore.Hosting.HttpRequestIn");

        Assert.Equal(["Granary.Functions/faas.coldstart", "Granary.Functions/faas.server", "Granary.Gateway/faas.invoke", "Granary.Runtime/faas.load", "Granary.Runtime/faas.run"], Names(coldTrace));
        Assert.Equal(["Granary.Functions/faas.server", "Granary.Gateway/faas.invoke", "Granary.Runtime/faas.run"], Names(warmTrace));
        var server = Single(warmTrace, "Granary.Functions", "faas.server");
        Assert.Equal(false, server.GetTagItem("faas.coldstart"));
        Assert.Equal(Single(warmTrace, "Granary.Gateway", "faas.invoke").SpanId, server.ParentSpanId);
        Assert.Equal(server.SpanId, Single(warmTrace, "Granary.Runtime", "faas.run").ParentSpanId);
        var records = await Server.GetJsonAsync(GranaryServer.FunctionPath(ws, "twice") + "/invocations");
        Assert.Equal([warm, cold], records.GetProperty("invocations").EnumerateArray().Select(r => r.GetProperty("traceId").GetString()));
    }

    [Fact]
    public async Task AQueuedInvocationsWaitAndRunAreSpansOfItsOwnTraceThoughAnotherCallerStartsIt()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "serial", "module.exports = async () => { await new Promise(r => setTimeout(r, 600)); return 'ok'; };", new { maxConcurrency = 1, maxInstances = 1 });
        await InvokeAsync(ws, "serial", $"00-{TracingFixture.TraceId()}-{ParentSpan}-01");
        var (first, second) = (TracingFixture.TraceId(), TracingFixture.TraceId());

        // Either call may reach the function first on a loaded machine; the other waits at least the rest of its run. One
        // instance: a second would take the waiting call (a loaded machine kept the first busy long enough to scale out).
        var running = InvokeAsync(ws, "serial", $"00-{first}-{ParentSpan}-01");
        await Task.Delay(200);
        await InvokeAsync(ws, "serial", $"00-{second}-{ParentSpan}-01");
        await running;
        var traces = new[]
        {
            await fixture.TraceAsync(first, s => s.OperationName == "Microsoft.AspNetCore.Hosting.HttpRequestIn"),
            await fixture.TraceAsync(second, s => s.OperationName == "Microsoft.AspNetCore.Hosting.HttpRequestIn"),
        };

        var trace = Assert.Single(traces, t => t.Any(s => s.OperationName == "faas.queue_wait"));
        var server = Single(trace, "Granary.Functions", "faas.server");
        var wait = Single(trace, "Granary.Runtime", "faas.queue_wait");
        var run = Single(trace, "Granary.Runtime", "faas.run");
        Assert.Equal(server.SpanId, wait.ParentSpanId);
        Assert.Equal(server.SpanId, run.ParentSpanId);
        Assert.True(wait.Duration >= TimeSpan.FromMilliseconds(200), $"waited {wait.Duration}");
        Assert.True(run.StartTimeUtc >= wait.StartTimeUtc + wait.Duration - TimeSpan.FromMilliseconds(1), "ran after its wait");
    }

    [Fact]
    public async Task AnUnsampledTraceKeepsItsIdInTheRecordAndExportsNoSpan()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "quiet", "module.exports = (e, c) => c.headers.traceparent;");
        var traceId = TracingFixture.TraceId();

        var cold = await InvokeAsync(ws, "quiet", $"00-{traceId}-{ParentSpan}-00");
        var warm = await InvokeAsync(ws, "quiet", $"00-{traceId}-{ParentSpan}-00");
        var records = await Server.GetJsonAsync(GranaryServer.FunctionPath(ws, "quiet") + "/invocations");

        Assert.All(records.GetProperty("invocations").EnumerateArray(), r => Assert.Equal(traceId, r.GetProperty("traceId").GetString()));
        Assert.Matches($"^00-{traceId}-[0-9a-f]{{16}}-00$", await cold.Content.ReadAsStringAsync());
        Assert.Matches($"^00-{traceId}-[0-9a-f]{{16}}-00$", await warm.Content.ReadAsStringAsync());
        await Task.Delay(200);
        Assert.DoesNotContain(fixture.Spans.Snapshot(), s => s.TraceId.ToHexString() == traceId && s.Recorded);
    }

    [Fact]
    public async Task AHandlerSeesTheTraceparentOfTheSpanItRunsInAndItsLogLinesCarryTheTraceId()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "seer", "module.exports = (e, c) => { console.log('seen'); return c.headers.traceparent; };");
        var traceId = TracingFixture.TraceId();

        var response = await InvokeAsync(ws, "seer", $"00-{traceId}-{ParentSpan}-01");
        var seen = await response.Content.ReadAsStringAsync();
        var trace = await fixture.TraceAsync(traceId, s => s.OperationName == "faas.server");
        var logs = await LogLinesAsync(ws, "seer", 1);

        Assert.Equal($"00-{traceId}-{Single(trace, "Granary.Functions", "faas.server").SpanId.ToHexString()}-01", seen);
        Assert.Equal(traceId, Assert.Single(logs).GetProperty("traceId").GetString());
    }

    [Fact]
    public async Task AFunctionsFrameworkHttpFunctionSeesTheTraceparentHeader()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "ff", "exports.fn = (req, res) => res.send(req.get('traceparent'));", new { signature = "http", handler = "fn" });
        var traceId = TracingFixture.TraceId();

        var response = await InvokeAsync(ws, "ff", $"00-{traceId}-{ParentSpan}-01");

        Assert.Matches($"^00-{traceId}-[0-9a-f]{{16}}-01$", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AKymaFunctionsTracerMakesSpansInTheInvocationsTrace()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(
            ws,
            "kyma",
            "module.exports = { main: (event) => { const s = event.tracer.startSpan('work'); const c = s.spanContext(); s.end(); return { traceId: c.traceId, spanId: c.spanId, flags: c.traceFlags, recording: s.isRecording(), header: event.extensions.request.headers.traceparent }; } };",
            new { signature = "kyma" });
        var traceId = TracingFixture.TraceId();

        var response = await InvokeAsync(ws, "kyma", $"00-{traceId}-{ParentSpan}-01");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(traceId, body.GetProperty("traceId").GetString());
        Assert.Matches("^[0-9a-f]{16}$", body.GetProperty("spanId").GetString());
        Assert.Equal(1, body.GetProperty("flags").GetInt32());
        Assert.False(body.GetProperty("recording").GetBoolean());
        Assert.Matches($"^00-{traceId}-[0-9a-f]{{16}}-01$", body.GetProperty("header").GetString());
    }

    [Fact]
    public async Task APythonKymaFunctionsTracerMakesSpansInTheInvocationsTrace()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(
            ws,
            "kymapy",
            "def main(event, context):\n    c = event.tracer.start_span('work').get_span_context()\n    return {'traceId': format(c.trace_id, '032x'), 'spanId': format(c.span_id, '016x'), 'flags': c.trace_flags, 'header': event['extensions']['request'].headers.get('traceparent')}\n",
            new { runtime = "python", signature = "kyma" });
        var traceId = TracingFixture.TraceId();

        var response = await InvokeAsync(ws, "kymapy", $"00-{traceId}-{ParentSpan}-01");
        var text = await response.Content.ReadAsStringAsync();
        var body = JsonDocument.Parse(text).RootElement;

        Assert.Equal(traceId, body.GetProperty("traceId").GetString());
        Assert.Matches("^[0-9a-f]{16}$", body.GetProperty("spanId").GetString());
        Assert.Equal(1, body.GetProperty("flags").GetInt32());
        Assert.Matches($"^00-{traceId}-[0-9a-f]{{16}}-01$", body.GetProperty("header").GetString());
    }

    [Fact]
    public async Task AFetchCarriesTheTraceparentOfItsClientSpanInsteadOfOneTheFunctionSet()
    {
        var ws = GatewayFixture.Workspace();
        var forged = $"00-{TracingFixture.TraceId()}-{ParentSpan}-01";
        await Server.DeployOkAsync(ws, "caller", $$"""
            module.exports = async () => {
              const plain = await (await fetch('{{fixture.EchoUrl}}/a')).text();
              const forged = await (await fetch('{{fixture.EchoUrl}}/b', { headers: { traceparent: '{{forged}}' } })).text();
              return { plain, forged };
            };
            """);
        var traceId = TracingFixture.TraceId();

        var response = await InvokeAsync(ws, "caller", $"00-{traceId}-{ParentSpan}-01");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var trace = await fixture.TraceAsync(traceId, s => s.OperationName == "faas.server");
        var fetches = trace.Where(s => s.Source.Name == "Granary.Runtime" && s.OperationName == "fetch").ToList();
        var run = Single(trace, "Granary.Runtime", "faas.run");

        Assert.Equal(2, fetches.Count);
        Assert.All(fetches, f => Assert.Equal(run.SpanId, f.ParentSpanId));
        Assert.All(fetches, f => Assert.Equal(ActivityKind.Client, f.Kind));
        Assert.Equal(
            fetches.Select(f => $"00-{traceId}-{f.SpanId.ToHexString()}-01").Order(),
            new[] { body.GetProperty("plain").GetString(), body.GetProperty("forged").GetString() }.Order());
        Assert.Equal(traceId, (await LatestRecordAsync(ws, "caller")).GetProperty("traceId").GetString());
    }

    [Theory]
    [InlineData("wrong length", "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01")]
    [InlineData("all-zero trace id", "00-00000000000000000000000000000000-00f067aa0ba902b7-01")]
    [InlineData("upper-case hex", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01")]
    [InlineData("10 KB", null)]
    public async Task AMalformedTraceparentNeitherFailsTheCallNorReachesTheRecord(string why, string? traceparent)
    {
        traceparent ??= "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" + new string('x', 10 * 1024);
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "robust", "module.exports = (e, c) => c.headers.traceparent;");

        var response = await InvokeAsync(ws, "robust", traceparent);
        var seen = await response.Content.ReadAsStringAsync();
        var recorded = (await LatestRecordAsync(ws, "robust")).GetProperty("traceId").GetString()!;

        Assert.True(response.IsSuccessStatusCode, $"{why}: {(int)response.StatusCode}");
        Assert.Matches("^[0-9a-f]{32}$", recorded);
        Assert.DoesNotContain(recorded, traceparent, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(new string('0', 32), recorded);
        Assert.Equal($"00-{recorded}-", seen[..36]);
        Assert.Equal(55, seen.Length);
    }

    [Fact]
    public async Task AFunctionCannotPutAnotherTracesIdInItsRecordOrLogLines()
    {
        var ws = GatewayFixture.Workspace();
        var other = TracingFixture.TraceId();
        await Server.DeployOkAsync(ws, "forger", $$"""
            module.exports = (e, c) => {
              c.headers.traceparent = '00-{{other}}-{{ParentSpan}}-01';
              console.log('traceId={{other}}');
              return { statusCode: 200, headers: { traceparent: '00-{{other}}-{{ParentSpan}}-01', 'x-trace-id': '{{other}}' }, body: 'forged' };
            };
            """);
        var traceId = TracingFixture.TraceId();

        await InvokeAsync(ws, "forger", $"00-{traceId}-{ParentSpan}-01");
        var record = await LatestRecordAsync(ws, "forger");
        var logs = await LogLinesAsync(ws, "forger", 1);

        Assert.Equal(traceId, record.GetProperty("traceId").GetString());
        Assert.Equal(traceId, Assert.Single(logs).GetProperty("traceId").GetString());
    }

    private async Task<HttpResponseMessage> InvokeAsync(string ws, string name, string traceparent)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/fn/default/{ws}/{name}") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        Assert.True(request.Headers.TryAddWithoutValidation("traceparent", traceparent));
        return await Server.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task<JsonElement> LatestRecordAsync(string ws, string name) =>
        (await Server.GetJsonAsync(GranaryServer.FunctionPath(ws, name) + "/invocations?limit=1")).GetProperty("invocations").EnumerateArray().Single();

    // The function's log lines, once the silo has shipped them (about a second after the call).
    private async Task<List<JsonElement>> LogLinesAsync(string ws, string name, int count)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var lines = (await Server.GetJsonAsync(GranaryServer.FunctionPath(ws, name) + "/logs")).GetProperty("lines").EnumerateArray().ToList();
            if (lines.Count >= count || DateTime.UtcNow > until)
            {
                return lines;
            }

            await Task.Delay(100);
        }
    }

    private static Activity Single(IEnumerable<Activity> trace, string source, string name) =>
        Assert.Single(trace, s => s.Source.Name == source && s.OperationName == name);

    // Granary's own spans of a trace, by source and name (Orleans' grain-call spans only appear on the grain path).
    private static List<string> Names(IEnumerable<Activity> trace) =>
        [.. trace.Where(s => s.Source.Name.StartsWith("Granary.", StringComparison.Ordinal)).Select(s => $"{s.Source.Name}/{s.OperationName}").Order(StringComparer.Ordinal)];

    private static List<ActivitySpanId> Ancestors(IReadOnlyList<Activity> trace, Activity span)
    {
        var ancestors = new List<ActivitySpanId>();
        for (var parent = span.ParentSpanId; trace.FirstOrDefault(s => s.SpanId == parent) is { } next; parent = next.ParentSpanId)
        {
            ancestors.Add(parent);
        }

        return ancestors;
    }
}
