using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Granary.Gateway.Tests.CustomCode;

/// <summary>
/// The Custom Code service's API against the real gateway: the seed document's walkthroughs word for word, then
/// the behaviour Granary defines where the document is silent (GET, DELETE, logs, errors, defaults, types).
/// </summary>
public sealed class CustomCodeApiTests(CustomCodeFixture fixture) : IClassFixture<CustomCodeFixture>
{
    private GranaryServer Server => fixture.Server;

    [Fact]
    public async Task SeedWalkthroughStoringHelloAnswersWithTheSameBodyAndRunningItSaysHelloWorld()
    {
        var ws = CustomCodeFixture.Workspace();
        const string Body = "{\n    \"functions\": {\n        \"hello\": {\n            \"code\": \"return \\\"Hello \\\" + name;\",\n            \"parameters\": {\n                \"name\": {\n                    \"type\": \"string\"\n                }\n            }\n        }\n    }\n}";

        var stored = await Server.Http.PostAsync($"/v2/functions/{ws}", new StringContent(Body, Encoding.UTF8, "application/json"));
        var run = await Server.Http.PostAsync($"/v2/functions/{ws}/run/hello", new StringContent("{\n    \"parameters\": {\n        \"name\": \"world\"\n    }\n}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        Assert.Equal(Body, await stored.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        var answer = JsonDocument.Parse(await run.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["result", "logs", "duration"], answer.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Hello world", answer.GetProperty("result").GetString());
        Assert.Empty(answer.GetProperty("logs").EnumerateArray());
        Assert.InRange(answer.GetProperty("duration").GetDouble(), 0, 1000);
    }

    [Fact]
    public async Task SeedSharedExecutionContextFuncBAwaitsFuncA()
    {
        var ws = CustomCodeFixture.Workspace();
        await Server.PutWorkspaceOkAsync(ws, new JsonObject
        {
            ["funcA"] = CustomCodeCalls.Snippet("  return \"world\";"),
            ["funcB"] = CustomCodeCalls.Snippet("  return \"hello \" + (await funcA());"),
        });

        Assert.Equal("hello world", (await Server.ResultAsync(ws, "funcB")).GetString());
    }

    [Fact]
    public async Task SeedSharedMemoryCounterCountsAcrossRunsAndFuncBReadsTheLatestValue()
    {
        var ws = CustomCodeFixture.Workspace();
        await Server.PutWorkspaceOkAsync(ws, new JsonObject
        {
            ["funcA"] = CustomCodeCalls.Snippet("let counter = cache['counter']\n\ncounter = (counter || 0) + 1\n\ncache['counter'] = counter;\n\nreturn counter;"),
            ["funcB"] = CustomCodeCalls.Snippet("  let counter = cache['counter'];\n  return \"Counter : \" + counter;"),
        });

        var counts = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            counts.Add((await Server.ResultAsync(ws, "funcA")).GetInt32());
        }

        Assert.Equal([1, 2, 3], counts);
        Assert.Equal("Counter : 3", (await Server.ResultAsync(ws, "funcB")).GetString());
    }

