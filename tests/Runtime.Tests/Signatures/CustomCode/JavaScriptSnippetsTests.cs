using Granary.Functions;
using Granary.Runtime.Signatures.CustomCode;
using Granary.Runtime.Tests.JavaScript;
using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.Signatures.CustomCode;

/// <summary>A workspace's snippets module on V8: what the host answers on a snippet's behalf has the Custom Code shape.</summary>
public sealed class JavaScriptSnippetsTests(IsolatePoolFixture fixture) : IClassFixture<IsolatePoolFixture>
{
    [Fact]
    public async Task AModuleThatNoLongerLoadsIsALoadErrorInTheCustomCodeShape()
    {
        // As the Python runtime answers it: the answer a cold run gets when the module fails to load.
        await using var function = Create(fixture.Pool, "throw new Error('the module broke');", s => s with
        {
            Signature = FunctionSignatures.Snippets,
            Handler = SnippetModule.Export,
        });

        var result = await function.InvokeAsync(Json("{\"parameters\":{}}") with { Path = "/run/hello" });

        Assert.Equal(500, result.StatusCode);
        Assert.Equal(InvocationOutcomes.LoadError, result.Outcome);
        Assert.Equal("application/json; charset=utf-8", result.Header("Content-Type"));
        var body = result.JsonBody();
        Assert.Equal("LoadError", body.GetProperty("error").GetString());
        Assert.Contains("the module broke", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, body.GetProperty("logs").GetArrayLength());
        Assert.Equal(0, body.GetProperty("duration").GetDouble());
    }
}
