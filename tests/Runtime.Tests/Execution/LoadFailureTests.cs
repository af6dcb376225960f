using Granary.Functions;
using Granary.Runtime.Execution;
using Granary.Runtime.Tests.JavaScript;
using Granary.Runtime.Tests.Python;

namespace Granary.Runtime.Tests.Execution;

/// <summary>A module that fails to load when an invocation needs it is answered alike by both runtimes.</summary>
public sealed class LoadFailureTests(IsolatePoolFixture isolates, PythonPoolFixture python)
    : IClassFixture<IsolatePoolFixture>, IClassFixture<PythonPoolFixture>
{
    // The engine answers a snippet's load failure in the Custom Code shape in both runtimes (JavaScript answered it as
    // problem details, unlike every other failure of a snippet).
    [Theory]
    [MemberData(nameof(EngineRuntimes.All), MemberType = typeof(EngineRuntimes))]
    public async Task ASnippetModuleThatFailsToLoadIsAnsweredInTheCustomCodeShape(string runtime)
    {
        // Python snippets come as one JSON module (SnippetModule.CreatePython): anything else does not load.
        var (code, why) = runtime == FunctionRuntimes.Python
            ? ("raise RuntimeError('broken')", "The snippets module is not valid JSON")
            : ("throw new Error('broken at load');", "broken at load");
        await using var function = Create(runtime, code, s => s with { Signature = FunctionSignatures.Snippets, Handler = "main" });

        var result = await function.InvokeAsync(InvocationRequest.Json("""{"parameters":{}}""", "/run/hello"));

        Assert.Equal(500, result.StatusCode);
        Assert.Equal(InvocationOutcomes.LoadError, result.Outcome);
        Assert.True(result.Cold);
        Assert.Equal("application/json; charset=utf-8", result.Header("Content-Type"));
        var body = result.JsonBody();
        Assert.Equal("LoadError", body.GetProperty("error").GetString());
        Assert.Contains(why, body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private IFunctionExecutor Create(string runtime, string code, Func<FunctionSpec, FunctionSpec>? configure = null) =>
        EngineRuntimes.Create(isolates, python, runtime, code, configure);
}