    [Fact]
    public async Task PutReplacesTheWholeFunctionsMapAndGetReturnsIt()
    {
        var ws = CustomCodeFixture.Workspace();
        await Server.PutWorkspaceOkAsync(ws, new JsonObject { ["old"] = CustomCodeCalls.Snippet("return 'old';") });
        var functions = new JsonObject { ["fresh"] = CustomCodeCalls.Snippet("return 'fresh ' + n;", ("n", "number")) };

        var replaced = await Server.Http.PutAsync($"/v2/functions/{ws}", new StringContent(new JsonObject { ["functions"] = functions.DeepClone() }.ToJsonString(), Encoding.UTF8, "application/json"));
        var stored = await Server.GetJsonAsync($"/v2/functions/{ws}");
        var (oldStatus, oldBody) = await Server.RunJsonAsync(ws, "old");

        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["functions"] = functions }, JsonNode.Parse(stored.GetRawText())), stored.GetRawText());
        Assert.Contains("\"return 'fresh ' + n;\"", stored.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("fresh 2", (await Server.ResultAsync(ws, "fresh", new { n = 2 })).GetString());
        Assert.Equal(404, oldStatus);
        Assert.Equal("{\"error\":\"ObjectNotFoundError\",\"message\":\"Object not found\",\"details\":{\"path\":\"/run/old\"}}", oldBody.GetRawText());
    }

    [Fact]
    public async Task DeleteRemovesTheFunctionsAndTheCache()
    {
        var ws = CustomCodeFixture.Workspace();
        var counter = new JsonObject { ["count"] = CustomCodeCalls.Snippet("cache.n = (cache.n || 0) + 1; return cache.n;") };
        await Server.PutWorkspaceOkAsync(ws, counter);
        await Server.ResultAsync(ws, "count");
        await Server.ResultAsync(ws, "count");

        var deleted = await Server.Http.DeleteAsync($"/v2/functions/{ws}");
        var (runStatus, _) = await Server.RunJsonAsync(ws, "count");
        var get = await Server.Http.GetAsync($"/v2/functions/{ws}");
        var again = await Server.Http.DeleteAsync($"/v2/functions/{ws}");
        await Server.PutWorkspaceOkAsync(ws, (JsonObject)counter.DeepClone());

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(404, runStatus);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal("ObjectNotFoundError", JsonDocument.Parse(await get.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(1, (await Server.ResultAsync(ws, "count")).GetInt32());
    }

    [Fact]
    public async Task UnknownWorkspaceOrFunctionIsObjectNotFoundNamingThePath()
    {
        var ws = CustomCodeFixture.Workspace();
        await Server.PutWorkspaceOkAsync(ws, new JsonObject { ["a"] = CustomCodeCalls.Snippet("return 1;") });

        var (noWorkspace, noWorkspaceBody) = await Server.RunJsonAsync(CustomCodeFixture.Workspace(), "hello");
        var (noFunction, noFunctionBody) = await Server.RunJsonAsync(ws, "missing");

        Assert.Equal(404, noWorkspace);
        Assert.Equal("{\"error\":\"ObjectNotFoundError\",\"message\":\"Object not found\",\"details\":{\"path\":\"/run/hello\"}}", noWorkspaceBody.GetRawText());
        Assert.Equal(404, noFunction);
        Assert.Equal("/run/missing", noFunctionBody.GetProperty("details").GetProperty("path").GetString());
    }

    [Theory]
    [InlineData("description")]
    [InlineData("timeout")]
    public async Task AFunctionFieldOtherThanCodeParametersAndLanguageIsRefusedAsTheSeedServiceDoes(string field)
    {
        var ws = CustomCodeFixture.Workspace();
        var hello = CustomCodeCalls.Snippet("return 1;");
        hello[field] = "x";

        var response = await Server.PutWorkspaceAsync(ws, new JsonObject { ["hello"] = hello });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(
            $"{{\"error\":\"RequestValidationError\",\"message\":\"request/body/functions/hello/{field} must NOT have additional properties\"}}",
            await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("{\"functions\":{},\"extra\":1}", "request/body/extra must NOT have additional properties")]
    [InlineData("{}", "request/body must have required property 'functions'")]
    [InlineData("{\"functions\":[]}", "request/body/functions must be object")]
    [InlineData("[1]", "request/body must be object")]
    [InlineData("{\"functions\":{\"f\":{\"parameters\":{}}}}", "request/body/functions/f must have required property 'code'")]
    [InlineData("{\"functions\":{\"f\":{\"code\":\"return 1\",\"language\":\"ruby\"}}}", "request/body/functions/f/language must be equal to one of the allowed values: nodejs, python")]
    [InlineData("{\"functions\":{\"f\":{\"code\":\"return 1\",\"parameters\":{\"x\":{\"type\":\"date\"}}}}}", "request/body/functions/f/parameters/x/type must be one of")]
    [InlineData("{\"functions\":{},\"dependencies\":{\"lodash\":4}}", "request/body/dependencies/lodash must be string")]
    public async Task MalformedWorkspacesAreRefusedWithTheFieldNamed(string body, string message)
    {
        var response = await Server.Http.PostAsync($"/v2/functions/{CustomCodeFixture.Workspace()}", new StringContent(body, Encoding.UTF8, "application/json"));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("RequestValidationError", error.GetProperty("error").GetString());
        Assert.StartsWith(message, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedJsonIsRefused()
    {
        var response = await Server.Http.PostAsync($"/v2/functions/{CustomCodeFixture.Workspace()}", new StringContent("{\"functions\": {", Encoding.UTF8, "application/json"));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("request/body is not valid JSON", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CodeThatDoesNotCompileIsRefusedNamingTheFunctionAndLineAndTheOldFunctionsKeepServing()
    {
        var ws = CustomCodeFixture.Workspace();
        await Server.PutWorkspaceOkAsync(ws, new JsonObject { ["ok"] = CustomCodeCalls.Snippet("return 'still here';") });

        var response = await Server.PutWorkspaceAsync(ws, new JsonObject
        {
            ["ok"] = CustomCodeCalls.Snippet("return 'still here';"),
            ["broken"] = CustomCodeCalls.Snippet("const a = 1;\n# not a comment\nreturn a;"),
        });
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("CompilationError", error.GetProperty("error").GetString());
        Assert.Equal("broken", error.GetProperty("details").GetProperty("function").GetString());
        Assert.Equal(2, error.GetProperty("details").GetProperty("line").GetInt32());
        Assert.Equal("still here", (await Server.ResultAsync(ws, "ok")).GetString());
    }

    [Fact]
    public async Task AMissingParameterTakesItsDefaultElseIsUndefined()
    {
        var ws = CustomCodeFixture.Workspace();
        var greet = CustomCodeCalls.Snippet("return [greeting, typeof name, name === undefined];", ("name", "string"));
        greet["parameters"]!["greeting"] = new JsonObject { ["type"] = "string", ["default"] = "hi", ["description"] = "tolerated" };
        await Server.PutWorkspaceOkAsync(ws, new JsonObject { ["greet"] = greet });

        var result = await Server.ResultAsync(ws, "greet");

        Assert.Equal("[\"hi\",\"undefined\",true]", result.GetRawText());
    }

    [Theory]
    [InlineData("string", "{\"name\":5}", "name")]
    [InlineData("number", "{\"name\":\"5\"}", "name")]
    [InlineData("boolean", "{\"name\":1}", "name")]
    [InlineData("object", "{\"name\":[1]}", "name")]
    public async Task AValueOfTheWrongDeclaredTypeIsRefusedNamingTheParameter(string type, string parameters, string name)
    {
        var ws = CustomCodeFixture.Workspace();
        await Server.PutWorkspaceOkAsync(ws, new JsonObject { ["f"] = CustomCodeCalls.Snippet("return name;", ("name", type)) });

        var response = await Server.Http.PostAsync($"/v2/functions/{ws}/run/f", new StringContent($"{{\"parameters\":{parameters}}}", Encoding.UTF8, "application/json"));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("RequestValidationError", error.GetProperty("error").GetString());
        Assert.Equal($"request/body/parameters/{name} must be {type}", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ConsoleLinesComeBackInLogsWithLevelMessageAndTime()
    {
        var ws = CustomCodeFixture.Workspace();
        await Server.PutWorkspaceOkAsync(ws, new JsonObject
        {
            ["f"] = CustomCodeCalls.Snippet("console.log('one', {a: 1}); console.info('two'); console.warn('three'); console.error('four'); return 1;"),
        });

        var (_, body) = await Server.RunJsonAsync(ws, "f");
        var logs = body.GetProperty("logs").EnumerateArray().ToList();

        Assert.Equal(["log", "info", "warn", "error"], logs.Select(l => l.GetProperty("level").GetString()));
        Assert.Equal(["one { a: 1 }", "two", "three", "four"], logs.Select(l => l.GetProperty("message").GetString()));
        Assert.All(logs, l => Assert.True(
            DateTimeOffset.TryParseExact(l.GetProperty("timestamp").GetString(), "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            && Math.Abs((DateTimeOffset.UtcNow - at).TotalMinutes) < 5,
            l.GetRawText()));
    }

    [Fact]
    public async Task AThrownErrorIs500WithItsNameMessageAndTheLogsSoFar()
    {
        var ws = CustomCodeFixture.Workspace();
        await Server.PutWorkspaceOkAsync(ws, new JsonObject
        {
            ["f"] = CustomCodeCalls.Snippet("console.log('before'); const x = null; return x.field;"),
        });

        var (status, body) = await Server.RunJsonAsync(ws, "f");

        Assert.Equal(500, status);
        Assert.Equal(["error", "message", "logs", "duration"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("TypeError", body.GetProperty("error").GetString());
        Assert.Contains("null", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("before", body.GetProperty("logs")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task ARunThatOutlivesTheTimeoutIs504AndTheWorkspaceKeepsServing()
    {
        var ws = CustomCodeFixture.Workspace();
        await Server.PutWorkspaceOkAsync(ws, new JsonObject
        {
            ["loop"] = CustomCodeCalls.Snippet("console.log('looping'); while (true) {}"),
            ["ok"] = CustomCodeCalls.Snippet("return 'ok';"),
        });

        var (status, body) = await Server.RunJsonAsync(ws, "loop");

        Assert.Equal(504, status);
        Assert.Equal("TimeoutError", body.GetProperty("error").GetString());
        Assert.True(body.TryGetProperty("logs", out _) && body.TryGetProperty("duration", out _), body.GetRawText());
        Assert.InRange(body.GetProperty("duration").GetDouble(), 3500, 20000);
        Assert.Equal("ok", (await Server.ResultAsync(ws, "ok")).GetString());
    }

    [Fact]
    public async Task AwaitWorksAtTheTopOfABody()
    {
        var ws = CustomCodeFixture.Workspace();
        await Server.PutWorkspaceOkAsync(ws, new JsonObject
        {
            ["f"] = CustomCodeCalls.Snippet("const v = await new Promise(r => setTimeout(() => r(n * 2), 5)); return v;", ("n", "number")),
        });

        Assert.Equal(42, (await Server.ResultAsync(ws, "f", new { n = 21 })).GetInt32());
    }

    [Fact]
    public async Task SiblingsReceiveParametersAsAnObjectWithTheirDefaults()
    {
        var ws = CustomCodeFixture.Workspace();
        var add = CustomCodeCalls.Snippet("return a + b;", ("a", "number"));
        add["parameters"]!["b"] = new JsonObject { ["type"] = "number", ["default"] = 100 };
        await Server.PutWorkspaceOkAsync(ws, new JsonObject
        {
            ["add"] = add,
            ["caller"] = CustomCodeCalls.Snippet("return [await add({ a: 1, b: 2 }), await add({ a: 1 })];"),
        });

        Assert.Equal("[3,101]", (await Server.ResultAsync(ws, "caller")).GetRawText());
    }

    [Fact]
    public async Task RecursionIsBoundedWithAClearError()
    {
        var ws = CustomCodeFixture.Workspace();
        await Server.PutWorkspaceOkAsync(ws, new JsonObject { ["forever"] = CustomCodeCalls.Snippet("return await forever();") });

        var (status, body) = await Server.RunJsonAsync(ws, "forever");

        Assert.Equal(500, status);
        Assert.Equal("RangeError", body.GetProperty("error").GetString());
        Assert.Contains("Maximum function call depth of 64 exceeded calling 'forever'", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentAtomicIncrementsAreNeverLost()
    {
        var ws = CustomCodeFixture.Workspace();
        await Server.PutWorkspaceOkAsync(ws, new JsonObject
        {
            ["incr"] = CustomCodeCalls.Snippet("return await cache.incr('hits');"),
            ["read"] = CustomCodeCalls.Snippet("return cache.hits;"),
        });

        // Four times the function's 10 places: every run queues behind others, and the queue's wait (this fixture's short
        // 4 s timeout) holds on a loaded machine, where 100 at once waited past a 2 s one in CI.
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Server.ResultAsync(ws, "incr")));

        Assert.Equal(Enumerable.Range(1, 40), results.Select(r => r.GetInt32()).Order());
        Assert.Equal(40, (await Server.ResultAsync(ws, "read")).GetInt32());
    }

    [Fact]
    public async Task ConcurrentPlainWritesLeaveEveryKeyWhole()
    {
        var ws = CustomCodeFixture.Workspace();
        await Server.PutWorkspaceOkAsync(ws, new JsonObject
        {
            ["write"] = CustomCodeCalls.Snippet("cache['k' + (i % 5)] = { by: i, items: [i, i, i] }; return i;", ("i", "integer")),
            ["dump"] = CustomCodeCalls.Snippet("return cache;"),
        });

        await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Server.ResultAsync(ws, "write", new { i })));
        var cache = await Server.ResultAsync(ws, "dump");

        // Last writer wins key by key: each key holds one whole value written for it, never a mix.
        Assert.Equal(["k0", "k1", "k2", "k3", "k4"], cache.EnumerateObject().Select(p => p.Name).Order());
        foreach (var entry in cache.EnumerateObject())
        {
            var by = entry.Value.GetProperty("by").GetInt32();
            Assert.Equal($"k{by % 5}", entry.Name);
            Assert.Equal([by, by, by], entry.Value.GetProperty("items").EnumerateArray().Select(e => e.GetInt32()));
        }
    }

    [Fact]
    public async Task DeletedKeysAndNestedChangesArePersistedBetweenRuns()
    {
        var ws = CustomCodeFixture.Workspace();
        await Server.PutWorkspaceOkAsync(ws, new JsonObject
        {
            ["setup"] = CustomCodeCalls.Snippet("cache.keep = { list: [1] }; cache.drop = 'x'; return 1;"),
            ["change"] = CustomCodeCalls.Snippet("cache.keep.list.push(2); delete cache.drop; return 1;"),
            ["dump"] = CustomCodeCalls.Snippet("return cache;"),
        });

        await Server.ResultAsync(ws, "setup");
        await Server.ResultAsync(ws, "change");

        Assert.Equal("{\"keep\":{\"list\":[1,2]}}", (await Server.ResultAsync(ws, "dump")).GetRawText());
    }

    [Fact]
    public async Task ACacheThatWouldOutgrowItsLimitRefusesTheRunsChanges()
    {
        var ws = CustomCodeFixture.Workspace();
        await Server.PutWorkspaceOkAsync(ws, new JsonObject
        {
            ["small"] = CustomCodeCalls.Snippet("cache.small = 'ok'; return 1;"),
            ["huge"] = CustomCodeCalls.Snippet($"cache.huge = 'x'.repeat({CustomCodeFixture.MaxCacheBytes * 2}); console.log('tried'); return 1;"),
            ["dump"] = CustomCodeCalls.Snippet("return Object.keys(cache);"),
        });
        await Server.ResultAsync(ws, "small");

        var (status, body) = await Server.RunJsonAsync(ws, "huge");

        Assert.Equal(500, status);
        Assert.Equal("CacheLimitError", body.GetProperty("error").GetString());
        Assert.Contains($"{CustomCodeFixture.MaxCacheBytes} bytes", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("tried", body.GetProperty("logs")[0].GetProperty("message").GetString());
        Assert.Equal("[\"small\"]", (await Server.ResultAsync(ws, "dump")).GetRawText());
    }

    [Fact]
    public async Task ARunBodyOverTheLimitIs413()
    {
        var ws = CustomCodeFixture.Workspace();
        await Server.PutWorkspaceOkAsync(ws, new JsonObject { ["f"] = CustomCodeCalls.Snippet("return 1;", ("s", "string")) });

        var response = await Server.RunAsync(ws, "f", new { s = new string('x', 70_000) });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("PayloadTooLargeError", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task SnippetsAreNotListedAmongTheWorkspacesFunctions()
    {
        var ws = CustomCodeFixture.Workspace().ToLowerInvariant().Replace('_', '-');
        await Server.PutWorkspaceOkAsync(ws, new JsonObject { ["f"] = CustomCodeCalls.Snippet("return 1;") });
        await Server.DeployOkAsync(ws, "plain", "module.exports = () => 1;");

        var list = await Server.GetJsonAsync($"/api/v1/tenants/default/workspaces/{ws}/functions");

        Assert.Equal(["plain"], list.GetProperty("functions").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
    }
}
