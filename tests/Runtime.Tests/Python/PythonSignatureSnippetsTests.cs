using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Functions;
using Granary.Runtime.Signatures.CustomCode;
using static Granary.Runtime.Tests.Python.PythonRunner;

namespace Granary.Runtime.Tests.Python;

/// <summary>
/// Custom Code workspace snippets written in Python (signature <c>snippets</c>): bodies with their parameters in
/// scope, siblings awaited by name, the call depth bound, the shared cache and its atomic helpers, and the answers
/// of the Custom Code API.
/// </summary>
public sealed class PythonSignatureSnippetsTests(PythonPoolFixture fixture) : IClassFixture<PythonPoolFixture>
{
    private static readonly JsonObject s_workspace = new()
    {
        ["hello"] = new JsonObject
        {
            ["code"] = "return \"Hello \" + name",
            ["parameters"] = new JsonObject { ["name"] = new JsonObject { ["type"] = "string", ["default"] = "you" } },
            ["language"] = "python",
        },
        ["add"] = new JsonObject
        {
            ["code"] = "return a + b",
            ["parameters"] = new JsonObject
            {
                ["a"] = new JsonObject { ["type"] = "integer" },
                ["b"] = new JsonObject { ["type"] = new JsonArray("number", "null"), ["default"] = 10 },
            },
            ["language"] = "python",
        },
        ["greetAll"] = new JsonObject
        {
            ["code"] = """
                first = await hello({"name": "A"})
                second = await hello(name="B")
                third = await hello()
                total = await add({"a": 1}, b=2)
                return [first, second, third, total]
                """,
            ["language"] = "python",
        },
        ["forever"] = new JsonObject { ["code"] = "return await forever()", ["language"] = "python" },
        ["counter"] = new JsonObject
        {
            ["code"] = """
                counter = cache.get("counter")
                counter = (counter or 0) + 1
                cache["counter"] = counter
                return counter
                """,
            ["language"] = "python",
        },
        ["reshape"] = new JsonObject
        {
            ["code"] = """
                cache["list"].append(3)
                del cache["gone"]
                cache["fresh"] = {"nested": [None, True]}
                return sorted(cache.keys())
                """,
            ["language"] = "python",
        },
        ["hits"] = new JsonObject
        {
            ["code"] = """
                first = await cache.incr("hits")
                second = await cache.incr("hits", 5)
                third = await cache.decr("hits", 2)
                return [first, second, third, cache["hits"]]
                """,
            ["language"] = "python",
        },
        ["boom"] = new JsonObject
        {
            ["code"] = """
                print("before the failure")
                cache["touched"] = 1
                x = {}
                return x["missing"]
                """,
            ["language"] = "python",
        },
        ["sleepy"] = new JsonObject
        {
            ["code"] = """
                import asyncio
                await asyncio.sleep(0.01)
                print("slept")
                return {"slept": True, "ratio": 0.5}
                """,
            ["language"] = "python",
        },
    };

    private static Func<FunctionSpec, FunctionSpec> Snippets => s => s with { Signature = FunctionSignatures.Snippets, Handler = "main" };

    private static string Module(JsonObject functions) => SnippetModule.CreatePython(functions);

    private static InvocationRequest Run(string name, string? body = null, string method = "POST") =>
        PythonSignatures.Request(method, "/run/" + name, body: body, headers: ("Content-Type", "application/json"));

    private async Task<ExecutionResult> RunAsync(string name, string? body = null, string? state = null, ISnippetCache? cache = null)
    {
        await using var function = Create(fixture.Pool, Module(s_workspace), Snippets, cache: cache);
        Assert.Null(await function.WarmUpAsync());
        return await function.InvokeAsync(Run(name, body), state);
    }

    [Fact]
    public async Task DeclaredParametersAreInScopeAndTheAnswerIsTheCustomCodeShape()
    {
        var result = await RunAsync("hello", """{"parameters":{"name":"world"}}""");

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("application/json; charset=utf-8", result.Header("Content-Type"));
        var body = result.JsonBody();
        Assert.Equal("Hello world", body.GetProperty("result").GetString());
        Assert.Equal(JsonValueKind.Array, body.GetProperty("logs").ValueKind);
        Assert.True(body.GetProperty("duration").GetDouble() >= 0);
        Assert.Null(result.StateChanges);
    }

    [Fact]
    public async Task ADecimalResultIsSentAsANumber()
    {
        var functions = new JsonObject { ["price"] = new JsonObject { ["code"] = "import decimal\nreturn decimal.Decimal(\"2.5\")", ["language"] = "python" } };
        await using var function = Create(fixture.Pool, Module(functions), Snippets);
        Assert.Null(await function.WarmUpAsync());

        var result = await function.InvokeAsync(Run("price"));

        Assert.Equal(200, result.StatusCode);
        Assert.Equal(2.5, result.JsonBody().GetProperty("result").GetDouble());
    }

