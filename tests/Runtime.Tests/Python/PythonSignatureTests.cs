using System.Net.Sockets;
using System.Net;
using System.Text.Json;
using System.Text;
using Granary.Functions;
using Granary.Runtime.Signatures.CustomCode;
using Granary.Runtime.Workers;
using static Granary.Runtime.Tests.Python.PythonRunner;

namespace Granary.Runtime.Tests.Python;

/// <summary>Runs Python code under a signature in a real worker, as the signature tests need it.</summary>
internal static class PythonSignatures
{
    public static async Task<ExecutionResult> RunAsync(
        WorkerPool pool,
        string code,
        InvocationRequest? request = null,
        Func<FunctionSpec, FunctionSpec>? configure = null,
        string? state = null,
        ISnippetCache? cache = null)
    {
        await using var function = Create(pool, code, configure, cache: cache);
        var error = await function.WarmUpAsync();
        Assert.Null(error);
        return await function.InvokeAsync(request ?? Request(), state);
    }

    public static async Task<CodeError?> LoadErrorAsync(WorkerPool pool, string code, Func<FunctionSpec, FunctionSpec>? configure = null)
    {
        await using var function = Create(pool, code, configure);
        return await function.WarmUpAsync();
    }

    public static InvocationRequest Request(string method = "GET", string path = "/", string query = "", string? body = null, params (string Name, string Value)[] headers) =>
        JavaScript.FunctionRunner.Request(method, path, query, body, headers);

    public static InvocationRequest PostJson(string json, string path = "/") =>
        Request("POST", path, body: json, headers: ("Content-Type", "application/json"));

    public static Func<FunctionSpec, FunctionSpec> Signature(string signature, Func<FunctionSpec, FunctionSpec>? more = null) =>
        s => (more ?? (x => x))(s with { Signature = signature });
}

/// <summary>
/// The <c>handler</c> (Kipper's Python runtime) and <c>kyma</c> (Kyma's python312 runtime) signatures in real CPython
/// workers: the arguments each runtime passes and the response each makes of the result.
/// </summary>
public sealed class PythonSignatureTests(PythonPoolFixture fixture) : IClassFixture<PythonPoolFixture>
{
    private Task<ExecutionResult> RunAsync(string code, InvocationRequest? request = null, Func<FunctionSpec, FunctionSpec>? configure = null) =>
        PythonSignatures.RunAsync(fixture.Pool, code, request, configure);

    private Task<ExecutionResult> RunKymaAsync(string code, InvocationRequest? request = null, Func<FunctionSpec, FunctionSpec>? configure = null) =>
        PythonSignatures.RunAsync(fixture.Pool, code, request, PythonSignatures.Signature(FunctionSignatures.Kyma, s => (configure ?? (x => x))(s with { TimeoutSeconds = 5 })));

    // ---- handler -------------------------------------------------------------------------------------------

    [Fact]
    public async Task HandlerAStringIsSentAsHtml()
    {
        var result = await RunAsync("""
            def main(event, context=None):
                return "hello " + context["method"]
            """);

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("text/html; charset=utf-8", result.Header("Content-Type"));
        Assert.Equal("hello GET", result.Text());
        Assert.Equal(InvocationOutcomes.Ok, result.Outcome);
    }

    [Fact]
    public async Task HandlerADictIsSentAsJsonWithPythonsSpacing()
    {
        var result = await RunAsync("""
            def main(event, context=None):
                return {"got": event["n"] * 2, "list": [1, "a"]}
            """, PythonSignatures.PostJson("""{"n":21}"""));

        Assert.Equal("application/json; charset=utf-8", result.Header("Content-Type"));
        Assert.Equal("{\"got\": 42, \"list\": [1, \"a\"]}", result.Text());
    }

    [Fact]
    public async Task HandlerTheHandlerSettingNamesTheFunction()
    {
        var result = await RunAsync("""
            def main(event, context):
                return "main"

            def other(event, context):
                return "other"
            """, configure: s => s with { Handler = "other" });

        Assert.Equal("other", result.Text());
    }

