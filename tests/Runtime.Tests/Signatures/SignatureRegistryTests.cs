using System.Text;
using System.Text.Json;
using Granary.Functions;
using Granary.Runtime.Signatures;

namespace Granary.Runtime.Tests.Signatures;

/// <summary>What each contract answers through <see cref="IFunctionSignature"/>, whichever runtime runs the function.</summary>
public sealed class SignatureRegistryTests
{
    public static TheoryData<string> Names => [.. FunctionSignatures.All, FunctionSignatures.Snippets];

    [Theory]
    [MemberData(nameof(Names))]
    public void EverySignatureIsRegisteredUnderItsName(string name)
    {
        Assert.Equal(name, SignatureRegistry.Get(name).Name);
    }

    [Fact]
    public void TheRegistryHoldsExactlyTheSignaturesFunctionsCanHave()
    {
        string[] names = [.. FunctionSignatures.All, FunctionSignatures.Snippets];

        Assert.Equal(names.Order(StringComparer.Ordinal), SignatureRegistry.All.Keys.Order(StringComparer.Ordinal), StringComparer.Ordinal);
    }

    [Fact]
    public async Task AnUnknownNameGetsTheAnswersMostContractsGive()
    {
        var signature = SignatureRegistry.Get("no-such-signature");

        Assert.Equal(PreparedEvent.None, await signature.PrepareAsync(Request("GET", "/metrics"), new FunctionMetrics(), "fn"));
        Assert.Equal(504, signature.TimedOut(3).StatusCode);
        Assert.False(signature.UsesWorkspaceCache);
    }

