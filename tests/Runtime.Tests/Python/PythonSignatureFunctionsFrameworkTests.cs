using Granary.Functions;

namespace Granary.Runtime.Tests.Python;

/// <summary>
/// The Functions Framework signatures (<c>http</c>, <c>cloudevent</c>, <c>event</c>) for Python functions, as the Python
/// Functions Framework (on Flask) runs them: a Flask request in, Flask's response rules out, "OK" for events, and
/// Flask's answers to errors (the crash handler's 500 with <c>X-Google-Status: crash</c>).
/// </summary>
public sealed class PythonSignatureFunctionsFrameworkTests(PythonPoolFixture fixture) : IClassFixture<PythonPoolFixture>
{
    private const string Crash = "500 Internal Server Error: The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.";

    private Task<ExecutionResult> RunHttpAsync(string code, InvocationRequest? request = null, Func<FunctionSpec, FunctionSpec>? configure = null) =>
        PythonSignatures.RunAsync(fixture.Pool, code, request, PythonSignatures.Signature(FunctionSignatures.Http, configure));

    private Task<ExecutionResult> RunCloudEventAsync(string code, InvocationRequest request) =>
        PythonSignatures.RunAsync(fixture.Pool, code, request, PythonSignatures.Signature(FunctionSignatures.CloudEvent));

    private Task<ExecutionResult> RunEventAsync(string code, InvocationRequest request) =>
        PythonSignatures.RunAsync(fixture.Pool, code, request, PythonSignatures.Signature(FunctionSignatures.Event));

    private static InvocationRequest BinaryCloudEvent(string body, string contentType = "application/json") => PythonSignatures.Request(
        "POST",
        body: body,
        headers:
        [
            ("Content-Type", contentType), ("Ce-Specversion", "1.0"), ("Ce-Type", "order.created"), ("Ce-Source", "/shop"),
            ("Ce-Id", "abc-1"), ("Ce-Time", "2020-12-20T13:37:33.647Z"), ("Ce-Subject", "orders/7"),
        ]);

    // ---- http ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task HttpJsonifyWithoutFlaskWritesADecimalAsAString()
    {
        var result = await RunHttpAsync("""
            import decimal
            import granary

            def main(request):
                return granary.jsonify(price=decimal.Decimal("2.50"))
            """);

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("application/json", result.Header("Content-Type"));
        Assert.Equal("{\"price\":\"2.50\"}\n", result.Text());
    }

    [Fact]
    public async Task HttpAStringIsSentAsHtml()
    {
        var result = await RunHttpAsync("""
            def main(request):
                return "Hello " + request.args.get("name", "nobody")
            """, PythonSignatures.Request(query: "?name=world"));

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("text/html; charset=utf-8", result.Header("Content-Type"));
        Assert.Equal("Hello world", result.Text());
        Assert.Equal(InvocationOutcomes.Ok, result.Outcome);
    }

    [Fact]
    public async Task HttpTheArgsAreAMultiDictAndTheHeadersCaseInsensitive()
    {
        var result = await RunHttpAsync("""
            def main(request):
                return {
                    "first": request.args.get("a"), "all": request.args.getlist("a"), "flat": request.args.to_dict(),
                    "typed": request.args.get("n", type=int), "bad": request.args.get("a", default=-1, type=int),
                    "lower": request.headers.get("x-custom"), "upper": request.headers["X-CUSTOM"], "in": "X-Custom" in request.headers,
                    "method": request.method, "path": request.path, "full_path": request.full_path, "url": request.url,
                }
            """, PythonSignatures.Request("GET", "/a%20b/c", "?a=x&a=y&n=7", headers: [("X-Custom", "c"), ("Host", "fn.example")]));

        var body = result.JsonBody();
        Assert.Equal("x", body.GetProperty("first").GetString());
        Assert.Equal("[\"x\",\"y\"]", body.GetProperty("all").GetRawText());
        Assert.Equal("{\"a\":\"x\",\"n\":\"7\"}", body.GetProperty("flat").GetRawText());
        Assert.Equal(7, body.GetProperty("typed").GetInt32());
        Assert.Equal(-1, body.GetProperty("bad").GetInt32());
        Assert.Equal("c", body.GetProperty("lower").GetString());
        Assert.Equal("c", body.GetProperty("upper").GetString());
        Assert.True(body.GetProperty("in").GetBoolean());
        Assert.Equal("GET", body.GetProperty("method").GetString());
        Assert.Equal("/a b/c", body.GetProperty("path").GetString());
        Assert.Equal("/a b/c?a=x&a=y&n=7", body.GetProperty("full_path").GetString());
        Assert.Equal("http://fn.example/a%20b/c?a=x&a=y&n=7", body.GetProperty("url").GetString());
    }

