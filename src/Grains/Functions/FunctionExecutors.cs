using Granary.Runtime.Execution;
using Granary.Runtime.JavaScript;
using Granary.Runtime.NodeProcess;
using Granary.Runtime.Packages;
using Granary.Runtime.Python;
using Granary.Runtime.Signatures.CustomCode;
using Granary.Runtime.Workers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Functions;

/// <summary>
/// Loads a function version into the runtime its spec names: V8 isolates for <c>nodejs</c> (Node.js worker processes
/// with <c>"isolation": "process"</c>), worker processes for <c>python</c>.
/// </summary>
public sealed class FunctionExecutors(IsolatePool isolates, WorkerPool python, NodeWorkers node, NpmPackages npm, PipPackages pip, IOptions<FunctionLimits> limits)
{
    /// <summary>
    /// Installs the packages the spec declares with its runtime's installer (pip requirements for <c>python</c>, npm
    /// dependencies otherwise); the outcome's directory is the <c>packagesRoot</c> of <see cref="ValidateAsync"/> and <see cref="Create"/>.
    /// </summary>
    public Task<PackageInstall> EnsurePackagesAsync(FunctionSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Runtime == FunctionRuntimes.Python ? pip.EnsureAsync(spec.Requirements) : npm.EnsureAsync(spec.Dependencies);
    }

    /// <summary>Compiles and loads the code in a scratch isolate or worker; returns why it was refused, or null.</summary>
    public Task<CodeError?> ValidateAsync(FunctionDefinition definition, string? packagesRoot)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return definition.Spec.Runtime == FunctionRuntimes.Python
            ? PythonFunction.ValidateAsync(definition, python, limits.Value, packagesRoot)
            : definition.Spec.Isolation == FunctionIsolations.Process
            ? NodeProcessFunction.ValidateAsync(definition, node.Pool, limits.Value, packagesRoot)
            : JavaScriptFunction.ValidateAsync(definition, isolates, limits.Value, packagesRoot);
    }

    /// <summary>Creates the executor of a version; nothing is loaded until its first warm-up or invocation.</summary>
    public IFunctionExecutor Create(FunctionDefinition definition, ILogger logger, ISnippetCache? cache, string? packagesRoot)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return definition.Spec.Runtime == FunctionRuntimes.Python
            ? new PythonFunction(definition, python, limits.Value, logger, cache, packagesRoot)
            : definition.Spec.Isolation == FunctionIsolations.Process
            ? new NodeProcessFunction(definition, node.Pool, limits.Value, logger, packagesRoot)
            : new JavaScriptFunction(definition, isolates, limits.Value, logger, cache, packagesRoot);
    }
}
