using System.Text.Json;
using Granary.Functions;
using Granary.Runtime.Execution;
using Granary.Runtime.Signatures.CustomCode;
using Granary.Runtime.Workers;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Python;

/// <summary>One version of a Python function on one silo: a <see cref="WorkerFunction"/> over CPython workers.</summary>
public sealed class PythonFunction : WorkerFunction
{
    /// <summary>Creates the function; no worker is loaded until <see cref="FunctionEngine{TInstance}.WarmUpAsync"/> or the first invocation.</summary>
    /// <param name="definition">The version to run.</param>
    /// <param name="pool">The silo's worker pool.</param>
    /// <param name="limits">The silo's limits (queue length, body size).</param>
    /// <param name="logger">The logger.</param>
    /// <param name="cache">The workspace cache <c>cache.incr</c> calls go to (snippets), if any.</param>
    /// <param name="packagesRoot">The directory of the function's pip requirements set (<see cref="Packages.PipPackages"/>), if it has one.</param>
    public PythonFunction(FunctionDefinition definition, WorkerPool pool, FunctionLimits limits, ILogger logger, ISnippetCache? cache = null, string? packagesRoot = null)
        : base(definition, pool, limits, logger, cache, MetaJson(definition, limits, pool), pool?.PackagesPath(packagesRoot))
    {
    }

    /// <summary>
    /// Loads the code in a scratch worker and discards it: the deploy-time check that the code compiles (a syntax
    /// error comes back with its line and column), loads within the timeout and memory limit, and has the handler.
    /// </summary>
    public static Task<CodeError?> ValidateAsync(FunctionDefinition definition, WorkerPool pool, FunctionLimits limits, string? packagesRoot = null) =>
        ValidateInWorkerAsync(definition, pool, MetaJson(definition, limits, pool), pool?.PackagesPath(packagesRoot));

    private static string MetaJson(FunctionDefinition definition, FunctionLimits limits, WorkerPool pool)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(pool);

        // The JavaScript meta, with nothing of Node: no built-in module list, no file system, no npm packages (pip
        // packages travel beside it, in the load frame).
        return JsonSerializer.Serialize(FunctionMeta.From(definition, limits, pool.Options.PublisherProxyAddress), ExecutionJsonContext.Default.FunctionMeta);
    }
}
