using Granary.Functions;
using Granary.Runtime.JavaScript;
using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.JavaScript;

/// <summary>Kyma's Node runtime contract: main(event, context[, callback]) and its response rules.</summary>
public class KymaSignatureTests(IsolatePoolFixture fixture) : IClassFixture<IsolatePoolFixture>
{
    // The contract's suite runs in both modes: KymaSignatureProcessTests runs it in Node.js workers.
    private protected virtual Task<ExecutionResult> RunAsync(IsolatePool pool, string code, InvocationRequest? request = null, Func<FunctionSpec, FunctionSpec>? configure = null) =>
        FunctionRunner.RunAsync(pool, code, request, configure);

    private Task<ExecutionResult> RunKymaAsync(string code, InvocationRequest? request = null) =>
        RunAsync(fixture.Pool, code, request, s => s with { Signature = FunctionSignatures.Kyma, TimeoutSeconds = 5 });

    [Fact]
    public async Task AStringResultIsSentWithoutContentType()
    {
        var result = await RunKymaAsync("module.exports = { main: function (event, context) { return 'hello'; } };");

        Assert.Equal(200, result.StatusCode);
        Assert.Null(result.Header("Content-Type"));
        Assert.Equal("hello", result.Text());
        Assert.Equal("*", result.Header("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task AnObjectResultIsSentAsJson()
    {
        var result = await RunKymaAsync("module.exports = { main: async () => ({ a: 1, b: 'x' }) };");

        Assert.Equal("application/json; charset=utf-8", result.Header("Content-Type"));
        Assert.Equal("{\"a\":1,\"b\":\"x\"}", result.Text());
    }

    [Fact]
    public async Task ABufferResultIsSentAsItsJsonForm()
    {
        var result = await RunKymaAsync("module.exports = { main: () => Buffer.from('hi') };");

        Assert.Equal("{\"type\":\"Buffer\",\"data\":[104,105]}", result.Text());
    }

    [Theory]
    [InlineData("''")]
    [InlineData("0")]
    [InlineData("null")]
    [InlineData("undefined")]
    public async Task AFalsyResultIsAnEmptyResponse(string value)
    {
        var result = await RunKymaAsync($"module.exports = {{ main: () => {value} }};");

        Assert.Equal(200, result.StatusCode);
        Assert.Null(result.Header("Content-Type"));
        Assert.Equal(0, result.Body.Length);
    }

    [Theory]
    [InlineData("42")]
    [InlineData("true")]
    public async Task ANumberOrTrueResultIsAnInternalServerError(string value)
    {
        var result = await RunKymaAsync($"module.exports = {{ main: () => {value} }};");

        Assert.Equal(500, result.StatusCode);
        Assert.Equal("Internal server error", result.Text());
    }

    [Fact]
    public async Task TheEventSdkSetsStatusHeadersAndContentType()
    {
        var result = await RunKymaAsync("""
            module.exports = { main: (event) => {
              event.setResponseStatus(201);
              event.setResponseHeader('X-A', 'b');
              event.setResponseContentType('text/plain');
              return 'created';
            } };
            """);

        Assert.Equal(201, result.StatusCode);
        Assert.Equal("b", result.Header("X-A"));
        Assert.Equal("text/plain; charset=utf-8", result.Header("Content-Type"));
        Assert.Equal("created", result.Text());
    }

    [Fact]
    public async Task TheExpressResponseInExtensionsIsHonoured()
    {
        var result = await RunKymaAsync("""
            module.exports = { main: (event) => {
              event.extensions.response.status(418).send('teapot');
              return 'ignored';
            } };
            """);

        Assert.Equal(418, result.StatusCode);
        Assert.Equal("teapot", result.Text());
    }

    [Fact]
    public async Task TheCallbackSendsBodyStatusAndHeaders()
    {
        var result = await RunKymaAsync("module.exports = { main: (event, context, callback) => { callback('via callback', 202, { 'X-Cb': '1' }); } };");

        Assert.Equal(202, result.StatusCode);
        Assert.Equal("1", result.Header("X-Cb"));
        Assert.Equal("via callback", result.Text());
    }

    [Fact]
    public async Task AThrownStringIsTheBodyOfThe500()
    {
        var result = await RunKymaAsync("module.exports = { main: () => { throw 'custom message'; } };");

        Assert.Equal(500, result.StatusCode);
        Assert.Equal("custom message", result.Text());
        Assert.Equal(InvocationOutcomes.Error, result.Outcome);
    }

    [Fact]
    public async Task AThrownErrorIsAnInternalServerError()
    {
        var result = await RunKymaAsync("module.exports = { main: async () => { throw new Error('secret detail'); } };");

        Assert.Equal(500, result.StatusCode);
        Assert.Equal("Internal server error", result.Text());
        Assert.Contains(result.Logs, l => l.Level == "error" && l.Message.Contains("secret detail", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ABinaryCloudEventFillsTheCeFieldsFromHeaders()
    {
        var request = Request(
            "POST",
            body: "{\"orderId\":7}",
            headers:
            [
                ("Content-Type", "application/json"), ("ce-specversion", "1.0"), ("ce-type", "order.created"), ("ce-source", "/shop"),
                ("ce-id", "abc-1"), ("ce-eventtypeversion", "v1"), ("ce-time", "2020-12-20T13:37:33.647Z"),
            ]);
        var result = await RunKymaAsync("""
            module.exports = { main: (event) => {
              const out = {};
              for (const k of ['ce-type', 'ce-source', 'ce-eventtypeversion', 'ce-specversion', 'ce-id', 'ce-time', 'ce-datacontenttype', 'data']) out[k] = event[k];
              return out;
            } };
            """, request);

        Assert.Equal(
            "{\"ce-type\":\"order.created\",\"ce-source\":\"/shop\",\"ce-eventtypeversion\":\"v1\",\"ce-specversion\":\"1.0\",\"ce-id\":\"abc-1\",\"ce-time\":\"2020-12-20T13:37:33.647Z\",\"ce-datacontenttype\":\"application/json\",\"data\":{\"orderId\":7}}",
            result.Text());
    }

    [Fact]
    public async Task AStructuredCloudEventFillsTheCeFieldsFromTheBody()
    {
        var request = Request(
            "POST",
            body: "{\"specversion\":\"1.0\",\"type\":\"order.created\",\"source\":\"/shop\",\"id\":\"abc-2\",\"eventtypeversion\":\"v1\",\"datacontenttype\":\"application/json\",\"data\":{\"orderId\":8}}",
            headers: ("Content-Type", "application/cloudevents+json"));
        var result = await RunKymaAsync("module.exports = { main: (event) => ({ type: event['ce-type'], id: event['ce-id'], time: typeof event['ce-time'], data: event.data }) };", request);

        Assert.Equal("{\"type\":\"order.created\",\"id\":\"abc-2\",\"time\":\"string\",\"data\":{\"orderId\":8}}", result.Text());
    }

    [Fact]
    public async Task ACloudEventWithoutSpecVersionIsRefusedWith400()
    {
        var request = Request("POST", body: "{}", headers: [("Content-Type", "application/json"), ("ce-type", "t"), ("ce-source", "s")]);
        var result = await RunKymaAsync("module.exports = { main: () => 'ran' };", request);

        Assert.Equal(400, result.StatusCode);
        Assert.Equal("Malformed CloudEvent", result.JsonBody().GetProperty("title").GetString());
        Assert.Equal(
            "Request does not represent a CloudEvent. It has neither a ce-specversion header, nor a suitable content type.",
            result.JsonBody().GetProperty("detail").GetString());
    }

    [Fact]
    public async Task DataFollowsTheContentType()
    {
        const string code = "module.exports = { main: (event) => ({ has: 'data' in event, kind: Buffer.isBuffer(event.data) ? 'buffer' : typeof event.data, data: event.data }) };";

        var get = await RunKymaAsync(code, Request());
        var text = await RunKymaAsync(code, Request("POST", body: "plain", headers: ("Content-Type", "text/plain")));
        var form = await RunKymaAsync(code, Request("POST", body: "a=1&b=2", headers: ("Content-Type", "application/x-www-form-urlencoded")));
        var binary = await RunKymaAsync(code, Request("POST", body: "raw", headers: ("Content-Type", "application/octet-stream")));

        Assert.Equal("{\"has\":false,\"kind\":\"undefined\"}", get.Text());
        Assert.Equal("{\"has\":true,\"kind\":\"string\",\"data\":\"plain\"}", text.Text());
        Assert.Equal("{\"has\":true,\"kind\":\"object\",\"data\":{\"a\":\"1\",\"b\":\"2\"}}", form.Text());
        Assert.Equal("{\"has\":true,\"kind\":\"buffer\",\"data\":{\"type\":\"Buffer\",\"data\":[114,97,119]}}", binary.Text());
    }

    [Fact]
    public async Task TheContextDescribesTheFunction()
    {
        var result = await RunKymaAsync("module.exports = { main: (event, context) => context };");

        Assert.Equal(
            "{\"function-name\":\"fn\",\"runtime\":\"nodejs\",\"namespace\":\"shop\",\"timeout\":5,\"body-size-limit\":1,\"memory-limit\":\"128Mi\"}",
            result.Text());
    }

    [Fact]
    public async Task TheRequestInExtensionsIsExpressLike()
    {
        var request = Request("PATCH", "/items/3", "?q=x", "{\"k\":1}", ("Content-Type", "application/json"), ("X-Custom", "c"));
        var result = await RunKymaAsync("""
            module.exports = { main: (event) => {
              const req = event.extensions.request;
              return { method: req.method, path: req.path, url: req.url, q: req.query.q, h: req.get('x-custom'), body: req.body, is: req.is('json') };
            } };
            """, request);

        Assert.Equal("{\"method\":\"PATCH\",\"path\":\"/items/3\",\"url\":\"/items/3?q=x\",\"q\":\"x\",\"h\":\"c\",\"body\":{\"k\":1},\"is\":\"application/json\"}", result.Text());
    }

    [Fact]
    public async Task OptionsIsAPreflightAnswerWithoutCallingTheFunction()
    {
        var request = Request("OPTIONS", headers: [("Access-Control-Request-Method", "PUT"), ("Access-Control-Request-Headers", "x-a")]);
        var result = await RunKymaAsync("module.exports = { main: () => { console.log('called'); return 'x'; } };", request);

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("PUT", result.Header("Access-Control-Allow-Methods"));
        Assert.Equal("x-a", result.Header("Access-Control-Allow-Headers"));
        Assert.Equal(0, result.Body.Length);
        Assert.Empty(result.Logs);
    }
}
