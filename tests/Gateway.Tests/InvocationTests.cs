using System.Net;
using System.Text;
using System.Text.Json;

namespace Granary.Gateway.Tests;

/// <summary>The invocation route against the real gateway: what reaches the function, what comes back, and the limits.</summary>
public sealed class InvocationTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string Echo = "module.exports = (event, context) => ({ event, method: context.method, path: context.path, query: context.query, header: context.headers['x-custom'] });";

    private GranaryServer Server => fixture.Server;

    [Fact]
    public async Task SubPathQueryHeadersAndBodyReachTheFunctionUnmodified()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "echo", Echo);
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/fn/default/{ws}/echo/orders/a%20b/7?x=1&y=a&y=b")
        {
            Content = new StringContent("{\"id\":42}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Custom", "custom-value");

        var response = await Server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            "{\"event\":{\"id\":42},\"method\":\"PATCH\",\"path\":\"/orders/a%20b/7\",\"query\":{\"x\":\"1\",\"y\":[\"a\",\"b\"]},\"header\":\"custom-value\"}",
            await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("POST", "/")]
    [InlineData("PUT", "/deep/er/path")]
    [InlineData("DELETE", "/x")]
    [InlineData("PATCH", "")]
    [InlineData("OPTIONS", "/o")]
    public async Task EveryMethodOnEveryPathReachesTheFunction(string method, string path)
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "any", "module.exports = (e, c) => c.method + ' ' + c.path;");

        var response = await Server.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/fn/default/{ws}/any{path}"));

        Assert.Equal($"{method} {(path.Length == 0 ? "/" : path)}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheResponseCarriesTheInvocationIdOfItsRecord()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "logged", "module.exports = (event) => { console.log('handling', event.n); console.warn('careful'); return { n: event.n }; };");

        var response = await Server.InvokeAsync(ws, "logged", "{\"n\":5}");
        var id = Assert.Single(response.Headers.GetValues("X-Granary-Invocation-Id"));
        var records = await Server.GetJsonAsync(GranaryServer.FunctionPath(ws, "logged") + "/invocations");

        var record = records.GetProperty("invocations").EnumerateArray().Single();
        Assert.Equal(id, record.GetProperty("id").GetString());
        Assert.Equal($"default/{ws}/logged", record.GetProperty("function").GetString());
        Assert.Equal(1, record.GetProperty("version").GetInt32());
        Assert.True(record.GetProperty("cold").GetBoolean());
        Assert.True(record.GetProperty("initMs").GetDouble() > 0);
        Assert.True(record.GetProperty("durationMs").GetDouble() >= 0);
        Assert.True(record.GetProperty("waitMs").GetDouble() >= 0);
        Assert.Equal(200, record.GetProperty("statusCode").GetInt32());
        Assert.Equal("ok", record.GetProperty("outcome").GetString());
        Assert.Equal(["log:handling 5", "warn:careful"], record.GetProperty("logs").EnumerateArray().Select(l => l.GetProperty("level").GetString() + ":" + l.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task OnlyTheFirstInvocationOfAnActivationIsCold()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "warm", "module.exports = () => 'ok';", new { maxConcurrency = 1 });

        await Server.InvokeAsync(ws, "warm");
        await Server.InvokeAsync(ws, "warm");
        var records = (await Server.GetJsonAsync(GranaryServer.FunctionPath(ws, "warm") + "/invocations")).GetProperty("invocations").EnumerateArray().ToList();

        Assert.Equal([false, true], records.Select(r => r.GetProperty("cold").GetBoolean()));
        Assert.Equal(0, records[0].GetProperty("initMs").GetDouble());
    }

    [Fact]
    public async Task ABodyOverTheLimitIs413AndNeverReachesTheFunction()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "sink", "module.exports = (e) => typeof e === 'string' ? e.length : 0;");

        var atLimit = await Server.Http.PostAsync($"/fn/default/{ws}/sink", new StringContent(new string('a', 65536), Encoding.UTF8, "text/plain"));
        var over = await Server.Http.PostAsync($"/fn/default/{ws}/sink", new StringContent(new string('a', 65537), Encoding.UTF8, "text/plain"));
        var records = (await Server.GetJsonAsync(GranaryServer.FunctionPath(ws, "sink") + "/invocations")).GetProperty("invocations");

        Assert.Equal("65536", await atLimit.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Equal("Request body too large", JsonDocument.Parse(await over.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString());
        Assert.Equal(1, records.GetArrayLength());
    }

    [Fact]
    public async Task AChunkedBodyOverTheLimitIs413()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "sink", "module.exports = () => 'ran';");
        var content = new StreamContent(new MemoryStream(new byte[70000]));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        var request = new HttpRequestMessage(HttpMethod.Post, $"/fn/default/{ws}/sink") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await Server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task BeyondConcurrencyAndTheQueueRequestsGet429()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "busy", "module.exports = () => new Promise(r => setTimeout(() => r('done'), 1500));", new { maxConcurrency = 1, maxInstances = 1 });

        // One runs, two queue (Granary:Limits:MaxQueueLength = 2 in this fixture), the rest are refused.
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Server.InvokeAsync(ws, "busy")));

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(3, refused.Count);
        Assert.All(refused, r => Assert.Equal("1", r.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task ALoopingFunctionGets504WhileOthersKeepBeingServed()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "loop", "module.exports = () => { while (true) {} };", new { timeoutSeconds = 2 });
        await Server.DeployOkAsync(ws, "ok", "module.exports = () => 'ok';");

        var looping = Server.InvokeAsync(ws, "loop");
        await Task.Delay(300);
        var other = await Server.InvokeAsync(ws, "ok");
        var timedOut = await looping;

        Assert.Equal("ok", await other.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.StatusCode);
        var problem = JsonDocument.Parse(await timedOut.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Function timed out", problem.GetProperty("title").GetString());
        var record = (await Server.GetJsonAsync(GranaryServer.FunctionPath(ws, "loop") + "/invocations")).GetProperty("invocations")[0];
        Assert.Equal("timeout", record.GetProperty("outcome").GetString());
        Assert.Equal(504, record.GetProperty("statusCode").GetInt32());
    }

    [Fact]
    public async Task AMemoryBombFailsCleanlyAndTheHostKeepsServing()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(
            ws,
            "bomb",
            "module.exports = (e) => { if (e.go) { const a = []; while (true) a.push(new Array(1000000).fill('test')); } return 'alive'; };",
            new { memoryLimitMb = 64, timeoutSeconds = 60 });

        var bomb = await Server.InvokeAsync(ws, "bomb", "{\"go\":true}");
        var again = await Server.InvokeAsync(ws, "bomb", "{\"go\":false}");

        Assert.Equal(HttpStatusCode.InternalServerError, bomb.StatusCode);
        Assert.Equal("Memory limit exceeded", JsonDocument.Parse(await bomb.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString());
        Assert.Equal("alive", await again.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await Server.Http.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task AThrowingFunctionAnswers500AndTheErrorIsRecorded()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "thrower", "module.exports = async () => { throw new Error('kaput'); };");

        var response = await Server.InvokeAsync(ws, "thrower");
        var record = (await Server.GetJsonAsync(GranaryServer.FunctionPath(ws, "thrower") + "/invocations")).GetProperty("invocations")[0];

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("{\"error\":\"kaput\"}", await response.Content.ReadAsStringAsync());
        Assert.Equal("error", record.GetProperty("outcome").GetString());
        Assert.Equal("Error: kaput", record.GetProperty("error").GetString());
    }

    [Fact]
    public async Task MalformedJsonToAFunctionIs400()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "json", "module.exports = (e) => e;");

        var response = await Server.InvokeAsync(ws, "json", "{not json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Malformed JSON body", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task AKymaFunctionGetsCloudEventFieldsAndTimesOutWith408()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(
            ws,
            "kyma",
            "module.exports = { main: async (event, context) => { if (event.data.wait) await new Promise(r => setTimeout(r, 5000)); return { type: event['ce-type'], fn: context['function-name'], data: event.data }; } };",
            new { signature = "kyma", timeoutSeconds = 1 });
        var request = new HttpRequestMessage(HttpMethod.Post, $"/fn/default/{ws}/kyma") { Content = new StringContent("{\"wait\":false}", Encoding.UTF8, "application/json") };
        request.Headers.Add("ce-specversion", "1.0");
        request.Headers.Add("ce-type", "order.created");
        request.Headers.Add("ce-source", "/shop");
        request.Headers.Add("ce-id", "1");

        var response = await Server.Http.SendAsync(request);
        var slow = await Server.InvokeAsync(ws, "kyma", "{\"wait\":true}");

        Assert.Equal("{\"type\":\"order.created\",\"fn\":\"kyma\",\"data\":{\"wait\":false}}", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.RequestTimeout, slow.StatusCode);
    }

    [Fact]
    public async Task ABinaryResponseIsWrittenByteForByte()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "bytes", "module.exports = () => ({ statusCode: 200, headers: { 'Content-Type': 'image/png' }, body: Buffer.from([137, 80, 78, 71, 0, 255]) });");

        var response = await Server.InvokeAsync(ws, "bytes");

        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(new byte[] { 137, 80, 78, 71, 0, 255 }, await response.Content.ReadAsByteArrayAsync());
    }
}