    [Fact]
    public async Task HandlerWithoutTheNamedFunctionKippersHandlerHandleMainOrderApplies()
    {
        var result = await RunAsync("""
            def handle(event, context=None):
                return "handle"

            def main(event, context=None):
                return "main"
            """, configure: s => s with { Handler = "process" });

        Assert.Equal("handle", result.Text());
    }

    [Fact]
    public async Task HandlerAModuleWithoutTheFunctionIsALoadErrorNamingIt()
    {
        var error = await PythonSignatures.LoadErrorAsync(fixture.Pool, """
            def helper():
                pass
            """, s => s with { Handler = "process" });

        Assert.NotNull(error);
        Assert.Equal("handler", error.Kind);
        Assert.Contains("'process'", error.Message, StringComparison.Ordinal);
        Assert.Contains("helper", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandlerAFunctionWithFewerParametersIsCalledWithWhatItTakes()
    {
        var one = await RunAsync("""
            def main(event):
                return {"event": event}
            """, PythonSignatures.PostJson("""{"a":1}"""));
        var none = await RunAsync("""
            def main():
                return "no arguments"
            """);

        Assert.Equal("{\"event\": {\"a\": 1}}", one.Text());
        Assert.Equal("no arguments", none.Text());
    }

    [Fact]
    public async Task HandlerAnAsyncFunctionIsAwaited()
    {
        var result = await RunAsync("""
            import asyncio

            async def main(event, context):
                await asyncio.sleep(0.01)
                return {"async": True}
            """);

        Assert.Equal("{\"async\": true}", result.Text());
    }

    [Fact]
    public async Task HandlerAnEnvelopeWithStatusCodeSetsStatusHeadersAndBody()
    {
        var result = await RunAsync("""
            def main(event, context):
                return {
                    "statusCode": 201,
                    "headers": {"X-A": "b", "Content-Type": "application/json"},
                    "body": {"processed": True},
                }
            """);

        Assert.Equal(201, result.StatusCode);
        Assert.Equal("b", result.Header("X-A"));
        Assert.Equal("application/json; charset=utf-8", result.Header("Content-Type"));
        Assert.Equal("{\"processed\": true}", result.Text());
    }

    [Fact]
    public async Task HandlerAnEnvelopeWithAStringBodyIsHtmlAndA204HasNoBody()
    {
        var accepted = await RunAsync("""
            def main(event, context):
                return {"statusCode": 202, "body": "accepted"}
            """);
        var empty = await RunAsync("""
            def main(event, context):
                return {"statusCode": 204, "body": "dropped"}
            """);

        Assert.Equal(202, accepted.StatusCode);
        Assert.Equal("text/html; charset=utf-8", accepted.Header("Content-Type"));
        Assert.Equal("accepted", accepted.Text());
        Assert.Equal(204, empty.StatusCode);
        Assert.Null(empty.Header("Content-Type"));
        Assert.Equal(0, empty.Body.Length);
    }

    [Fact]
    public async Task HandlerAZeroStatusCodeIsNotAnEnvelope()
    {
        var result = await RunAsync("""
            def main(event, context):
                return {"statusCode": 0, "body": "zero"}
            """);

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("{\"statusCode\": 0, \"body\": \"zero\"}", result.Text());
    }

    [Fact]
    public async Task HandlerABytesBodyIsSentAsOctetStream()
    {
        var result = await RunAsync("""
            def main(event, context):
                return {"statusCode": 200, "body": bytes([0, 1, 2, 250, 251, 255])}
            """);

        Assert.Equal("application/octet-stream", result.Header("Content-Type"));
        Assert.Equal(new byte[] { 0, 1, 2, 250, 251, 255 }, result.Body.ToArray());
    }

    [Theory]
    [InlineData("None")]
    [InlineData("0")]
    [InlineData("False")]
    [InlineData("[]")]
    [InlineData("{}")]
    public async Task HandlerAFalsyResultIsSentAsOkTrue(string value)
    {
        var result = await RunAsync($"def main(event, context):\n    return {value}\n");

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("{\"ok\": true}", result.Text());
    }

    [Fact]
    public async Task HandlerAnExceptionAnswers500WithItsMessageAndIsLoggedWithItsLine()
    {
        var result = await RunAsync("""
            def main(event, context):
                x = 1
                raise ValueError("boom")
            """);

        Assert.Equal(500, result.StatusCode);
        Assert.Equal("application/json; charset=utf-8", result.Header("Content-Type"));
        Assert.Equal("{\"error\": \"boom\"}", result.Text());
        Assert.Equal(InvocationOutcomes.Error, result.Outcome);
        Assert.Contains("ValueError", result.Error, StringComparison.Ordinal);
        var logged = Assert.Single(result.Logs, l => l.Level == "error" && l.Message.Contains("ValueError: boom", StringComparison.Ordinal));
        Assert.Contains("line 3, in main", logged.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("granary_adapters", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandlerAResultJsonCannotWriteIsA500NamingTheType()
    {
        var result = await RunAsync("""
            def main(event, context):
                return {1, 2}
            """);

        Assert.Equal(500, result.StatusCode);
        Assert.Equal("{\"error\": \"Object of type set is not JSON serializable\"}", result.Text());
    }

    [Fact]
    public async Task HandlerTheEventFollowsTheBody()
    {
        const string code = """
            def main(event, context):
                return {"type": type(event).__name__, "value": event}
            """;

        var json = await RunAsync(code, PythonSignatures.PostJson("""{"id":42,"customer":"acme"}"""));
        var vendorJson = await RunAsync(code, PythonSignatures.Request("POST", body: "[1,2]", headers: ("Content-Type", "application/vnd.api+json")));
        var text = await RunAsync(code, PythonSignatures.Request("POST", body: "plain text", headers: ("Content-Type", "text/plain")));
        var empty = await RunAsync(code);

        Assert.Equal("{\"type\": \"dict\", \"value\": {\"id\": 42, \"customer\": \"acme\"}}", json.Text());
        Assert.Equal("{\"type\": \"list\", \"value\": [1, 2]}", vendorJson.Text());
        Assert.Equal("{\"type\": \"str\", \"value\": \"plain text\"}", text.Text());
        Assert.Equal("{\"type\": \"dict\", \"value\": {}}", empty.Text());
    }

    [Fact]
    public async Task HandlerMalformedJsonIsRefusedWith400BeforeTheFunctionRuns()
    {
        var result = await RunAsync("""
            def main(event, context):
                print("ran")
                return "ran"
            """, PythonSignatures.PostJson("""{"id": 4"""));

        Assert.Equal(400, result.StatusCode);
        Assert.Equal("application/problem+json", result.Header("Content-Type"));
        Assert.Equal("Malformed JSON body", result.JsonBody().GetProperty("title").GetString());
        Assert.Equal(InvocationOutcomes.BadRequest, result.Outcome);
        Assert.DoesNotContain("ran", result.Messages());
    }

    [Fact]
    public async Task HandlerTheContextCarriesTheRequestAndTheFunctionIdentity()
    {
        var result = await RunAsync("""
            def main(event, context):
                return context
            """, PythonSignatures.Request("PUT", "/orders/7", "?x=1&y=a&y=b", "{}", ("Content-Type", "application/json"), ("X-Trace", "t1")));

        var context = result.JsonBody();
        Assert.Equal("PUT", context.GetProperty("method").GetString());
        Assert.Equal("/orders/7", context.GetProperty("path").GetString());
        Assert.Equal("1", context.GetProperty("query").GetProperty("x").GetString());
        Assert.Equal("[\"a\", \"b\"]", context.GetProperty("query").GetProperty("y").GetRawText());
        Assert.Equal("t1", context.GetProperty("headers").GetProperty("x-trace").GetString());
        Assert.Equal("pyfn", context.GetProperty("functionName").GetString());
        Assert.Equal("shop", context.GetProperty("workspace").GetString());
        Assert.Equal("acme", context.GetProperty("tenant").GetString());
    }

    [Fact]
    public async Task HandlerHealthAnswersWithoutCallingTheFunction()
    {
        var result = await RunAsync("""
            def main(event, context):
                print("called")
                return "x"
            """, PythonSignatures.Request("GET", "/health"));

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("{\"ok\":true}", result.Text());
        Assert.Equal(InvocationOutcomes.Runtime, result.Outcome);
        Assert.Empty(result.Logs);
    }

    [Fact]
    public async Task HandlerTheEventRouteSendsJsonAndNeverUnwrapsAnEnvelope()
    {
        const string code = """
            def main(event, context):
                return {"statusCode": 201, "event": event, "path": context["path"]}
            """;

        var json = await RunAsync(code, PythonSignatures.PostJson("""{"id":42}""", "/event"));
        var text = await RunAsync(code, PythonSignatures.Request("POST", "/event", body: "not json", headers: ("Content-Type", "text/plain")));
        var falsy = await RunAsync("def main(event, context):\n    return None\n", PythonSignatures.PostJson("{}", "/event"));

        Assert.Equal(200, json.StatusCode);
        Assert.Equal("{\"statusCode\": 201, \"event\": {\"id\": 42}, \"path\": \"/event\"}", json.Text());
        Assert.Equal("{\"statusCode\": 201, \"event\": {}, \"path\": \"/event\"}", text.Text());
        Assert.Equal("{\"ok\": true}", falsy.Text());
    }

    // ---- kyma ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task KymaAStringIsSentAsBottleSendsIt()
    {
        var result = await RunKymaAsync("""
            def main(event, context):
                return "hello"
            """);

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("text/html; charset=UTF-8", result.Header("Content-Type"));
        Assert.Equal("hello", result.Text());
        Assert.Equal("*", result.Header("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task KymaADictIsSentAsJsonWithPythonsSpacing()
    {
        var result = await RunKymaAsync("""
            def main(event, context):
                return {"a": 1, "b": "x"}
            """);

        Assert.Equal("application/json", result.Header("Content-Type"));
        Assert.Equal("{\"a\": 1, \"b\": \"x\"}", result.Text());
    }

    [Fact]
    public async Task KymaBytesAndListsOfStringsAreSentAsTheirText()
    {
        var bytes = await RunKymaAsync("def main(event, context):\n    return b'raw'\n");
        var list = await RunKymaAsync("def main(event, context):\n    return ['a', 'b']\n");

        Assert.Equal("raw", bytes.Text());
        Assert.Equal("text/html; charset=UTF-8", bytes.Header("Content-Type"));
        Assert.Equal("ab", list.Text());
    }

    [Theory]
    [InlineData("None")]
    [InlineData("0")]
    [InlineData("''")]
    [InlineData("[]")]
    public async Task KymaAFalsyResultIsAnEmptyResponse(string value)
    {
        var result = await RunKymaAsync($"def main(event, context):\n    return {value}\n");

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("text/html; charset=UTF-8", result.Header("Content-Type"));
        Assert.Equal(0, result.Body.Length);
    }

    [Theory]
    [InlineData("42")]
    [InlineData("True")]
    [InlineData("[1, 2]")]
    public async Task KymaAResultBottleCannotSendIsAnInternalServerError(string value)
    {
        var result = await RunKymaAsync($"def main(event, context):\n    return {value}\n");

        Assert.Equal(500, result.StatusCode);
        Assert.Equal("Internal server error", result.Text());
        Assert.Equal("*", result.Header("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task KymaAnExceptionIsAnInternalServerErrorAndIsLogged()
    {
        var result = await RunKymaAsync("""
            def main(event, context):
                raise ValueError("secret detail")
            """);

        Assert.Equal(500, result.StatusCode);
        Assert.Equal("Internal server error", result.Text());
        Assert.Equal("text/html; charset=UTF-8", result.Header("Content-Type"));
        Assert.Equal(InvocationOutcomes.Error, result.Outcome);
        Assert.Contains(result.Logs, l => l.Level == "error" && l.Message.Contains("ValueError: secret detail", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KymaAReturnedExceptionIsRaisedAsKymasServerDoes()
    {
        var result = await RunKymaAsync("""
            def main(event, context):
                return RuntimeError("returned, not raised")
            """);

        Assert.Equal(500, result.StatusCode);
        Assert.Equal("Internal server error", result.Text());
        Assert.Equal(InvocationOutcomes.Error, result.Outcome);
    }

    [Fact]
    public async Task KymaABottleHttpResponseSetsStatusHeadersAndBody()
    {
        var json = await RunKymaAsync("""
            import json
            from bottle import HTTPResponse

            def main(event, context):
                return HTTPResponse(body=json.dumps({"created": True}), status=202, headers={"Content-Type": "application/json", "X-A": "b"})
            """);
        var empty = await RunKymaAsync("""
            from bottle import HTTPResponse

            def main(event, context):
                return HTTPResponse(status=400)
            """);
        var raised = await RunKymaAsync("""
            import bottle

            def main(event, context):
                raise bottle.HTTPResponse("teapot", 418)
            """);

        Assert.Equal(202, json.StatusCode);
        Assert.Equal("application/json", json.Header("Content-Type"));
        Assert.Equal("b", json.Header("X-A"));
        Assert.Equal("{\"created\": true}", json.Text());
        Assert.Equal(400, empty.StatusCode);
        Assert.Equal("text/html; charset=UTF-8", empty.Header("Content-Type"));
        Assert.Equal(0, empty.Body.Length);
        Assert.Equal(418, raised.StatusCode);
        Assert.Equal("teapot", raised.Text());
        Assert.Equal(InvocationOutcomes.Ok, raised.Outcome);
    }

    [Fact]
    public async Task KymaABinaryCloudEventFillsTheCeFieldsFromHeaders()
    {
        var request = PythonSignatures.Request(
            "POST",
            body: "{\"orderId\":7}",
            headers:
            [
                ("Content-Type", "application/json"), ("ce-specversion", "1.0"), ("ce-type", "order.created"), ("ce-source", "/shop"),
                ("ce-id", "abc-1"), ("ce-eventtypeversion", "v1"), ("ce-time", "2020-12-20T13:37:33.647Z"),
            ]);
        var result = await RunKymaAsync("""
            def main(event, context):
                keys = ["ce-type", "ce-source", "ce-eventtypeversion", "ce-specversion", "ce-id", "ce-time", "data"]
                return {"fields": {k: event[k] for k in keys}, "datacontenttype": "ce-datacontenttype" in event}
            """, request);

        Assert.Equal(
            "{\"fields\": {\"ce-type\": \"order.created\", \"ce-source\": \"/shop\", \"ce-eventtypeversion\": \"v1\", \"ce-specversion\": \"1.0\", \"ce-id\": \"abc-1\", \"ce-time\": \"2020-12-20T13:37:33.647Z\", \"data\": {\"orderId\": 7}}, \"datacontenttype\": false}",
            result.Text());
    }

    [Fact]
    public async Task KymaAStructuredCloudEventFillsTheCeFieldsFromTheBody()
    {
        var request = PythonSignatures.Request(
            "POST",
            body: "{\"specversion\":\"1.0\",\"type\":\"order.created\",\"source\":\"/shop\",\"id\":\"abc-2\",\"eventtypeversion\":\"v1\",\"datacontenttype\":\"application/json\",\"data\":{\"orderId\":8}}",
            headers: ("Content-Type", "application/cloudevents+json"));
        var result = await RunKymaAsync("""
            def main(event, context):
                return {"type": event["ce-type"], "id": event["ce-id"], "time": type(event["ce-time"]).__name__, "data": event["data"]}
            """, request);

        Assert.Equal("{\"type\": \"order.created\", \"id\": \"abc-2\", \"time\": \"str\", \"data\": {\"orderId\": 8}}", result.Text());
    }

    [Fact]
    public async Task KymaACloudEventWithoutSpecVersionIsRefusedWith400()
    {
        var request = PythonSignatures.Request("POST", body: "{}", headers: [("Content-Type", "application/json"), ("ce-type", "t"), ("ce-source", "s")]);
        var result = await RunKymaAsync("def main(event, context):\n    return 'ran'\n", request);

        Assert.Equal(400, result.StatusCode);
        Assert.Equal("Malformed CloudEvent", result.JsonBody().GetProperty("title").GetString());
    }

    [Fact]
    public async Task KymaDataIsSetOnlyForExactlyApplicationJsonAsKymasPythonRuntimeDoes()
    {
        const string code = """
            def main(event, context):
                return {"has": "data" in event.ceHeaders, "data": event.ceHeaders.get("data")}
            """;

        var get = await RunKymaAsync(code, PythonSignatures.Request());
        var json = await RunKymaAsync(code, PythonSignatures.PostJson("""{"a":1}"""));
        var charset = await RunKymaAsync(code, PythonSignatures.Request("POST", body: "{\"a\":1}", headers: ("Content-Type", "application/json; charset=utf-8")));
        var text = await RunKymaAsync(code, PythonSignatures.Request("POST", body: "plain", headers: ("Content-Type", "text/plain")));
        var missing = await RunKymaAsync("def main(event, context):\n    return event['data']\n", PythonSignatures.Request());

        Assert.Equal("{\"has\": false, \"data\": null}", get.Text());
        Assert.Equal("{\"has\": true, \"data\": {\"a\": 1}}", json.Text());
        Assert.Equal("{\"has\": false, \"data\": null}", charset.Text());
        Assert.Equal("{\"has\": false, \"data\": null}", text.Text());
        Assert.Equal(500, missing.StatusCode);
        Assert.Contains(missing.Logs, l => l.Message.Contains("KeyError: 'data'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KymaTheContextDescribesTheFunction()
    {
        var result = await RunKymaAsync("def main(event, context):\n    return context\n");

        Assert.Equal(
            "{\"function-name\": \"pyfn\", \"namespace\": \"shop\", \"timeout\": 5.0, \"runtime\": \"python312\", \"memory-limit\": \"128Mi\", \"body-size-limit\": 1048576}",
            result.Text());
    }

    [Fact]
    public async Task KymaTheRequestInExtensionsIsBottleLike()
    {
        var request = PythonSignatures.Request("PATCH", "/items/3", "?q=x&q=y", "{\"k\":1}", ("Content-Type", "application/json"), ("X-Custom", "c"), ("Host", "fn.example"));
        var result = await RunKymaAsync("""
            def main(event, context):
                req = event["extensions"]["request"]
                return {
                    "method": req.method, "path": req.path, "url": req.url, "q": req.query.get("q"), "all": req.query.getall("q"),
                    "h": req.headers.get("x-custom"), "g": req.get_header("X-CUSTOM"), "json": req.json, "body": req.body.read().decode(),
                    "content_type": req.content_type, "tracer": event.tracer is not None,
                }
            """, request);

        Assert.Equal(
            "{\"method\": \"PATCH\", \"path\": \"/items/3\", \"url\": \"http://fn.example/items/3?q=x&q=y\", \"q\": \"y\", \"all\": [\"x\", \"y\"], \"h\": \"c\", \"g\": \"c\", \"json\": {\"k\": 1}, \"body\": \"{\\\"k\\\":1}\", \"content_type\": \"application/json\", \"tracer\": true}",
            result.Text());
    }

    [Fact]
    public async Task KymaRuntimeRoutesAnswerWithoutCallingTheFunction()
    {
        const string code = """
            def main(event, context):
                print("called")
                return "x"
            """;

        var preflight = await RunKymaAsync(code, PythonSignatures.Request("OPTIONS", headers: [("Access-Control-Request-Method", "PUT"), ("Access-Control-Request-Headers", "x-a")]));
        var health = await RunKymaAsync(code, PythonSignatures.Request("GET", "/healthz"));
        var favicon = await RunKymaAsync(code, PythonSignatures.Request("GET", "/favicon.ico"));
        var metrics = await RunKymaAsync(code, PythonSignatures.Request("GET", "/metrics"));

        Assert.Equal(200, preflight.StatusCode);
        Assert.Equal("PUT", preflight.Header("Access-Control-Allow-Methods"));
        Assert.Equal("x-a", preflight.Header("Access-Control-Allow-Headers"));
        Assert.Equal(0, preflight.Body.Length);
        Assert.Equal("OK", health.Text());
        Assert.Equal(204, favicon.StatusCode);
        Assert.Contains("function_calls_total", metrics.Text(), StringComparison.Ordinal);
        Assert.All(new[] { preflight, health, favicon }, r => Assert.Empty(r.Logs));
        Assert.All(new[] { preflight, health, favicon }, r => Assert.Equal(InvocationOutcomes.Runtime, r.Outcome));
    }

    [Fact]
    public async Task KymaATimeoutIsA408()
    {
        var result = await PythonSignatures.RunAsync(fixture.Pool, """
            import time

            def main(event, context):
                time.sleep(10)
            """, configure: s => s with { Signature = FunctionSignatures.Kyma, TimeoutSeconds = 1 });

        Assert.Equal(408, result.StatusCode);
        Assert.Equal(InvocationOutcomes.Timeout, result.Outcome);
    }

    [Fact]
    public async Task KymaEmitCloudEventPostsAStructuredCloudEventToThePublisher()
    {
        // The publisher is the operator's (Granary:Python:PublisherProxyAddress): a pool of its own with it configured.
        // On loopback, which the egress policy refuses, it is still reached: the configured publisher is let through.
        using var publisher = new LoopbackPublisher();
        await using var pool = new WorkerPool(
            Microsoft.Extensions.Options.Options.Create(new WorkerRuntimeOptions { Interpreter = PythonPoolFixture.Interpreter, WarmWorkers = 1, PublisherProxyAddress = publisher.Address }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<WorkerPool>.Instance);
        var result = await PythonSignatures.RunAsync(pool, """
            def main(event, context):
                returned = event.emitCloudEvent("order.shipped", "/shop", event["data"], {"eventtypeversion": "v1"})
                return {"returned": returned}
            """, PythonSignatures.PostJson("""{"orderId":1}"""), PythonSignatures.Signature(FunctionSignatures.Kyma, s => s with { TimeoutSeconds = 5 }));

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("{\"returned\": null}", result.Text());
        var (contentType, body) = Assert.Single(publisher.Received);
        Assert.Equal("application/cloudevents+json", contentType);
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        Assert.Equal("order.shipped", root.GetProperty("type").GetString());
        Assert.Equal("/shop", root.GetProperty("source").GetString());
        Assert.Equal("1.0", root.GetProperty("specversion").GetString());
        Assert.Equal("v1", root.GetProperty("eventtypeversion").GetString());
        Assert.True(Guid.TryParse(root.GetProperty("id").GetString(), out _));
        Assert.True(DateTimeOffset.TryParse(root.GetProperty("time").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
        Assert.Equal("{\"orderId\": 1}", root.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task KymaEmitCloudEventWithoutAPublisherFailsTheInvocation()
    {
        var result = await RunKymaAsync("""
            def main(event, context):
                event.emitCloudEvent("t", "/s", {"a": 1})
                return "sent"
            """);

        Assert.Equal(500, result.StatusCode);
        Assert.Contains(result.Logs, l => l.Message.Contains("Granary:Python:PublisherProxyAddress", StringComparison.Ordinal));
    }

    /// <summary>An HTTP listener on loopback standing in for Kyma's eventing publisher proxy.</summary>
    private sealed class LoopbackPublisher : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        public LoopbackPublisher()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Address = $"http://127.0.0.1:{port}/publish";
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _loop = Task.Run(ServeAsync);
        }

        public string Address { get; }

        public List<(string ContentType, string Body)> Received { get; } = [];

        public void Dispose()
        {
            _listener.Close();
            try
            {
                _loop.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
                // The listener's loop ends with the listener.
            }
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

                using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
                {
                    var body = await reader.ReadToEndAsync();
                    lock (Received)
                    {
                        Received.Add((context.Request.ContentType ?? "", body));
                    }
                }

                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        }
    }
}
