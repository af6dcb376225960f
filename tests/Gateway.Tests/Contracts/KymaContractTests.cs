using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using static Granary.Gateway.Tests.Contracts.ContractHttp;

namespace Granary.Gateway.Tests.Contracts;

/// <summary>
/// The Kyma Node runtime contract (seeds.md section A) through the gateway, one case per table row: the server
/// pipeline (A.1), the event object (A.2), the context (A.3), result → response (A.4), errors (A.5) and the
/// CloudEvent send check (A.8), with Granary's documented deviations (docs/compatibility.md "Where the seed documents and their
/// systems' source disagree").
/// </summary>
public class KymaContractTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string Json = "application/json; charset=utf-8";

    // What a function returns when it runs; routes that must not call the function never answer this.
    private const string Marker = "function-was-called";

    private const string MarkerMain = "(event) => { console.log('called'); return '" + Marker + "'; }";

    // A.2: the event's own keys come first, in this order; the payload keys follow.
    private const string BaseKeys = "tracer,extensions,setResponseHeader,setResponseContentType,setResponseStatus,publishCloudEvent,buildResponseCloudEvent,emitCloudEvent";

    private const string PayloadProbe = """
        (event) => {
          const keys = Object.keys(event);
          const base = keys.slice(0, 8);
          const payloadKeys = keys.slice(8);
          const payload = {};
          for (const k of payloadKeys) payload[k] = Buffer.isBuffer(event[k]) ? { buffer: event[k].toString('utf8') } : event[k];
          const d = event.data;
          const dataType = !('data' in event) ? 'absent' : Buffer.isBuffer(d) ? 'Buffer' : Array.isArray(d) ? 'array' : d === null ? 'null' : typeof d;
          return { base: base.join(','), payloadKeys: payloadKeys.join(','), dataType, payload };
        }
        """;

    private GranaryServer Server => fixture.Server;

    // A.4 (and A.5) table: handler result → status, Content-Type, body. Every row also carries the CORS header.
    [Theory]
    [InlineData("string, sync", "function (event, context) { return 'hello'; }", 200, null, "hello", null, null)]
    [InlineData("string, async", "async function (event, context) { return 'hello'; }", 200, null, "hello", null, null)]
    [InlineData("object", "() => ({ a: 1, b: 'x' })", 200, Json, """{"a":1,"b":"x"}""", null, null)]
    [InlineData("array", "() => [1, 2]", 200, Json, "[1,2]", null, null)]
    [InlineData("Buffer", "() => Buffer.from('hi')", 200, Json, """{"type":"Buffer","data":[104,105]}""", null, null)]
    [InlineData("empty string", "() => ''", 200, null, "", null, null)]
    [InlineData("0", "() => 0", 200, null, "", null, null)]
    [InlineData("false", "() => false", 200, null, "", null, null)]
    [InlineData("null", "() => null", 200, null, "", null, null)]
    [InlineData("undefined", "() => undefined", 200, null, "", null, null)]
    [InlineData("42", "() => 42", 500, null, "Internal server error", null, null)]
    [InlineData("true", "() => true", 500, null, "Internal server error", null, null)]
    [InlineData("setResponseStatus(201) + string", "(event) => { event.setResponseStatus(201); return 'created'; }", 201, null, "created", null, null)]
    [InlineData("setResponseStatus(404) + object", "(event) => { event.setResponseStatus(404); return { e: 1 }; }", 404, Json, """{"e":1}""", null, null)]
    [InlineData("setResponseStatus(204) + nothing", "(event) => { event.setResponseStatus(204); }", 204, null, "", null, null)]
    [InlineData("setResponseHeader + setResponseContentType('text/plain')", "(event) => { event.setResponseHeader('X-A', 'b'); event.setResponseContentType('text/plain'); return 'x'; }", 200, "text/plain; charset=utf-8", "x", "X-A", "b")]
    [InlineData("setResponseContentType('application/json') + JSON string", "(event) => { event.setResponseContentType('application/json'); return '{\"a\":1}'; }", 200, Json, """{"a":1}""", null, null)]
    [InlineData("setResponseContentType('html')", "(event) => { event.setResponseContentType('html'); return '<b>x</b>'; }", 200, "text/html; charset=utf-8", "<b>x</b>", null, null)]
    [InlineData("callback(string, 202, headers)", "(event, context, callback) => { callback('via callback', 202, { 'X-Cb': '1' }); }", 202, null, "via callback", "X-Cb", "1")]
    [InlineData("callback(object, 201)", "(event, context, callback) => { callback({ x: 1 }, 201); }", 201, Json, """{"x":1}""", null, null)]
    [InlineData("callback(undefined, 204)", "(event, context, callback) => { callback(undefined, 204); }", 204, null, "", null, null)]
    [InlineData("extensions.response.status(418).send wins over the return value", "(event) => { event.extensions.response.status(418).send('teapot'); return 'ignored'; }", 418, "text/html; charset=utf-8", "teapot", null, null)]
    [InlineData("throw 'custom message'", "() => { throw 'custom message'; }", 500, null, "custom message", null, null)]
    [InlineData("async throw of a string", "async () => { throw 'async message'; }", 500, null, "async message", null, null)]
    [InlineData("throw new Error", "() => { throw new Error('boom'); }", 500, null, "Internal server error", null, null)]
    [InlineData("rejected promise with an Error", "() => Promise.reject(new Error('no'))", 500, null, "Internal server error", null, null)]
    [InlineData("throw of a plain object", "() => { throw { code: 1 }; }", 500, null, "Internal server error", null, null)]
    public async Task AHandlerResultBecomesTheResponse(string row, string main, int status, string? contentType, string body, string? header, string? headerValue)
    {
        var ws = GatewayFixture.Workspace();
        await DeployKymaAsync(ws, "fn", main);

        var response = await Server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/fn/default/{ws}/fn/"));

        Assert.Equal($"{row} → {status} | {contentType ?? "(none)"} | {body}", $"{row} → {await DescribeAsync(response)}");
        if (status != 204)
        {
            Assert.Equal(Encoding.UTF8.GetByteCount(body), response.Content.Headers.ContentLength);
        }

        if (header is not null)
        {
            Assert.Equal(headerValue, HeaderValue(response, header));
        }

        Assert.Equal("*", HeaderValue(response, "Access-Control-Allow-Origin"));
    }

    // A.2 table: request → the payload keys of the event, and the type and value of `data`.
    [Theory]
    [InlineData("GET without a body", "GET", null, null, null, "", "absent", "{}")]
    [InlineData("POST application/json object", "POST", "application/json", """{"hello":"world"}""", null, "data", "object", """{"data":{"hello":"world"}}""")]
    [InlineData("POST application/json string", "POST", "application/json", "\"just a string\"", null, "data", "string", """{"data":"just a string"}""")]
    [InlineData("POST text/plain", "POST", "text/plain", "plain text", null, "data", "string", """{"data":"plain text"}""")]
    [InlineData("POST urlencoded form", "POST", "application/x-www-form-urlencoded", "a=1&b=2", null, "data", "object", """{"data":{"a":"1","b":"2"}}""")]
    [InlineData("POST application/octet-stream", "POST", "application/octet-stream", "raw-bytes", null, "data", "Buffer", """{"data":{"buffer":"raw-bytes"}}""")]
    [InlineData("POST without a Content-Type", "POST", null, "raw-bytes", null, "data", "Buffer", """{"data":{"buffer":"raw-bytes"}}""")]
    [InlineData("POST multipart", "POST", "multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--xyz--\r\n", null, "", "absent", "{}")]
    [InlineData(
        "binary CloudEvent",
        "POST",
        "application/json",
        """{"orderId":7}""",
        "ce-specversion=1.0|ce-type=order.created|ce-source=/shop|ce-id=abc-1|ce-eventtypeversion=v1|ce-time=2020-12-20T13:37:33.647Z",
        "ce-type,ce-source,ce-eventtypeversion,ce-specversion,ce-id,ce-time,ce-datacontenttype,data",
        "object",
        """{"ce-type":"order.created","ce-source":"/shop","ce-eventtypeversion":"v1","ce-specversion":"1.0","ce-id":"abc-1","ce-time":"2020-12-20T13:37:33.647Z","ce-datacontenttype":"application/json","data":{"orderId":7}}""")]
    [InlineData(
        "structured CloudEvent",
        "POST",
        "application/cloudevents+json",
        """{"specversion":"1.0","type":"order.created","source":"/shop","id":"abc-2","eventtypeversion":"v1","datacontenttype":"application/json","data":{"orderId":8}}""",
        null,
        "ce-type,ce-source,ce-eventtypeversion,ce-specversion,ce-id,ce-time,ce-datacontenttype,data",
        "object",
        """{"ce-type":"order.created","ce-source":"/shop","ce-eventtypeversion":"v1","ce-specversion":"1.0","ce-id":"abc-2","ce-time":"<now>","ce-datacontenttype":"application/json","data":{"orderId":8}}""")]
    public async Task TheRequestBecomesTheEventPayload(string row, string method, string? contentType, string? body, string? ceHeaders, string payloadKeys, string dataType, string payload)
    {
        var ws = GatewayFixture.Workspace();
        await DeployKymaAsync(ws, "probe", PayloadProbe);
        var request = Request(new HttpMethod(method), $"/fn/default/{ws}/probe/x", contentType, body);
        foreach (var pair in (ceHeaders ?? "").Split('|', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            request.Headers.TryAddWithoutValidation(pair[..eq], pair[(eq + 1)..]);
        }

        var response = await Server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{row}: {(int)response.StatusCode} {text}");
        var result = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(BaseKeys, (string?)result["base"]);
        Assert.Equal($"{row}: {payloadKeys}", $"{row}: {(string?)result["payloadKeys"]}");
        Assert.Equal($"{row}: {dataType}", $"{row}: {(string?)result["dataType"]}");
        var actual = result["payload"]!.AsObject();
        if (payload.Contains("\"<now>\"", StringComparison.Ordinal))
        {
            var time = (string?)actual["ce-time"];
            Assert.True(
                DateTimeOffset.TryParse(time, System.Globalization.CultureInfo.InvariantCulture, out var parsed) && (parsed - DateTimeOffset.UtcNow).Duration() < TimeSpan.FromMinutes(5),
                $"{row}: ce-time should be now, was '{time}'");
            actual["ce-time"] = "<now>";
        }

        Assert.Equal(JsonNode.Parse(payload)!.ToJsonString(), actual.ToJsonString());
    }

    // A.3 with Granary's fields: namespace is the workspace, runtime "nodejs", memory-limit set; body-size-limit is
    // the configured MaxRequestBodyBytes in MB, exactly (the fixture's 65536 bytes → 0.0625).
    [Fact]
    public async Task TheContextDescribesTheFunction()
    {
        var ws = GatewayFixture.Workspace();
        await DeployKymaAsync(ws, "ctx", "(event, context) => context", new { signature = "kyma", timeoutSeconds = 7 });

        var response = await Server.Http.GetAsync($"/fn/default/{ws}/ctx");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var context = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(
            ["body-size-limit", "function-name", "memory-limit", "namespace", "runtime", "timeout"],
            context.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("ctx", (string?)context["function-name"]);
        Assert.Equal("nodejs", (string?)context["runtime"]);
        Assert.Equal(ws, (string?)context["namespace"]);
        Assert.Equal(7, (int?)context["timeout"]);
        Assert.Equal("128Mi", (string?)context["memory-limit"]);
        Assert.Equal(0.0625, (double?)context["body-size-limit"]);
    }

    // A.1: app.all sends every method (other than OPTIONS) and every path to the function.
    [Theory]
    [InlineData("GET", "/")]
    [InlineData("POST", "/orders")]
    [InlineData("PUT", "/orders/7")]
    [InlineData("PATCH", "/a/b/c")]
    [InlineData("DELETE", "/orders/7")]
    [InlineData("HEAD", "/head")]
    public async Task EveryMethodAndPathReachesTheFunction(string method, string path)
    {
        var ws = GatewayFixture.Workspace();
        await DeployKymaAsync(ws, "any", "(event) => { const r = event.extensions.request; event.setResponseHeader('X-Seen', r.method + ' ' + r.path); return 'seen'; }");

        var response = await Server.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/fn/default/{ws}/any{path}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{method} {path}", HeaderValue(response, "X-Seen"));
        Assert.Equal(method == "HEAD" ? "" : "seen", await response.Content.ReadAsStringAsync());
        Assert.Equal("*", HeaderValue(response, "Access-Control-Allow-Origin"));
    }

    // A.2: event.extensions.request is an Express request.
    [Fact]
    public async Task TheExtensionsRequestIsAnExpressRequest()
    {
        var ws = GatewayFixture.Workspace();
        await DeployKymaAsync(ws, "req", "(event) => { const r = event.extensions.request; return { method: r.method, path: r.path, url: r.url, query: r.query, header: r.get('X-Custom'), is: r.is('json'), body: r.body }; }");
        var request = Request(HttpMethod.Post, $"/fn/default/{ws}/req/orders/7?x=1&y=a&y=b", "application/json", """{"n":1}""");
        request.Headers.Add("X-Custom", "custom-value");

        var response = await Server.Http.SendAsync(request);

        Assert.Equal(
            """200 | application/json; charset=utf-8 | {"method":"POST","path":"/orders/7","url":"/orders/7?x=1&y=a&y=b","query":{"x":"1","y":["a","b"]},"header":"custom-value","is":"application/json","body":{"n":1}}""",
            await DescribeAsync(response));
    }

    // A.1: OPTIONS is answered as a CORS preflight and never reaches the function.
    [Theory]
    [InlineData("/")]
    [InlineData("/deep/path")]
    public async Task OptionsIsAPreflightAnswerWithoutCallingTheFunction(string path)
    {
        var ws = GatewayFixture.Workspace();
        await DeployKymaAsync(ws, "cors", MarkerMain);
        var request = new HttpRequestMessage(HttpMethod.Options, $"/fn/default/{ws}/cors{path}");
        request.Headers.Add("Origin", "https://example.com");
        request.Headers.Add("Access-Control-Request-Method", "PUT");
        request.Headers.Add("Access-Control-Request-Headers", "x-custom, content-type");

        var response = await Server.Http.SendAsync(request);

        Assert.Equal("200 | (none) | ", await DescribeAsync(response));
        Assert.Equal("*", HeaderValue(response, "Access-Control-Allow-Origin"));
        Assert.Equal("PUT", HeaderValue(response, "Access-Control-Allow-Methods"));
        Assert.Equal("x-custom, content-type", HeaderValue(response, "Access-Control-Allow-Headers"));
    }

    // A.1: GET /healthz is the runtime's own route.
    [Fact]
    public async Task HealthzAnswersOkWithoutCallingTheFunction()
    {
        var ws = GatewayFixture.Workspace();
        await DeployKymaAsync(ws, "hz", MarkerMain);

        var response = await Server.Http.GetAsync($"/fn/default/{ws}/hz/healthz");

        Assert.Equal("200 | text/html; charset=utf-8 | OK", await DescribeAsync(response));
    }

    // A.1: Kyma's favicon route sets 204 and hangs; Granary sends the 204 (docs/compatibility.md).
    [Fact]
    public async Task FaviconAnswers204WithoutCallingTheFunction()
    {
        var ws = GatewayFixture.Workspace();
        await DeployKymaAsync(ws, "fav", MarkerMain);

        var response = await Server.Http.GetAsync($"/fn/default/{ws}/fav/favicon.ico");

        Assert.Equal("204 | (none) | ", await DescribeAsync(response));
    }

    // A.1: GET /metrics is OTel Prometheus text counting the function's calls and failures.
    [Fact]
    public async Task MetricsCountThePreviousCallsAndFailures()
    {
        var ws = GatewayFixture.Workspace();
        await DeployKymaAsync(ws, "metered", "(event) => { if (event.extensions.request.query.fail) throw new Error('failed'); return 'ok'; }");
        Assert.Equal(HttpStatusCode.OK, (await Server.Http.GetAsync($"/fn/default/{ws}/metered")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Server.Http.PostAsync($"/fn/default/{ws}/metered/x", new StringContent("a", Encoding.UTF8, "text/plain"))).StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, (await Server.Http.GetAsync($"/fn/default/{ws}/metered?fail=1")).StatusCode);

        var response = await Server.Http.GetAsync($"/fn/default/{ws}/metered/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var lines = text.Split('\n');
        Assert.Contains("function_calls_total{otel_scope_name=\"metered\"} 3", lines);
        Assert.Contains("function_failures_total{otel_scope_name=\"metered\"} 1", lines);
        Assert.Contains("function_duration_miliseconds_count{otel_scope_name=\"metered\"} 3", lines);
    }

    // A.1: /healthz and /favicon.ico are routes of their own and OPTIONS returns before callsTotalCounter.add(1),
    // so none of them is a call of the function.
    [Theory]
    [InlineData("GET", "/healthz")]
    [InlineData("GET", "/favicon.ico")]
    [InlineData("OPTIONS", "/")]
    public async Task RuntimeAnswersAreNotCountedAsCalls(string method, string path)
    {
        var ws = GatewayFixture.Workspace();
        await DeployKymaAsync(ws, "quiet", "() => 'ok'");
        Assert.Equal(HttpStatusCode.OK, (await Server.Http.GetAsync($"/fn/default/{ws}/quiet")).StatusCode);
        await Server.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/fn/default/{ws}/quiet{path}"));

        var text = await (await Server.Http.GetAsync($"/fn/default/{ws}/quiet/metrics")).Content.ReadAsStringAsync();

        var calls = text.Split('\n').SingleOrDefault(l => l.StartsWith("function_calls_total{", StringComparison.Ordinal));
        Assert.Equal($"{method} {path} → function_calls_total{{otel_scope_name=\"quiet\"}} 1", $"{method} {path} → {calls}");
    }

    // A.4 last row with Granary's deviation: 408 with a problem-details body.
    [Theory]
    [InlineData("awaits past the timeout", "async () => { await new Promise(r => setTimeout(r, 5000)); return 'late'; }")]
    [InlineData("loops past the timeout", "() => { while (true) {} }")]
    public async Task AFunctionPastItsTimeoutGets408(string row, string main)
    {
        var ws = GatewayFixture.Workspace();
        await DeployKymaAsync(ws, "slow", main, new { signature = "kyma", timeoutSeconds = 1 });

        var response = await Server.Http.GetAsync($"/fn/default/{ws}/slow");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal($"{row}: 408 application/problem+json", $"{row}: {(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}");
        Assert.Equal(408, JsonDocument.Parse(text).RootElement.GetProperty("status").GetInt32());
    }

    // A.1: the CORS header is set before the function runs, so Kyma's 408 carries it too.
    [Fact]
    public async Task TheTimeoutAnswerCarriesTheCorsHeader()
    {
        var ws = GatewayFixture.Workspace();
        await DeployKymaAsync(ws, "slow", "async () => { await new Promise(r => setTimeout(r, 5000)); return 'late'; }", new { signature = "kyma", timeoutSeconds = 1 });

        var response = await Server.Http.GetAsync($"/fn/default/{ws}/slow");

        Assert.Equal(408, (int)response.StatusCode);
        Assert.Equal("*", HeaderValue(response, "Access-Control-Allow-Origin"));
    }

    // A.2 quirk with Granary's deviation: ce-type and ce-source without ce-specversion → 400 (Kyma crashes with 500).
    [Fact]
    public async Task ACloudEventWithoutSpecversionIsRefusedWith400()
    {
        var ws = GatewayFixture.Workspace();
        await DeployKymaAsync(ws, "ce", MarkerMain);
        var request = Request(HttpMethod.Post, $"/fn/default/{ws}/ce", "application/json", """{"orderId":7}""");
        request.Headers.Add("ce-type", "order.created");
        request.Headers.Add("ce-source", "/shop");

        var response = await Server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("400 application/problem+json", $"{(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}");
        Assert.DoesNotContain(Marker, text, StringComparison.Ordinal);
    }

    // A.1: bad JSON gets 400 from the body parser, before the function.
    [Fact]
    public async Task MalformedJsonIsRefusedWith400()
    {
        var ws = GatewayFixture.Workspace();
        await DeployKymaAsync(ws, "bad", MarkerMain);

        var response = await Server.Http.SendAsync(Request(HttpMethod.Post, $"/fn/default/{ws}/bad", "application/json", """{"a":"""));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(Marker, text, StringComparison.Ordinal);
    }

    // A.1: a body over the limit gets 413 (the fixture's limit is 65536 bytes).
    [Fact]
    public async Task ABodyOverTheLimitIsRefusedWith413()
    {
        var ws = GatewayFixture.Workspace();
        await DeployKymaAsync(ws, "big", MarkerMain);

        var response = await Server.Http.SendAsync(Request(HttpMethod.Post, $"/fn/default/{ws}/big", "text/plain", new string('x', 70_000)));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.DoesNotContain(Marker, text, StringComparison.Ordinal);
    }

    // A.8 "CloudEvent send check": the function emits a CloudEvent to the publisher, structured. The publisher address
    // is the platform's (PUBLISHER_PROXY_ADDRESS in Kyma, Granary:JavaScript:PublisherProxyAddress here), never the function's.
    [Fact]
    public async Task EmitCloudEventPostsAStructuredCloudEventToThePublisher()
    {
        await using var publisher = await CapturingPublisher.StartAsync(204, null);
        await using var server = await WithPublisherAsync(publisher);
        var ws = GatewayFixture.Workspace();
        await server.DeployOkAsync(
            ws,
            "emitter",
            "module.exports = { main: async (event) => { await event.emitCloudEvent('send-check', 'contract-test', event.data, { eventtypeversion: 'v1alpha2' }); return 'sent'; } };",
            new { signature = "kyma" });

        var response = await server.Http.SendAsync(Request(HttpMethod.Post, $"/fn/default/{ws}/emitter", "application/json", """{"hello":"send-event"}"""));

        Assert.Equal("200 | (none) | sent", await DescribeAsync(response));
        var (contentType, body) = await publisher.Received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("application/cloudevents+json; charset=utf-8", contentType);
        var ce = JsonNode.Parse(body)!.AsObject();
        Assert.Equal("id,time,type,source,specversion,datacontenttype,data,eventtypeversion", string.Join(',', ce.Select(p => p.Key)));
        Assert.True(Guid.TryParse((string?)ce["id"], out _), $"id should be a UUID: {ce["id"]}");
        Assert.True(
            DateTimeOffset.TryParse((string?)ce["time"], System.Globalization.CultureInfo.InvariantCulture, out var time) && (time - DateTimeOffset.UtcNow).Duration() < TimeSpan.FromMinutes(5),
            $"time should be now: {ce["time"]}");
        Assert.Equal("send-check", (string?)ce["type"]);
        Assert.Equal("contract-test", (string?)ce["source"]);
        Assert.Equal("1.0", (string?)ce["specversion"]);
        Assert.Equal("application/json", (string?)ce["datacontenttype"]);
        Assert.Equal("""{"hello":"send-event"}""", ce["data"]!.ToJsonString());
        Assert.Equal("v1alpha2", (string?)ce["eventtypeversion"]);
    }

    // A.2: string data defaults datacontenttype to text/plain; the promise resolves to an axios-like response.
    [Fact]
    public async Task EmitCloudEventResolvesToTheAxiosLikeResponseOfThePublisher()
    {
        await using var publisher = await CapturingPublisher.StartAsync(202, """{"accepted":true}""");
        await using var server = await WithPublisherAsync(publisher);
        var ws = GatewayFixture.Workspace();
        await server.DeployOkAsync(
            ws,
            "emitter",
            "module.exports = { main: async (event) => { const r = await event.emitCloudEvent('order.shipped', '/shop', 'plain data'); return { status: r.status, data: r.data, publisher: r.headers['x-publisher'] }; } };",
            new { signature = "kyma" });

        var response = await server.Http.GetAsync($"/fn/default/{ws}/emitter");

        Assert.Equal("""200 | application/json; charset=utf-8 | {"status":202,"data":{"accepted":true},"publisher":"capture"}""", await DescribeAsync(response));
        var (_, body) = await publisher.Received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var ce = JsonNode.Parse(body)!.AsObject();
        Assert.Equal("text/plain", (string?)ce["datacontenttype"]);
        Assert.Equal("plain data", (string?)ce["data"]);
        Assert.Equal("order.shipped", (string?)ce["type"]);
        Assert.Equal("/shop", (string?)ce["source"]);
    }

    // A gateway of its own whose operator configured the publisher (the shared fixture has none).
    private static Task<GranaryServer> WithPublisherAsync(CapturingPublisher publisher) =>
        GranaryServer.StartAsync(settings: new Dictionary<string, string?> { ["Granary:JavaScript:PublisherProxyAddress"] = publisher.Url });

    private async Task DeployKymaAsync(string workspace, string name, string main, object? settings = null) =>
        await Server.DeployOkAsync(workspace, name, $"module.exports = {{ main: {main} }};", settings ?? new { signature = "kyma" });

    /// <summary>A stand-in for Kyma's eventing publisher proxy: records the first event posted to /publish.</summary>
    private sealed class CapturingPublisher : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private CapturingPublisher(WebApplication app, TaskCompletionSource<(string? ContentType, string Body)> received)
        {
            _app = app;
            Received = received;
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            Url = address.TrimEnd('/') + "/publish";
        }

        public string Url { get; }

        public TaskCompletionSource<(string? ContentType, string Body)> Received { get; }

        public static async Task<CapturingPublisher> StartAsync(int status, string? json)
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var received = new TaskCompletionSource<(string? ContentType, string Body)>(TaskCreationOptions.RunContinuationsAsynchronously);
            app.MapPost("/publish", async (HttpContext context) =>
            {
                using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
                received.TrySetResult((context.Request.ContentType, await reader.ReadToEndAsync()));
                context.Response.StatusCode = status;
                context.Response.Headers["X-Publisher"] = "capture";
                if (json is not null)
                {
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync(json);
                }
            });
            await app.StartAsync();
            return new CapturingPublisher(app, received);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