    [Fact]
    public async Task HttpADictIsSentAsFlaskSendsJson()
    {
        var result = await RunHttpAsync("""
            def main(request):
                return {"b": 1, "a": [1, "é"]}
            """);

        Assert.Equal("application/json", result.Header("Content-Type"));
        Assert.Equal("{\"a\":[1,\"\\u00e9\"],\"b\":1}\n", result.Text());
    }

    [Fact]
    public async Task HttpGetJsonParsesTheBodyAsFlaskDoes()
    {
        const string code = """
            def main(request):
                return {
                    "silent": request.get_json(silent=True),
                    "force": request.get_json(force=True, silent=True),
                    "is_json": request.is_json,
                    "data": request.get_data(as_text=True),
                }
            """;

        var json = await RunHttpAsync(code, PythonSignatures.PostJson("""{"n":1}"""));
        var text = await RunHttpAsync(code, PythonSignatures.Request("POST", body: "{\"n\":2}", headers: ("Content-Type", "text/plain")));

        Assert.Equal("{\"data\":\"{\\\"n\\\":1}\",\"force\":{\"n\":1},\"is_json\":true,\"silent\":{\"n\":1}}\n", json.Text());
        Assert.Equal("{\"data\":\"{\\\"n\\\":2}\",\"force\":{\"n\":2},\"is_json\":false,\"silent\":null}\n", text.Text());
    }

    [Fact]
    public async Task HttpMalformedJsonIsABadRequestOnlyWhenTheFunctionReadsIt()
    {
        var read = await RunHttpAsync("""
            def main(request):
                return request.get_json()
            """, PythonSignatures.PostJson("""{"n":"""));
        var unread = await RunHttpAsync("""
            def main(request):
                return "not read"
            """, PythonSignatures.PostJson("""{"n":"""));

        Assert.Equal(400, read.StatusCode);
        Assert.Equal("text/html; charset=utf-8", read.Header("Content-Type"));
        Assert.Contains("<title>400 Bad Request</title>", read.Text(), StringComparison.Ordinal);
        Assert.Contains("Failed to decode JSON object", read.Text(), StringComparison.Ordinal);
        Assert.Equal(200, unread.StatusCode);
        Assert.Equal("not read", unread.Text());
    }

    [Fact]
    public async Task HttpTuplesSetStatusAndHeaders()
    {
        var full = await RunHttpAsync("""
            def main(request):
                return "created", 201, {"X-A": "1"}
            """);
        var headersOnly = await RunHttpAsync("""
            def main(request):
                return "body", {"X-B": "2"}
            """);
        var jsonStatus = await RunHttpAsync("""
            def main(request):
                return {"k": "v"}, 202
            """);

        Assert.Equal(201, full.StatusCode);
        Assert.Equal("1", full.Header("X-A"));
        Assert.Equal("created", full.Text());
        Assert.Equal(200, headersOnly.StatusCode);
        Assert.Equal("2", headersOnly.Header("X-B"));
        Assert.Equal(202, jsonStatus.StatusCode);
        Assert.Equal("application/json", jsonStatus.Header("Content-Type"));
        Assert.Equal("{\"k\":\"v\"}\n", jsonStatus.Text());
    }

