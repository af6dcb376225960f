using System.Net;
using System.Text;
using System.Text.Json;

namespace Granary.Gateway.Tests.Contracts;

/// <summary>The Functions Framework contract's rules beyond the conformance vectors, against the real gateway.</summary>
public class FunctionsFrameworkContractTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string ReceivedCloudEvent = "exports.fn = (ce) => ce;";

    private GranaryServer Server => fixture.Server;

    private static HttpRequestMessage Binary(string path, string type = "com.example.test", string body = "{\"a\":1}", params (string Name, string Value)[] extra)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Content.Headers.ContentType!.CharSet = null;
        request.Headers.Add("ce-specversion", "1.0");
        request.Headers.Add("ce-id", "id-1");
        request.Headers.Add("ce-source", "//example.com/source");
        request.Headers.Add("ce-type", type);
        foreach (var (name, value) in extra)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    private static HttpRequestMessage Structured(string path, string json, string contentType = "application/cloudevents+json") =>
        new(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, contentType) };

    private async Task<string> DeployAsync(string code, string signature, object? extra = null)
    {
        var ws = GatewayFixture.Workspace();
        var settings = new Dictionary<string, object?> { ["signature"] = signature, ["handler"] = "fn" };
        if (extra is not null)
        {
            foreach (var p in JsonSerializer.SerializeToElement(extra).EnumerateObject())
            {
                settings[p.Name] = p.Value;
            }
        }

        await Server.DeployOkAsync(ws, "f", code, settings);
        return $"/fn/default/{ws}/f";
    }

    [Theory]
    [InlineData("GET", "/robots.txt")]
    [InlineData("POST", "/favicon.ico")]
    [InlineData("GET", "/robots.txt/deeper")]
    public async Task RobotsAndFaviconAre404WithoutCallingAnHttpFunction(string method, string path)
    {
        var url = await DeployAsync("exports.fn = (req, res) => { console.log('called'); res.send('called'); };", "http");

        var response = await Server.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), url + path));
        var record = (await Server.GetJsonAsync(url.Replace("/fn/default/", "/api/v1/tenants/default/workspaces/", StringComparison.Ordinal).Replace("/f", "/functions/f", StringComparison.Ordinal) + "/invocations")).GetProperty("invocations")[0];

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(0, record.GetProperty("logs").GetArrayLength());
    }

    [Fact]
    public async Task EveryOtherMethodAndPathReachesAnHttpFunctionUnmodified()
    {
        var url = await DeployAsync("exports.fn = (req, res) => res.json({ method: req.method, path: req.path, url: req.url, q: req.query.q, h: req.get('x-h'), body: req.body, raw: req.rawBody ? req.rawBody.toString() : null });", "http");
        var request = new HttpRequestMessage(HttpMethod.Put, url + "/a/b?q=1") { Content = new StringContent("{\"k\":[1,2]}", Encoding.UTF8, "application/json") };
        request.Headers.Add("X-H", "v");

        var response = await Server.Http.SendAsync(request);

        Assert.Equal("{\"method\":\"PUT\",\"path\":\"/a/b\",\"url\":\"/a/b?q=1\",\"q\":\"1\",\"h\":\"v\",\"body\":{\"k\":[1,2]},\"raw\":\"{\\\"k\\\":[1,2]}\"}", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("exports.fn = (req, res) => res.json({ ok: true });", 200)]
    [InlineData("exports.fn = (req, res) => { throw new Error('boom'); };", 500)]
    [InlineData("exports.fn = (req, res) => res.status(404).send('nope');", 404)]
    public async Task NoResponseCarriesAnETagOrXPoweredBy(string code, int status)
    {
        var url = await DeployAsync(code, "http");

        var response = await Server.Http.GetAsync(url);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Null(response.Headers.ETag);
        Assert.False(response.Headers.Contains("X-Powered-By"));
    }

    [Theory]
    [InlineData("exports.fn = (req, res) => { throw new Error('sync crash'); };", "sync crash")]
    [InlineData("exports.fn = async (req, res) => { await null; throw new Error('async crash'); };", "async crash")]
    [InlineData("exports.fn = (req, res) => { setTimeout(() => {}, 10); return Promise.reject('rejected'); };", "rejected")]
    public async Task AnHttpFunctionThatThrowsAnswers500Crash(string code, string message)
    {
        var url = await DeployAsync(code, "http");

        var response = await Server.Http.GetAsync(url);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("crash", response.Headers.GetValues("X-Google-Status").Single());
        Assert.Equal(message, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnHttpFunctionMayEndItsResponseLater()
    {
        var url = await DeployAsync("exports.fn = (req, res) => { setTimeout(() => { res.status(201); res.write('a'); res.end('b'); }, 50); };", "http");

        var response = await Server.Http.GetAsync(url);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("ab", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnHttpFunctionThatNeverAnswersTimesOutWith504()
    {
        var url = await DeployAsync("exports.fn = (req, res) => {};", "http", new { timeoutSeconds = 1 });

        var response = await Server.Http.GetAsync(url);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
    }

    [Theory]
    [InlineData("cloudevent", "exports.fn = (ce) => { throw 'I crashed'; };")]
    [InlineData("event", "exports.fn = (data, context) => { throw 'I crashed'; };")]
    [InlineData("cloudevent", "exports.fn = async (ce) => { throw new Error('I crashed'); };")]
    [InlineData("event", "exports.fn = (data, context, callback) => { callback(new Error('I crashed')); };")]
    public async Task AnEventFunctionThatFailsAnswers500Error(string signature, string code)
    {
        var url = await DeployAsync(code, signature);

        var response = await Server.Http.SendAsync(Binary(url));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("error", response.Headers.GetValues("X-Google-Status").Single());
        Assert.Equal("I crashed", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("undefined", 204, null, "")]
    [InlineData("null", 204, null, "")]
    [InlineData("42", 200, "application/json", "42")]
    [InlineData("'text'", 200, "text/html", "text")]
    [InlineData("({ a: 1 })", 200, "application/json", "{\"a\":1}")]
    public async Task AnEventFunctionsResultIsSentAsTheNodeFrameworkSendsIt(string value, int status, string? mediaType, string body)
    {
        var ce = await DeployAsync($"exports.fn = (ce) => {value};", "cloudevent");
        var legacy = await DeployAsync($"exports.fn = async (data, context) => {value};", "event");

        foreach (var url in new[] { ce, legacy })
        {
            var response = await Server.Http.SendAsync(Binary(url));

            Assert.Equal(status, (int)response.StatusCode);
            Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(body, await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task ACallbackStyleCloudEventFunctionAnswersThroughItsCallback()
    {
        var url = await DeployAsync("exports.fn = (ce, callback) => setTimeout(() => callback(null, { id: ce.id }), 10);", "cloudevent");

        var response = await Server.Http.SendAsync(Binary(url));

        Assert.Equal("{\"id\":\"id-1\"}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ABinaryCloudEventHasItsAttributesExtensionsAndDataContentType()
    {
        var url = await DeployAsync(ReceivedCloudEvent, "cloudevent");

        var response = await Server.Http.SendAsync(Binary(url, extra: [("ce-subject", "s"), ("ce-time", "2020-09-29T11:32:00.123Z"), ("ce-myext", "x1")]));
        var ce = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal("1.0", ce.GetProperty("specversion").GetString());
        Assert.Equal("id-1", ce.GetProperty("id").GetString());
        Assert.Equal("s", ce.GetProperty("subject").GetString());
        Assert.Equal("2020-09-29T11:32:00.123Z", ce.GetProperty("time").GetString());
        Assert.Equal("x1", ce.GetProperty("myext").GetString());
        Assert.Equal("application/json", ce.GetProperty("datacontenttype").GetString());
        Assert.Equal(1, ce.GetProperty("data").GetProperty("a").GetInt32());
    }

    [Fact]
    public async Task AStructuredCloudEventIsDecodedWithBase64DataAsBytes()
    {
        var url = await DeployAsync("exports.fn = (ce) => ({ type: ce.type, isBuffer: Buffer.isBuffer(ce.data), text: ce.data.toString(), hasBase64: 'data_base64' in ce });", "cloudevent");

        var response = await Server.Http.SendAsync(Structured(url, "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t.structured\",\"datacontenttype\":\"application/octet-stream\",\"data_base64\":\"aGVsbG8=\"}"));

        Assert.Equal("{\"type\":\"t.structured\",\"isBuffer\":true,\"text\":\"hello\",\"hasBase64\":false}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheTraceparentHeaderBecomesTheTraceparentExtension()
    {
        const string traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        var url = await DeployAsync("exports.fn = (ce) => ({ traceparent: ce.traceparent });", "cloudevent");

        var binary = await Server.Http.SendAsync(Binary(url, extra: [("traceparent", traceparent), ("ce-traceparent", "00-ignored-00")]));
        var structuredRequest = Structured(url, "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\"}");
        structuredRequest.Headers.Add("traceparent", traceparent);
        var structured = await Server.Http.SendAsync(structuredRequest);

        // The trace continues: the same trace id and sampled flag, the parent now the span the invocation runs in.
        foreach (var response in new[] { binary, structured })
        {
            var seen = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("traceparent").GetString()!;
            Assert.Matches("^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$", seen);
            Assert.NotEqual("0000000000000000", seen[36..52]);
        }
    }

    [Theory]
    [InlineData("missing id", "{\"specversion\":\"1.0\",\"source\":\"/s\",\"type\":\"t\"}", "application/cloudevents+json")]
    [InlineData("wrong specversion", "{\"specversion\":\"0.2\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\"}", "application/cloudevents+json")]
    [InlineData("bad time", "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"time\":\"yesterday\"}", "application/cloudevents+json")]
    [InlineData("object extension", "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"ext\":{\"a\":1}}", "application/cloudevents+json")]
    [InlineData("non-alphanumeric extension", "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"my_ext\":\"x\"}", "application/cloudevents+json")]
    [InlineData("batch mode", "[{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\"}]", "application/cloudevents-batch+json")]
    [InlineData("not an event", "just text", "text/plain")]
    public async Task AMalformedStructuredCloudEventIs400WithAReason(string why, string body, string contentType)
    {
        var url = await DeployAsync("exports.fn = (ce) => { console.log('called'); return 'called'; };", "cloudevent");

        var response = await Server.Http.SendAsync(Structured(url, body, contentType));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{why}: {(int)response.StatusCode} {text}");
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), why);
    }

    [Theory]
    [InlineData("missing source", "ce-source", null, null)]
    [InlineData("wrong specversion", "ce-specversion", "0.2", null)]
    [InlineData("bad time", null, null, "ce-time")]
    [InlineData("non-alphanumeric extension", null, null, "ce-my_ext")]
    public async Task AMalformedBinaryCloudEventIs400WithAReason(string why, string? removed, string? specVersion, string? added)
    {
        var url = await DeployAsync(ReceivedCloudEvent, "cloudevent");
        var request = Binary(url);
        if (removed is not null)
        {
            request.Headers.Remove(removed);
        }

        if (specVersion is not null)
        {
            request.Headers.TryAddWithoutValidation("ce-specversion", specVersion);
        }

        if (added is not null)
        {
            request.Headers.TryAddWithoutValidation(added, added == "ce-time" ? "not-a-time" : "x");
        }

        var response = await Server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{why}: {(int)response.StatusCode} {text}");
        Assert.Equal("Malformed CloudEvent", JsonDocument.Parse(text).RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task ARawPubSubPushBodyBecomesAPubSubCloudEvent()
    {
        var url = await DeployAsync(ReceivedCloudEvent, "cloudevent");
        var push = "{\"subscription\":\"projects/p/subscriptions/s\",\"message\":{\"data\":\"aGk=\",\"messageId\":\"m1\",\"publishTime\":\"2021-01-01T00:00:00.000Z\",\"attributes\":{\"k\":\"v\"}}}";

        var response = await Server.Http.PostAsync(url + "/projects/p/topics/t", new StringContent(push, Encoding.UTF8, "application/json"));
        var ce = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal("google.cloud.pubsub.topic.v1.messagePublished", ce.GetProperty("type").GetString());
        Assert.Equal("//pubsub.googleapis.com/projects/p/topics/t", ce.GetProperty("source").GetString());
        Assert.Equal("m1", ce.GetProperty("id").GetString());
        Assert.Equal("aGk=", ce.GetProperty("data").GetProperty("message").GetProperty("data").GetString());
    }

    [Theory]
    [InlineData("cloudevent")]
    [InlineData("event")]
    public async Task EventFunctionsAcceptPostOnly(string signature)
    {
        var url = await DeployAsync(signature == "event" ? "exports.fn = (d, c) => 'called';" : ReceivedCloudEvent, signature);

        var response = await Server.Http.GetAsync(url);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task AFunctionRegisteredInCodeChoosesItsOwnSignature()
    {
        var url = await DeployAsync("const functions = require('@google-cloud/functions-framework');\nfunctions.cloudEvent('fn', (ce) => ({ registered: ce.type }));\nexports.fn = (req, res) => res.send('export');", "http");

        var response = await Server.Http.SendAsync(Binary(url, type: "declared.type"));

        Assert.Equal("{\"registered\":\"declared.type\"}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ALegacyEventFunctionGetsDataAndContext()
    {
        var url = await DeployAsync("exports.fn = (data, context) => ({ data, context });", "event");
        var legacy = "{\"eventId\":\"e1\",\"timestamp\":\"2020-09-29T11:32:00.123Z\",\"eventType\":\"providers/cloud.firestore/eventTypes/document.write\",\"resource\":\"projects/p/databases/(default)/documents/c/d\",\"data\":{\"x\":null,\"y\":{}}}";

        var response = await Server.Http.PostAsync(url, new StringContent(legacy, Encoding.UTF8, "application/json"));

        Assert.Equal(
            "{\"data\":{\"x\":null,\"y\":{}},\"context\":{\"eventId\":\"e1\",\"timestamp\":\"2020-09-29T11:32:00.123Z\",\"eventType\":\"providers/cloud.firestore/eventTypes/document.write\",\"resource\":\"projects/p/databases/(default)/documents/c/d\"}}",
            await response.Content.ReadAsStringAsync());
    }
}