    [Fact]
    public async Task AMissingParameterTakesItsDefaultElseNone()
    {
        var defaulted = await RunAsync("hello");
        var add = await RunAsync("add", """{"parameters":{"a":5}}""");

        Assert.Equal("Hello you", defaulted.JsonBody().GetProperty("result").GetString());
        Assert.Equal(15, add.JsonBody().GetProperty("result").GetInt32());
    }

    [Fact]
    public async Task AParameterOfTheWrongTypeIsRefusedWith400NamingIt()
    {
        var text = await RunAsync("hello", """{"parameters":{"name":5}}""");
        var union = await RunAsync("add", """{"parameters":{"a":1,"b":"x"}}""");
        var integral = await RunAsync("add", """{"parameters":{"a":2.0,"b":null}}""");

        Assert.Equal(400, text.StatusCode);
        Assert.Equal("{\"error\":\"RequestValidationError\",\"message\":\"request/body/parameters/name must be string\"}", text.Text());
        Assert.Equal("request/body/parameters/b must be number,null", union.JsonBody().GetProperty("message").GetString());
        Assert.Equal(500, integral.StatusCode);
        Assert.Equal("TypeError", integral.JsonBody().GetProperty("error").GetString());
    }

    [Fact]
    public async Task MalformedBodiesAreRefusedWith400()
    {
        var notJson = await RunAsync("hello", "{x");
        var notObject = await RunAsync("hello", "[1]");
        var badParameters = await RunAsync("hello", """{"parameters":null}""");

        Assert.Equal(400, notJson.StatusCode);
        Assert.StartsWith("request/body is not valid JSON", notJson.JsonBody().GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("request/body must be object", notObject.JsonBody().GetProperty("message").GetString());
        Assert.Equal("request/body/parameters must be object", badParameters.JsonBody().GetProperty("message").GetString());
    }

    [Fact]
    public async Task AnUnknownFunctionOrAnotherMethodIsObjectNotFound()
    {
        await using var function = Create(fixture.Pool, Module(s_workspace), Snippets);
        Assert.Null(await function.WarmUpAsync());

        var unknown = await function.InvokeAsync(Run("nope"));
        var get = await function.InvokeAsync(Run("hello", method: "GET"));

        Assert.Equal(404, unknown.StatusCode);
        Assert.Equal("{\"error\":\"ObjectNotFoundError\",\"message\":\"Object not found\",\"details\":{\"path\":\"/run/nope\"}}", unknown.Text());
        Assert.Equal(404, get.StatusCode);
        Assert.Equal("/run/hello", get.JsonBody().GetProperty("details").GetProperty("path").GetString());
    }

    [Fact]
    public async Task SiblingsAreAwaitedWithADictOrKeywordsAndGetTheirDefaults()
    {
        var result = await RunAsync("greetAll");

        Assert.Equal("[\"Hello A\",\"Hello B\",\"Hello you\",3]", result.JsonBody().GetProperty("result").GetRawText());
    }

    [Fact]
    public async Task CallsNestAtMost64Deep()
    {
        var result = await RunAsync("forever");

        Assert.Equal(500, result.StatusCode);
        var body = result.JsonBody();
        Assert.Equal("RecursionError", body.GetProperty("error").GetString());
        Assert.Equal("Maximum function call depth of 64 exceeded calling 'forever'", body.GetProperty("message").GetString());
        Assert.Equal(InvocationOutcomes.Error, result.Outcome);
    }

    [Fact]
    public async Task TheCacheStartsFromTheSnapshotAndTheChangedKeysComeBack()
    {
        var result = await RunAsync("counter", state: """{"counter":2,"other":"kept"}""");

        Assert.Equal(3, result.JsonBody().GetProperty("result").GetInt32());
        var changes = JsonNode.Parse(result.StateChanges!)!;
        Assert.Equal("{\"counter\":\"3\"}", changes["set"]!.ToJsonString());
        Assert.Empty(changes["deleted"]!.AsArray());
    }

    [Fact]
    public async Task NestedChangesAndDeletionsCountAndUnchangedKeysAreNotWritten()
    {
        var result = await RunAsync("reshape", state: """{"list":[1,2],"gone":true,"same":{"a":1}}""");

        Assert.Equal("[\"fresh\",\"list\",\"same\"]", result.JsonBody().GetProperty("result").GetRawText());
        var changes = JsonNode.Parse(result.StateChanges!)!;
        var set = changes["set"]!.AsObject();
        Assert.Equal("[1,2,3]", set["list"]!.GetValue<string>());
        Assert.Equal("{\"nested\":[null,true]}", set["fresh"]!.GetValue<string>());
        Assert.False(set.ContainsKey("same"));
        Assert.Equal("[\"gone\"]", changes["deleted"]!.ToJsonString());
    }

    [Fact]
    public async Task IncrAndDecrAreAppliedByTheWorkspaceCache()
    {
        var cache = new MemoryCache();
        cache.Values["hits"] = 10;

        var result = await RunAsync("hits", state: """{"hits":10}""", cache: cache);

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("[11,16,14,14]", result.JsonBody().GetProperty("result").GetRawText());
        Assert.Equal(14, cache.Values["hits"]);
        // The helpers' own results are the workspace's already: they are not written back as changes.
        Assert.Null(result.StateChanges);
    }

    [Fact]
    public async Task AnExceptionIsA500WithItsClassMessageAndLogsAndTheCacheChangesStillComeBack()
    {
        var result = await RunAsync("boom", state: "{}");

        Assert.Equal(500, result.StatusCode);
        var body = result.JsonBody();
        Assert.Equal("KeyError", body.GetProperty("error").GetString());
        Assert.Equal("'missing'", body.GetProperty("message").GetString());
        Assert.True(body.GetProperty("duration").GetDouble() >= 0);
        var logs = body.GetProperty("logs").EnumerateArray().ToList();
        Assert.Equal(2, logs.Count);
        Assert.Equal("before the failure", logs[0].GetProperty("message").GetString());
        Assert.Equal("log", logs[0].GetProperty("level").GetString());
        var logged = logs[1];
        Assert.Equal("error", logged.GetProperty("level").GetString());
        Assert.Contains("File \"<snippet boom>\", line 4, in boom", logged.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", logged.GetProperty("timestamp").GetString());
        Assert.Contains("before the failure", result.Messages());
        Assert.Equal("{\"set\":{\"touched\":\"1\"},\"deleted\":[]}", result.StateChanges);
    }

    [Fact]
    public async Task ABodyMayAwaitAsyncioAndItsPrintsComeBackInLogs()
    {
        var result = await RunAsync("sleepy");

        Assert.Equal(200, result.StatusCode);
        var body = result.JsonBody();
        Assert.Equal("{\"slept\":true,\"ratio\":0.5}", body.GetProperty("result").GetRawText());
        var line = Assert.Single(body.GetProperty("logs").EnumerateArray());
        Assert.Equal("log", line.GetProperty("level").GetString());
        Assert.Equal("slept", line.GetProperty("message").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", line.GetProperty("timestamp").GetString());
        Assert.Contains("slept", result.Messages());
    }

    [Fact]
    public async Task ASyntaxErrorNamesTheSnippetAndItsOwnLine()
    {
        var functions = new JsonObject
        {
            ["fine"] = new JsonObject { ["code"] = "return 1", ["language"] = "python" },
            ["broken"] = new JsonObject { ["code"] = "x = 1\ny = (2 +\nreturn x", ["language"] = "python" },
        };
        await using var function = Create(fixture.Pool, Module(functions), Snippets);

        var error = await function.WarmUpAsync();

        Assert.NotNull(error);
        Assert.Equal(CodeErrorKinds.Compile, error.Kind);
        Assert.Contains("(function 'broken', line 2)", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Line);
        Assert.NotNull(error.Column);
        var described = SnippetModule.DescribePython(error);
        Assert.Equal("CompilationError", described.Error);
        Assert.Equal("broken", described.Details!["function"]!.GetValue<string>());
        Assert.Equal(2, described.Details!["line"]!.GetValue<int>());
    }

    [Fact]
    public async Task AnIndentationErrorIsASyntaxErrorOfTheSnippetToo()
    {
        var functions = new JsonObject
        {
            ["indented"] = new JsonObject { ["code"] = "x = 1\n    return x", ["language"] = "python" },
        };
        await using var function = Create(fixture.Pool, Module(functions), Snippets);

        var error = await function.WarmUpAsync();

        Assert.NotNull(error);
        Assert.Equal(CodeErrorKinds.Compile, error.Kind);
        Assert.Contains("(function 'indented', line 2)", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public async Task RunsOfTheSameWorkerDoNotShareLocalsButSeeTheirOwnSnapshot()
    {
        await using var function = Create(fixture.Pool, Module(s_workspace), Snippets);
        Assert.Null(await function.WarmUpAsync());

        var first = await function.InvokeAsync(Run("counter"), """{"counter":5}""");
        var second = await function.InvokeAsync(Run("counter"), """{"counter":1}""");
        var none = await function.InvokeAsync(Run("counter"));

        Assert.Equal(6, first.JsonBody().GetProperty("result").GetInt32());
        Assert.Equal(2, second.JsonBody().GetProperty("result").GetInt32());
        Assert.Equal(1, none.JsonBody().GetProperty("result").GetInt32());
    }

    /// <summary>The workspace grain's atomic counters, in memory.</summary>
    private sealed class MemoryCache : ISnippetCache
    {
        public ConcurrentDictionary<string, double> Values { get; } = new();

        public Task<double> IncrementAsync(string key, double delta) => Task.FromResult(Values.AddOrUpdate(key, delta, (_, value) => value + delta));
    }
}
