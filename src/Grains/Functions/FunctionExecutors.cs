using Granary.Runtime.Execution;
using Granary.Runtime.JavaScript;
using Granary.Runtime.Python;
using Granary.Runtime.Signatures.CustomCode;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Functions;

/// <summary>Loads a function version into the runtime its spec names: V8 isolates for <c>nodejs</c>, worker processes for <c>python</c>.</summary>
public sealed class FunctionExecutors(IsolatePool isolates, PythonWorkerPool python, IOptions<FunctionLimits> limits)
{
    /// <summary>Compiles and loads the code in a scratch isolate or worker; returns why it was refused, or null.</summary>
    public Task<CodeError?> ValidateAsync(FunctionDefinition definition, string? packagesRoot)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return definition.Spec.Runtime == FunctionRuntimes.Python
            ? PythonFunction.ValidateAsync(definition, python, limits.Value, packagesRoot)
            : JavaScriptFunction.ValidateAsync(definition, isolates, limits.Value, packagesRoot);
    }

    /// <summary>Creates the executor of a version; nothing is loaded until its first warm-up or invocation.</summary>
    public IFunctionExecutor Create(FunctionDefinition definition, ILogger logger, ISnippetCache? cache, string? packagesRoot)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return definition.Spec.Runtime == FunctionRuntimes.Python
            ? new PythonFunction(definition, python, limits.Value, logger, cache, packagesRoot)
            : new JavaScriptFunction(definition, isolates, limits.Value, logger, cache, packagesRoot);
    }
}
