using Granary.Functions;
using Granary.Runtime.JavaScript;
using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.JavaScript;

/// <summary>The Skipper <c>handler</c> contract: (event, context) in, Kipper's Node response rules out.</summary>
public class HandlerSignatureTests(IsolatePoolFixture fixture) : IClassFixture<IsolatePoolFixture>
{
    // The contract's suite runs in both modes: HandlerSignatureProcessTests runs it in Node.js workers.
    private protected virtual Task<ExecutionResult> RunAsync(IsolatePool pool, string code, InvocationRequest? request = null, Func<FunctionSpec, FunctionSpec>? configure = null) =>
        FunctionRunner.RunAsync(pool, code, request, configure);

    [Fact]
    public async Task ModuleExportsFunctionIsCalledAndAStringIsSentAsHtml()
    {
        var result = await RunAsync(fixture.Pool, "module.exports = async (event, context) => 'hello ' + context.method;");

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("text/html; charset=utf-8", result.Header("Content-Type"));
        Assert.Equal("hello GET", result.Text());
        Assert.Equal(InvocationOutcomes.Ok, result.Outcome);
    }

    [Fact]
    public async Task ModuleExportsObjectWithMainIsCalled()
    {
        var result = await RunAsync(fixture.Pool, "function main(event) { return { got: event.n * 2 }; }\nmodule.exports = { main };", Json("{\"n\":21}"));

        Assert.Equal("application/json; charset=utf-8", result.Header("Content-Type"));
        Assert.Equal("{\"got\":42}", result.Text());
    }

    [Fact]
    public async Task ExportsMainAssignmentIsCalled()
    {
        var result = await RunAsync(fixture.Pool, "exports.main = async function (event) { return [1, 2]; };");

        Assert.Equal("[1,2]", result.Text());
    }

    [Fact]
    public async Task TheHandlerSettingNamesTheExportToCall()
    {
        var result = await RunAsync(
            fixture.Pool,
            "exports.main = () => 'main'; exports.other = () => 'other';",
            configure: s => s with { Handler = "other" });

        Assert.Equal("other", result.Text());
    }

