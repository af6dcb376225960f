using System.Net;
using static Granary.Gateway.Tests.Contracts.ContractHttp;

namespace Granary.Gateway.Tests.Contracts;

/// <summary>
/// The Skipper/Kipper Node runtime contract (seeds.md C.2 and C.5) through the gateway, one case per table row:
/// the catch-all route's result rules, POST /event (kipper-poll's target) and GET /health. The catch-all route uses
/// Granary's documented deviation: event = the request body, context = the request.
/// </summary>
public class SkipperContractTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string Json = "application/json; charset=utf-8";

    private const string Html = "text/html; charset=utf-8";

    // What a function returns when it runs; routes that must not call the function never answer this.
    private const string Marker = "function-was-called";

    private GranaryServer Server => fixture.Server;

    // C.2 "request → handler result → response", catch-all route (GET /string).
    [Theory]
    [InlineData("string", "return 'hello';", 200, Html, "hello", null, null)]
    [InlineData("object", "return { a: 1 };", 200, Json, """{"a":1}""", null, null)]
    [InlineData("array", "return [1, 2];", 200, Json, "[1,2]", null, null)]
    [InlineData("number", "return 42;", 200, Json, "42", null, null)]
    [InlineData("envelope with headers and an object body", "return { statusCode: 201, headers: { 'X-A': 'b', 'Content-Type': 'application/json' }, body: { processed: true } };", 201, Json, """{"processed":true}""", "X-A", "b")]
    [InlineData("envelope with a string body", "return { statusCode: 202, body: 'accepted' };", 202, Html, "accepted", null, null)]
    [InlineData("envelope 204", "return { statusCode: 204 };", 204, null, "", null, null)]
    [InlineData("envelope with body 0", "return { statusCode: 200, body: 0 };", 200, Html, "", null, null)]
    [InlineData("statusCode 0 is no envelope", "return { statusCode: 0, body: 'zero' };", 200, Json, """{"statusCode":0,"body":"zero"}""", null, null)]
    [InlineData("null", "return null;", 200, Json, """{"ok":true}""", null, null)]
    [InlineData("undefined", "return undefined;", 200, Json, """{"ok":true}""", null, null)]
    [InlineData("0", "return 0;", 200, Json, """{"ok":true}""", null, null)]
    [InlineData("false", "return false;", 200, Json, """{"ok":true}""", null, null)]
    [InlineData("throw new Error('boom')", "throw new Error('boom');", 500, Json, """{"error":"boom"}""", null, null)]
    [InlineData("throw 'str'", "throw 'str';", 500, Json, "{}", null, null)]
    [InlineData("rejected promise", "return Promise.reject(new Error('rejected'));", 500, Json, """{"error":"rejected"}""", null, null)]
    public async Task ACatchAllResultBecomesTheResponse(string row, string statements, int status, string? contentType, string body, string? header, string? headerValue)
    {
        var ws = GatewayFixture.Workspace();
        await DeployAsync(ws, "fn", $"async (event, context) => {{ {statements} }}");

        var response = await Server.Http.GetAsync($"/fn/default/{ws}/fn/string");

        Assert.Equal($"{row} → {status} | {contentType ?? "(none)"} | {body}", $"{row} → {await DescribeAsync(response)}");
        if (header is not null)
        {
            Assert.Equal(headerValue, HeaderValue(response, header));
        }
    }

    // C.2 "GET /echo?x=1&y=a&y=b": with Granary's signature the request arrives as the context, the event is the body.
    [Fact]
    public async Task TheCatchAllContextIsTheRequest()
    {
        var ws = GatewayFixture.Workspace();
        await DeployAsync(ws, "echo", "(event, context) => ({ event, method: context.method, path: context.path, query: context.query, header: context.headers['x-custom'], functionName: context.functionName, workspace: context.workspace, tenant: context.tenant, keys: Object.keys(context).sort() })");
        var request = new HttpRequestMessage(HttpMethod.Get, $"/fn/default/{ws}/echo/echo?x=1&y=a&y=b");
        request.Headers.Add("X-Custom", "custom-value");

        var response = await Server.Http.SendAsync(request);

        Assert.Equal(
            $$"""200 | {{Json}} | {"event":{},"method":"GET","path":"/echo","query":{"x":"1","y":["a","b"]},"header":"custom-value","functionName":"echo","workspace":"{{ws}}","tenant":"default","keys":["functionName","headers","method","path","query","tenant","workspace"]}""",
            await DescribeAsync(response));
    }

    // Granary's deviation on the catch-all route: JSON parsed, {} when empty, any other body as a string.
    [Theory]
    [InlineData("JSON object", "POST", "application/json", """{"id":42}""", """{"id":42}""")]
    [InlineData("JSON with charset", "POST", "application/json; charset=utf-8", """[1,2]""", "[1,2]")]
    [InlineData("+json type", "PUT", "application/vnd.api+json", """{"v":1}""", """{"v":1}""")]
    [InlineData("JSON string", "POST", "application/json", "\"just a string\"", "\"just a string\"")]
    [InlineData("text/plain", "POST", "text/plain", "plain text", "\"plain text\"")]
    [InlineData("no Content-Type", "POST", null, "raw", "\"raw\"")]
    [InlineData("empty body", "POST", null, null, "{}")]
    [InlineData("GET", "GET", null, null, "{}")]
    public async Task TheCatchAllEventIsTheBody(string row, string method, string? contentType, string? body, string expectedEvent)
    {
        var ws = GatewayFixture.Workspace();
        await DeployAsync(ws, "ev", "(event) => ({ event })");

        var response = await Server.Http.SendAsync(Request(new HttpMethod(method), $"/fn/default/{ws}/ev/p", contentType, body));

        Assert.Equal($"{row} → 200 | {Json} | {{\"event\":{expectedEvent}}}", $"{row} → {await DescribeAsync(response)}");
    }

    // C.2: bad JSON gets 400 before the handler runs.
    [Theory]
    [InlineData("/anything")]
    [InlineData("/event")]
    public async Task MalformedJsonIsRefusedWith400(string path)
    {
        var ws = GatewayFixture.Workspace();
        await DeployAsync(ws, "bad", $"() => '{Marker}'");

        var response = await Server.Http.SendAsync(Request(HttpMethod.Post, $"/fn/default/{ws}/bad{path}", "application/json", """{"a":"""));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(Marker, text, StringComparison.Ordinal);
    }

    // C.2: GET /health is the runtime's own route.
    [Fact]
    public async Task HealthAnswersOkWithoutCallingTheFunction()
    {
        var ws = GatewayFixture.Workspace();
        await DeployAsync(ws, "h", $"() => {{ console.log('called'); return '{Marker}'; }}");

        var response = await Server.Http.GetAsync($"/fn/default/{ws}/h/health");

        Assert.Equal($$"""200 | {{Json}} | {"ok":true}""", await DescribeAsync(response));
    }

    // C.2: "every other method and path (incl. GET /event, POST /health)" goes to the catch-all route, envelope rules included.
    [Theory]
    [InlineData("GET", "/event")]
    [InlineData("PUT", "/event")]
    [InlineData("POST", "/health")]
    [InlineData("DELETE", "/health")]
    public async Task OtherMethodsOnEventAndHealthGoToTheCatchAllRoute(string method, string path)
    {
        var ws = GatewayFixture.Workspace();
        await DeployAsync(ws, "routes", "(event, context) => ({ statusCode: 202, headers: { 'X-Route': context.method + ' ' + context.path }, body: 'accepted' })");

        var response = await Server.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/fn/default/{ws}/routes{path}"));

        Assert.Equal($"202 | {Html} | accepted", await DescribeAsync(response));
        Assert.Equal($"{method} {path}", HeaderValue(response, "X-Route"));
    }

    // C.2 / C.5: POST /event answers res.json(result || {ok:true}); the {statusCode,…} envelope is not unwrapped.
    [Theory]
    [InlineData("envelope is not unwrapped", "return { statusCode: 201, headers: { 'X-A': 'b' }, body: 'x' };", 200, """{"statusCode":201,"headers":{"X-A":"b"},"body":"x"}""")]
    [InlineData("object", "return { processed: true };", 200, """{"processed":true}""")]
    [InlineData("string is JSON", "return 'hello';", 200, "\"hello\"")]
    [InlineData("number", "return 42;", 200, "42")]
    [InlineData("null", "return null;", 200, """{"ok":true}""")]
    [InlineData("undefined", "return undefined;", 200, """{"ok":true}""")]
    [InlineData("0", "return 0;", 200, """{"ok":true}""")]
    [InlineData("false", "return false;", 200, """{"ok":true}""")]
    [InlineData("empty string", "return '';", 200, """{"ok":true}""")]
    [InlineData("throw new Error('boom')", "throw new Error('boom');", 500, """{"error":"boom"}""")]
    [InlineData("throw 'str'", "throw 'str';", 500, "{}")]
    public async Task AnEventResultIsAlwaysSentAsJson(string row, string statements, int status, string body)
    {
        var ws = GatewayFixture.Workspace();
        await DeployAsync(ws, "ev", $"async (event, context) => {{ {statements} }}");

        var response = await Server.Http.SendAsync(Request(HttpMethod.Post, $"/fn/default/{ws}/ev/event", "application/json", """{"id":42}"""));

        Assert.Equal($"{row} → {status} | {Json} | {body}", $"{row} → {await DescribeAsync(response)}");
    }

    // C.2 "POST /event {"id":42,"customer":"acme"}": event = the parsed body, context = {method, path, headers}.
    [Fact]
    public async Task AnEventDeliveryPassesTheBodyAndTheRequest()
    {
        var ws = GatewayFixture.Workspace();
        await DeployAsync(ws, "ev", "(event, context) => ({ event, method: context.method, path: context.path, contentType: context.headers['content-type'], poll: context.headers['x-poll'] })");
        var request = Request(HttpMethod.Post, $"/fn/default/{ws}/ev/event", "application/json", """{"id":42,"customer":"acme"}""");
        request.Headers.Add("X-Poll", "kipper-poll");

        var response = await Server.Http.SendAsync(request);

        Assert.Equal(
            $$"""200 | {{Json}} | {"event":{"id":42,"customer":"acme"},"method":"POST","path":"/event","contentType":"application/json","poll":"kipper-poll"}""",
            await DescribeAsync(response));
    }

    // C.2 "POST /event with text/plain body → event = {}" (Express 4's json parser leaves req.body = {}).
    [Theory]
    [InlineData("text/plain", "text/plain", "hello")]
    [InlineData("no Content-Type", null, "hello")]
    [InlineData("empty body", null, null)]
    public async Task ANonJsonEventBodyGivesAnEmptyObject(string row, string? contentType, string? body)
    {
        var ws = GatewayFixture.Workspace();
        await DeployAsync(ws, "ev", "(event) => ({ event, type: typeof event })");

        var response = await Server.Http.SendAsync(Request(HttpMethod.Post, $"/fn/default/{ws}/ev/event", contentType, body));

        Assert.Equal($$"""{{row}} → 200 | {{Json}} | {"event":{},"type":"object"}""", $"{row} → {await DescribeAsync(response)}");
    }

    // C.5: kipper-poll POSTs each event as JSON and counts a status below 400 as delivered; a throwing handler
    // answers 500, so the sidecar skips mark-done and the row comes back. No envelope is unwrapped.
    [Theory]
    [InlineData("postgres row", """{"id":42,"customer":"acme","amount":99.99,"status":"pending"}""", false, 200, """{"received":{"id":42,"customer":"acme","amount":99.99,"status":"pending"}}""")]
    [InlineData("redis non-JSON item", """{"data":"raw item"}""", false, 200, """{"received":{"data":"raw item"}}""")]
    [InlineData("redis JSON array item", "[1,2,3]", false, 200, """{"received":[1,2,3]}""")]
    [InlineData("handler throws", """{"id":43}""", true, 500, """{"error":"cannot process 43"}""")]
    public async Task APollDeliverySucceedsBelow400AndFailsWhenTheHandlerThrows(string row, string delivery, bool fail, int status, string body)
    {
        var ws = GatewayFixture.Workspace();
        await DeployAsync(ws, "poll", $"async (event) => {{ if ({(fail ? "true" : "false")}) throw new Error('cannot process ' + event.id); return {{ received: event }}; }}");

        var response = await Server.Http.SendAsync(Request(HttpMethod.Post, $"/fn/default/{ws}/poll/event", "application/json", delivery));

        Assert.Equal($"{row} → {status} | {Json} | {body}", $"{row} → {await DescribeAsync(response)}");
        Assert.Equal(!fail, (int)response.StatusCode < 400);
    }

    private async Task DeployAsync(string workspace, string name, string handler) =>
        await Server.DeployOkAsync(workspace, name, $"module.exports = {handler};");
}
