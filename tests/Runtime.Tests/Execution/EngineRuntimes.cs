using Granary.Functions;
using Granary.Runtime.Execution;
using Granary.Runtime.JavaScript;
using Granary.Runtime.Python;
using Granary.Runtime.Tests.JavaScript;
using Granary.Runtime.Tests.Python;

namespace Granary.Runtime.Tests.Execution;

/// <summary>The runtimes the execution engine drives, as theory data, and their functions made alike for the engine's tests.</summary>
public static class EngineRuntimes
{
    /// <summary>Gets both runtimes.</summary>
    public static TheoryData<string> All => [FunctionRuntimes.NodeJs, FunctionRuntimes.Python];

    internal static IFunctionExecutor Create(IsolatePoolFixture isolates, PythonPoolFixture python, string runtime, string code, Func<FunctionSpec, FunctionSpec>? configure = null, FunctionLimits? limits = null) =>
        runtime == FunctionRuntimes.Python
            ? PythonRunner.Create(python.Pool, code, configure, limits)
            : FunctionRunner.Create(isolates.Pool, code, configure, limits);

    internal static int InFlight(IFunctionExecutor function) => function switch
    {
        JavaScriptFunction javaScript => javaScript.InFlight,
        PythonFunction worker => worker.InFlight,
        _ => throw new ArgumentException("Not a runtime's function.", nameof(function)),
    };
}