    [Fact]
    public async Task AnEnvelopeWithStatusCodeSetsStatusHeadersAndBody()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = async () => ({
              statusCode: 201,
              headers: { 'X-A': 'b', 'Content-Type': 'application/json' },
              body: { processed: true }
            });
            """);

        Assert.Equal(201, result.StatusCode);
        Assert.Equal("b", result.Header("X-A"));
        Assert.Equal("application/json; charset=utf-8", result.Header("Content-Type"));
        Assert.Equal("{\"processed\":true}", result.Text());
    }

    [Fact]
    public async Task AnEnvelopeWithAStringBodyIsSentAsHtml()
    {
        var result = await RunAsync(fixture.Pool, "module.exports = () => ({ statusCode: 202, body: 'accepted' });");

        Assert.Equal(202, result.StatusCode);
        Assert.Equal("text/html; charset=utf-8", result.Header("Content-Type"));
        Assert.Equal("accepted", result.Text());
    }

    [Fact]
    public async Task AnEnvelopeWith204HasNoBodyAndNoContentType()
    {
        var result = await RunAsync(fixture.Pool, "module.exports = () => ({ statusCode: 204 });");

        Assert.Equal(204, result.StatusCode);
        Assert.Null(result.Header("Content-Type"));
        Assert.Equal(0, result.Body.Length);
    }

    [Fact]
    public async Task AZeroStatusCodeIsNotAnEnvelope()
    {
        var result = await RunAsync(fixture.Pool, "module.exports = () => ({ statusCode: 0, body: 'zero' });");

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("{\"statusCode\":0,\"body\":\"zero\"}", result.Text());
    }

    [Theory]
    [InlineData("null")]
    [InlineData("undefined")]
    [InlineData("0")]
    [InlineData("false")]
    public async Task AFalsyResultIsSentAsOkTrue(string value)
    {
        var result = await RunAsync(fixture.Pool, $"module.exports = async () => {value};");

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("{\"ok\":true}", result.Text());
    }

    [Fact]
    public async Task ANumberIsSentAsJson()
    {
        var result = await RunAsync(fixture.Pool, "module.exports = () => 42;");

        Assert.Equal("application/json; charset=utf-8", result.Header("Content-Type"));
        Assert.Equal("42", result.Text());
    }

    [Fact]
    public async Task AThrownErrorAnswers500WithItsMessageAndIsLogged()
    {
        var result = await RunAsync(fixture.Pool, "module.exports = async () => { throw new Error('boom'); };");

        Assert.Equal(500, result.StatusCode);
        Assert.Equal("{\"error\":\"boom\"}", result.Text());
        Assert.Equal(InvocationOutcomes.Error, result.Outcome);
        Assert.Equal("Error: boom", result.Error);
        Assert.Contains(result.Logs, l => l.Level == "error" && l.Message.StartsWith("Error: boom", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AThrownStringAnswers500WithAnEmptyObjectAsExpressDoes()
    {
        var result = await RunAsync(fixture.Pool, "module.exports = () => { throw 'str'; };");

        Assert.Equal(500, result.StatusCode);
        Assert.Equal("{}", result.Text());
    }

    [Fact]
    public async Task AJsonBodyBecomesTheParsedEvent()
    {
        var result = await RunAsync(fixture.Pool, "module.exports = (event) => ({ type: typeof event, value: event });", Json("{\"id\":42,\"customer\":\"acme\"}"));

        Assert.Equal("{\"type\":\"object\",\"value\":{\"id\":42,\"customer\":\"acme\"}}", result.Text());
    }

    [Fact]
    public async Task ATextBodyBecomesAStringEvent()
    {
        var result = await RunAsync(
            fixture.Pool,
            "module.exports = (event) => ({ type: typeof event, value: event });",
            Request("POST", body: "plain text", headers: ("Content-Type", "text/plain")));

        Assert.Equal("{\"type\":\"string\",\"value\":\"plain text\"}", result.Text());
    }

    [Fact]
    public async Task AnEmptyBodyBecomesAnEmptyObjectEvent()
    {
        var result = await RunAsync(fixture.Pool, "module.exports = (event) => ({ value: event });");

        Assert.Equal("{\"value\":{}}", result.Text());
    }

    [Fact]
    public async Task MalformedJsonIsRefusedWith400BeforeTheFunctionRuns()
    {
        var result = await RunAsync(fixture.Pool, "module.exports = (event) => { console.log('ran'); return 'ran'; };", Json("{\"id\": 4"));

        Assert.Equal(400, result.StatusCode);
        Assert.Equal("application/problem+json", result.Header("Content-Type"));
        Assert.Equal("Malformed JSON body", result.JsonBody().GetProperty("title").GetString());
        Assert.Equal(InvocationOutcomes.BadRequest, result.Outcome);
        Assert.DoesNotContain("ran", result.Messages());
    }

    [Fact]
    public async Task TheContextCarriesTheRequestAndTheFunctionIdentity()
    {
        var result = await RunAsync(
            fixture.Pool,
            "module.exports = (event, context) => context;",
            Request("PUT", "/orders/7", "?x=1&y=a&y=b", "{}", ("Content-Type", "application/json"), ("X-Trace", "t1")));

        var context = result.JsonBody();
        Assert.Equal("PUT", context.GetProperty("method").GetString());
        Assert.Equal("/orders/7", context.GetProperty("path").GetString());
        Assert.Equal("1", context.GetProperty("query").GetProperty("x").GetString());
        Assert.Equal("[\"a\",\"b\"]", context.GetProperty("query").GetProperty("y").GetRawText());
        Assert.Equal("t1", context.GetProperty("headers").GetProperty("x-trace").GetString());
        Assert.Equal("fn", context.GetProperty("functionName").GetString());
        Assert.Equal("shop", context.GetProperty("workspace").GetString());
        Assert.Equal("acme", context.GetProperty("tenant").GetString());
    }

    [Fact]
    public async Task ABufferBodyIsSentAsBytes()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => ({ statusCode: 200, body: Buffer.from([0, 1, 2, 250, 251, 255]) });
            """);

        Assert.Equal("application/octet-stream", result.Header("Content-Type"));
        Assert.Equal(new byte[] { 0, 1, 2, 250, 251, 255 }, result.Body.ToArray());
    }
}