    [Theory]
    [InlineData(FunctionSignatures.Handler, 504)]
    [InlineData(FunctionSignatures.Http, 504)]
    [InlineData(FunctionSignatures.CloudEvent, 504)]
    [InlineData(FunctionSignatures.Event, 504)]
    [InlineData(FunctionSignatures.Snippets, 504)]
    [InlineData(FunctionSignatures.Kyma, 408)]
    public void ATimeoutIsAnsweredWithTheContractsStatus(string name, int status)
    {
        var result = SignatureRegistry.Get(name).TimedOut(7);

        Assert.Equal(status, result.StatusCode);
        Assert.Equal(InvocationOutcomes.Timeout, result.Outcome);
        Assert.Equal("The function did not finish within its timeout of 7 s and was stopped.", result.Error);
        Assert.Equal(name == FunctionSignatures.Kyma ? "*" : null, result.Header("Access-Control-Allow-Origin"));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void AFullQueueIsAProblemExceptForSnippets(string name)
    {
        var result = SignatureRegistry.Get(name).Throttled(4, 8);

        Assert.Equal(429, result.StatusCode);
        Assert.Equal("1", result.Header("Retry-After"));
        Assert.Equal(InvocationOutcomes.Throttled, result.Outcome);
        var body = result.JsonBody();
        if (name == FunctionSignatures.Snippets)
        {
            Assert.Equal("application/json; charset=utf-8", result.Header("Content-Type"));
            Assert.Equal("TooManyRequestsError", body.GetProperty("error").GetString());
            Assert.Equal("The function is already running 4 invocations on this instance and 8 more are queued.", body.GetProperty("message").GetString());
            Assert.Equal(0, body.GetProperty("duration").GetDouble());
        }
        else
        {
            Assert.Equal(Problems.ContentType, result.Header("Content-Type"));
            Assert.Equal("urn:granary:problem:too-many-requests", body.GetProperty("type").GetString());
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ALoadFailureIsAColdProblemExceptForSnippets(string name)
    {
        var result = SignatureRegistry.Get(name).LoadFailed(new CodeError(CodeErrorKinds.Load, "boom"), 12.5);

        Assert.Equal(500, result.StatusCode);
        Assert.True(result.Cold);
        Assert.Equal(12.5, result.InitMs);
        Assert.Equal(InvocationOutcomes.LoadError, result.Outcome);
        var body = result.JsonBody();
        Assert.Equal(name == FunctionSignatures.Snippets ? "LoadError" : null, body.TryGetProperty("error", out var error) ? error.GetString() : null);
        Assert.Equal("boom", body.GetProperty(name == FunctionSignatures.Snippets ? "message" : "detail").GetString());
    }

    [Fact]
    public void ASnippetsRunThatTimedOutIsReshapedWithItsDuration()
    {
        var signature = SignatureRegistry.Get(FunctionSignatures.Snippets);

        var result = signature.Finish(signature.TimedOut(2), new FunctionMetrics(), 2001.23456);

        Assert.Equal(504, result.StatusCode);
        var body = result.JsonBody();
        Assert.Equal("TimeoutError", body.GetProperty("error").GetString());
        Assert.Equal(2001.235, body.GetProperty("duration").GetDouble());
    }

    [Fact]
    public async Task KymaCountsWhatItsRuntimeServedAndServesTheCountsAtMetrics()
    {
        var kyma = SignatureRegistry.Get(FunctionSignatures.Kyma);
        var metrics = new FunctionMetrics();
        var ok = new ExecutionResult { StatusCode = 200, Outcome = InvocationOutcomes.Ok };

        kyma.Finish(ok, metrics, 3);
        kyma.Finish(ok with { StatusCode = 500, Outcome = InvocationOutcomes.Error }, metrics, 30);
        kyma.Finish(ok with { StatusCode = 500, Outcome = InvocationOutcomes.Runtime }, metrics, 300);
        SignatureRegistry.Get(FunctionSignatures.Handler).Finish(ok, metrics, 3);
        var answer = (await kyma.PrepareAsync(Request("GET", "/metrics"), metrics, "orders")).Answer;

        Assert.NotNull(answer);
        Assert.Equal(200, answer.StatusCode);
        var text = answer.Text();
        Assert.Contains("function_calls_total{otel_scope_name=\"orders\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("function_failures_total{otel_scope_name=\"orders\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("function_duration_miliseconds_bucket{otel_scope_name=\"orders\",le=\"5\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("function_duration_miliseconds_bucket{otel_scope_name=\"orders\",le=\"50\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("function_duration_miliseconds_sum{otel_scope_name=\"orders\"} 33\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(FunctionSignatures.Handler)]
    [InlineData(FunctionSignatures.Http)]
    [InlineData(FunctionSignatures.Snippets)]
    public async Task OnlyKymaAnswersMetricsItself(string name)
    {
        Assert.Equal(PreparedEvent.None, await SignatureRegistry.Get(name).PrepareAsync(Request("GET", "/metrics"), new FunctionMetrics(), "fn"));
    }

    [Fact]
    public async Task KymaHandsABinaryCloudEventOnParsedAndRefusesAMalformedOne()
    {
        var kyma = SignatureRegistry.Get(FunctionSignatures.Kyma);
        var headers = new[] { ("ce-specversion", "1.0"), ("ce-type", "order.created"), ("ce-source", "/shop"), ("ce-id", "42"), ("Content-Type", "application/json") };

        var prepared = await kyma.PrepareAsync(Request("POST", "/", "{\"n\":1}", headers), new FunctionMetrics(), "fn");
        var refused = await kyma.PrepareAsync(Request("POST", "/", "{}", ("ce-type", "order.created"), ("ce-source", "/shop")), new FunctionMetrics(), "fn");

        using var cloudEvent = JsonDocument.Parse(prepared.Json!);
        Assert.Equal("order.created", cloudEvent.RootElement.GetProperty("type").GetString());
        Assert.Equal(1, cloudEvent.RootElement.GetProperty("data").GetProperty("n").GetInt32());
        Assert.Equal(400, refused.Answer!.StatusCode);
        Assert.Equal("urn:granary:problem:malformed-cloudevent", refused.Answer.JsonBody().GetProperty("type").GetString());
    }

    [Theory]
    [InlineData(FunctionSignatures.CloudEvent)]
    [InlineData(FunctionSignatures.Event)]
    public async Task AnEventFunctionAcceptsPostOnly(string name)
    {
        var prepared = await SignatureRegistry.Get(name).PrepareAsync(Request("GET", "/"), new FunctionMetrics(), "fn");

        Assert.Equal(404, prepared.Answer!.StatusCode);
        Assert.Equal("An event function accepts POST only, not GET.", prepared.Answer.Error);
    }

    [Fact]
    public void OnlySnippetsUseTheWorkspaceCache()
    {
        Assert.Equal([FunctionSignatures.Snippets], SignatureRegistry.All.Values.Where(s => s.UsesWorkspaceCache).Select(s => s.Name));
    }

    private static InvocationRequest Request(string method, string path, string? body = null, params (string Name, string Value)[] headers) => new()
    {
        Method = method,
        Path = path,
        Headers = [.. headers.Select(h => new HttpHeader(h.Name, h.Value))],
        Body = body is null ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes(body),
    };
}