    [Fact]
    public async Task HttpBytesAreSentAsTheyAre()
    {
        var result = await RunHttpAsync("""
            def main(request):
                return bytes([0, 1, 250, 255])
            """);

        Assert.Equal(new byte[] { 0, 1, 250, 255 }, result.Body.ToArray());
        Assert.Equal("text/html; charset=utf-8", result.Header("Content-Type"));
    }

    [Fact]
    public async Task HttpAnExceptionIsFlasks500WithTheCrashHeader()
    {
        var result = await RunHttpAsync("""
            def main(request):
                raise KeyError("secret")
            """);

        Assert.Equal(500, result.StatusCode);
        Assert.Equal("crash", result.Header("X-Google-Status"));
        Assert.Equal(Crash, result.Text());
        Assert.Equal(InvocationOutcomes.Error, result.Outcome);
        Assert.Contains(result.Logs, l => l.Level == "error" && l.Message.Contains("KeyError: 'secret'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HttpReturningNothingIsFlasks500()
    {
        var result = await RunHttpAsync("""
            def main(request):
                pass
            """);

        Assert.Equal(500, result.StatusCode);
        Assert.Equal("crash", result.Header("X-Google-Status"));
        Assert.Contains(result.Logs, l => l.Message.Contains("did not return a valid response", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HttpHttpExceptionsAnswerWithTheirOwnPage()
    {
        var abort = await RunHttpAsync("""
            import granary

            def main(request):
                granary.abort(403)
            """);
        var missingArg = await RunHttpAsync("""
            def main(request):
                return request.args["missing"]
            """);

        Assert.Equal(403, abort.StatusCode);
        Assert.Contains("<title>403 Forbidden</title>", abort.Text(), StringComparison.Ordinal);
        Assert.Equal(InvocationOutcomes.Ok, abort.Outcome);
        Assert.Equal(400, missingArg.StatusCode);
        Assert.Contains("<h1>Bad Request</h1>", missingArg.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpFormsCookiesAndTheBody()
    {
        var result = await RunHttpAsync("""
            def main(request):
                return {"form": request.form.to_dict(), "values": request.values.getlist("f"), "cookies": request.cookies.to_dict(),
                        "mimetype": request.mimetype, "data": request.data.decode(), "remote_addr": request.remote_addr}
            """, PythonSignatures.Request("POST", query: "?f=q", body: "f=1&g=2", headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", "a=1; b=2")]));

        Assert.Equal(
            "{\"cookies\":{\"a\":\"1\",\"b\":\"2\"},\"data\":\"\",\"form\":{\"f\":\"1\",\"g\":\"2\"},\"mimetype\":\"application/x-www-form-urlencoded\",\"remote_addr\":null,\"values\":[\"q\",\"1\"]}\n",
            result.Text());
    }

    [Fact]
    public async Task HttpGranaryHelpersOrFlaskBuildTheSameResponse()
    {
        // Flask's own helpers when Flask is installed, Granary's otherwise: the response is the same.
        var result = await RunHttpAsync("""
            try:
                from flask import jsonify, make_response, request as current_request
            except ImportError:
                from granary import jsonify, make_response
                current_request = None

            def main(request):
                response = make_response(jsonify(ok=True, path=request.path), 201)
                response.headers["X-Y"] = "z"
                response.set_cookie("session", "1")
                if current_request is not None and current_request.path != request.path:
                    raise AssertionError("flask.request is another request")
                return response
            """, PythonSignatures.Request("GET", "/p"));

        Assert.Equal(201, result.StatusCode);
        Assert.Equal("application/json", result.Header("Content-Type"));
        Assert.Equal("z", result.Header("X-Y"));
        Assert.Equal("session=1; Path=/", result.Header("Set-Cookie"));
        Assert.Equal("{\"ok\":true,\"path\":\"/p\"}\n", result.Text());
    }

    [Fact]
    public async Task HttpWithoutFlaskGranarysHelpersAndRequestServe()
    {
        // Flask and werkzeug made unimportable, as on a machine without python3-flask.
        var result = await RunHttpAsync("""
            import sys
            sys.modules["flask"] = None
            sys.modules["werkzeug"] = None
            from granary import jsonify, make_response, abort

            def main(request):
                if request.args.get("fail"):
                    abort(401)
                response = make_response(jsonify(path=request.path, n=request.get_json()["n"]), 202)
                response.headers["X-Flask"] = str("flask" in sys.modules and sys.modules["flask"] is not None)
                return response
            """, PythonSignatures.Request("POST", "/x", body: "{\"n\":3}", headers: ("Content-Type", "application/json")));
        var failed = await RunHttpAsync("""
            import sys
            sys.modules["flask"] = None
            sys.modules["werkzeug"] = None
            from granary import abort

            def main(request):
                abort(401)
            """);

        Assert.Equal(202, result.StatusCode);
        Assert.Equal("False", result.Header("X-Flask"));
        Assert.Equal("{\"n\":3,\"path\":\"/x\"}\n", result.Text());
        Assert.Equal(401, failed.StatusCode);
        Assert.Contains("<title>401 Unauthorized</title>", failed.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpRobotsAndFaviconAre404WithoutCallingTheFunction()
    {
        const string code = """
            def main(request):
                print("called")
                return "x"
            """;

        var robots = await RunHttpAsync(code, PythonSignatures.Request("GET", "/robots.txt"));
        var favicon = await RunHttpAsync(code, PythonSignatures.Request("GET", "/favicon.ico"));

        Assert.Equal(404, robots.StatusCode);
        Assert.Equal(0, robots.Body.Length);
        Assert.Equal(404, favicon.StatusCode);
        Assert.Equal(InvocationOutcomes.Runtime, favicon.Outcome);
        Assert.Empty(robots.Logs);
    }

    [Fact]
    public async Task HttpAnErrorHandlerRegisteredWithTheFrameworkAnswers()
    {
        var result = await RunHttpAsync("""
            import functions_framework

            @functions_framework.errorhandler(ZeroDivisionError)
            def on_division(error):
                return "cannot divide", 418

            def main(request):
                return str(1 / 0)
            """);

        Assert.Equal(418, result.StatusCode);
        Assert.Equal("cannot divide", result.Text());
    }

    [Fact]
    public async Task HttpADeclarativelyRegisteredFunctionDecidesTheSignature()
    {
        var result = await PythonSignatures.RunAsync(fixture.Pool, """
            import functions_framework

            @functions_framework.http
            def hello(request):
                return "declared " + request.method
            """, PythonSignatures.Request("PUT"), s => s with { Handler = "hello" });

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("text/html; charset=utf-8", result.Header("Content-Type"));
        Assert.Equal("declared PUT", result.Text());
    }

    [Fact]
    public async Task HttpATypedFunctionTakesAndReturnsItsTypes()
    {
        var result = await PythonSignatures.RunAsync(fixture.Pool, """
            import functions_framework

            class Message:
                def __init__(self, message):
                    self.message = message

                @staticmethod
                def from_dict(data):
                    return Message(data["message"])

            class Reply:
                def __init__(self, payload):
                    self.payload = payload

                def to_dict(self):
                    return {"payload": {"message": self.payload.message}}

            @functions_framework.typed
            def echo(message: Message):
                return Reply(message)
            """, PythonSignatures.PostJson("""{"message":"Hello world!"}"""), s => s with { Handler = "echo" });

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("{\"payload\": {\"message\": \"Hello world!\"}}", result.Text());
    }

    // ---- cloudevent ----------------------------------------------------------------------------------------

    [Fact]
    public async Task CloudEventABinaryEventReachesTheFunctionAndTheAnswerIsOk()
    {
        var result = await RunCloudEventAsync("""
            import json

            def main(cloud_event):
                attributes = dict(cloud_event.get_attributes())
                print(json.dumps({"type": cloud_event["type"], "source": cloud_event["source"], "id": cloud_event.get("id"),
                                  "subject": cloud_event["subject"], "data": cloud_event.data, "get_data": cloud_event.get_data(),
                                  "datacontenttype": attributes["datacontenttype"], "time": attributes["time"]}, sort_keys=True))
                return "ignored"
            """, BinaryCloudEvent("{\"orderId\":7}"));

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("text/html; charset=utf-8", result.Header("Content-Type"));
        Assert.Equal("OK", result.Text());
        Assert.Contains(
            "{\"data\": {\"orderId\": 7}, \"datacontenttype\": \"application/json\", \"get_data\": {\"orderId\": 7}, \"id\": \"abc-1\", \"source\": \"/shop\", \"subject\": \"orders/7\", \"time\": \"2020-12-20T13:37:33.647Z\", \"type\": \"order.created\"}",
            result.Messages());
    }

    [Fact]
    public async Task CloudEventAStructuredEventReachesTheFunction()
    {
        var result = await RunCloudEventAsync("""
            from cloudevents.http import CloudEvent

            def main(cloud_event):
                print(isinstance(cloud_event, CloudEvent), cloud_event["type"], cloud_event["myext"], cloud_event.data)
            """, PythonSignatures.Request(
                "POST",
                body: "{\"specversion\":\"1.0\",\"type\":\"t.structured\",\"source\":\"/s\",\"id\":\"s-1\",\"myext\":\"x\",\"datacontenttype\":\"application/json\",\"data\":{\"a\":[1,2]}}",
                headers: ("Content-Type", "application/cloudevents+json")));

        Assert.Equal("OK", result.Text());
        Assert.Contains("True t.structured x {'a': [1, 2]}", result.Messages());
    }

    [Fact]
    public async Task CloudEventDataThatIsNotJsonArrivesAsBytes()
    {
        var text = await RunCloudEventAsync("""
            def main(cloud_event):
                print(repr(cloud_event.data))
            """, BinaryCloudEvent("plain words", "text/plain"));
        var base64 = await RunCloudEventAsync("""
            def main(cloud_event):
                print(repr(cloud_event.data))
            """, PythonSignatures.Request(
                "POST",
                body: "{\"specversion\":\"1.0\",\"type\":\"t\",\"source\":\"/s\",\"id\":\"b-1\",\"data_base64\":\"AAEC\"}",
                headers: ("Content-Type", "application/cloudevents+json")));

        Assert.Contains("b'plain words'", text.Messages());
        Assert.Contains("b'\\x00\\x01\\x02'", base64.Messages());
    }

    [Fact]
    public async Task CloudEventALegacyEventIsConvertedToACloudEvent()
    {
        var result = await RunCloudEventAsync("""
            def main(cloud_event):
                print(cloud_event["type"], cloud_event["source"], cloud_event.data["message"]["messageId"])
            """, PythonSignatures.PostJson("""
            {"eventId":"aaaaaa-1111","timestamp":"2020-09-29T11:32:00.123Z","eventType":"providers/cloud.pubsub/eventTypes/topic.publish",
             "resource":"projects/sample-project/topics/gcf-test","data":{"@type":"type.googleapis.com/google.pubsub.v1.PubsubMessage","data":"VGhpcw=="}}
            """));

        Assert.Equal("OK", result.Text());
        Assert.Contains("google.cloud.pubsub.topic.v1.messagePublished //pubsub.googleapis.com/projects/sample-project/topics/gcf-test aaaaaa-1111", result.Messages());
    }

    [Fact]
    public async Task CloudEventAnExceptionIsFlasks500()
    {
        var result = await RunCloudEventAsync("""
            def main(cloud_event):
                raise RuntimeError("bad " + cloud_event["type"])
            """, BinaryCloudEvent("{}"));

        Assert.Equal(500, result.StatusCode);
        Assert.Equal("crash", result.Header("X-Google-Status"));
        Assert.Equal(Crash, result.Text());
        Assert.Contains(result.Logs, l => l.Message.Contains("RuntimeError: bad order.created", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CloudEventOnlyPostReachesTheFunction()
    {
        var result = await RunCloudEventAsync("def main(cloud_event):\n    print('called')\n", PythonSignatures.Request("GET"));

        Assert.Equal(404, result.StatusCode);
        Assert.Empty(result.Logs);
    }

    [Fact]
    public async Task CloudEventADeclarativelyRegisteredCloudEventFunctionDecidesTheSignature()
    {
        var result = await PythonSignatures.RunAsync(fixture.Pool, """
            import functions_framework

            @functions_framework.cloud_event
            def on_event(cloud_event):
                print("got", cloud_event["id"])
            """, BinaryCloudEvent("{}"), s => s with { Handler = "on_event", Signature = FunctionSignatures.Http });

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("OK", result.Text());
        Assert.Contains("got abc-1", result.Messages());
    }

    // ---- event (legacy) ------------------------------------------------------------------------------------

    [Fact]
    public async Task EventDataAndContextAreThePythonFrameworks()
    {
        var result = await RunEventAsync("""
            def main(data, context):
                print(data["data"], context.event_id, context.timestamp, context.event_type, context.resource)
                print(context)
            """, PythonSignatures.PostJson("""
            {"eventId":"e-1","timestamp":"2020-09-29T11:32:00.123Z","eventType":"providers/cloud.pubsub/eventTypes/topic.publish",
             "resource":"projects/p/topics/t","data":{"data":"VGhpcw=="}}
            """));

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("OK", result.Text());
        Assert.Contains("VGhpcw== e-1 2020-09-29T11:32:00.123Z providers/cloud.pubsub/eventTypes/topic.publish projects/p/topics/t", result.Messages());
        Assert.Contains("{event_id: e-1, timestamp: 2020-09-29T11:32:00.123Z, event_type: providers/cloud.pubsub/eventTypes/topic.publish, resource: projects/p/topics/t}", result.Messages());
    }

    [Fact]
    public async Task EventABinaryCloudEventIsConvertedToALegacyEvent()
    {
        var request = PythonSignatures.Request(
            "POST",
            body: "{\"message\":{\"@type\":\"type.googleapis.com/google.pubsub.v1.PubsubMessage\",\"messageId\":\"m-1\",\"publishTime\":\"2020-09-29T11:32:00.123Z\",\"data\":\"VGhpcw==\"}}",
            headers:
            [
                ("Content-Type", "application/json"), ("Ce-Specversion", "1.0"), ("Ce-Type", "google.cloud.pubsub.topic.v1.messagePublished"),
                ("Ce-Source", "//pubsub.googleapis.com/projects/sample-project/topics/gcf-test"), ("Ce-Id", "m-1"), ("Ce-Time", "2020-09-29T11:32:00.123Z"),
            ]);
        var result = await RunEventAsync("""
            def main(data, context):
                print(context.event_type, context.event_id, context.resource["name"], data["data"])
            """, request);

        Assert.Equal("OK", result.Text());
        Assert.Contains("google.pubsub.topic.publish m-1 projects/sample-project/topics/gcf-test VGhpcw==", result.Messages());
    }

    [Fact]
    public async Task EventAnExceptionIsFlasks500()
    {
        var result = await RunEventAsync("""
            def main(data, context):
                raise ValueError("no")
            """, PythonSignatures.PostJson("""{"eventId":"e","timestamp":"t","eventType":"x","resource":"r","data":{}}"""));

        Assert.Equal(500, result.StatusCode);
        Assert.Equal("crash", result.Header("X-Google-Status"));
        Assert.Equal(InvocationOutcomes.Error, result.Outcome);
    }
}
