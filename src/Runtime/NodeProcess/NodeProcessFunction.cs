using System.Text.Json;
using Granary.Functions;
using Granary.Runtime.Execution;
using Granary.Runtime.Python;
using Granary.Runtime.Signatures.CustomCode;
using Granary.Runtime.Workers;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.NodeProcess;

/// <summary>
/// One version of a JavaScript function deployed with <c>"isolation": "process"</c>: a <see cref="WorkerFunction"/>
/// over Node.js workers, with the same protocol, pool, limits, sandbox and records as Python's.
/// </summary>
public sealed class NodeProcessFunction : WorkerFunction
{
    /// <summary>Creates the function; no worker is loaded until <see cref="FunctionEngine{TInstance}.WarmUpAsync"/> or the first invocation.</summary>
    /// <param name="definition">The version to run.</param>
    /// <param name="pool">The silo's Node.js worker pool.</param>
    /// <param name="limits">The silo's limits (queue length, body size).</param>
    /// <param name="logger">The logger.</param>
    /// <param name="cache">The workspace cache <c>cache.incr</c> calls go to (snippets), if any.</param>
    /// <param name="packagesRoot">The directory the function's npm dependencies are installed in, if it has any.</param>
    public NodeProcessFunction(FunctionDefinition definition, PythonWorkerPool pool, FunctionLimits limits, ILogger logger, ISnippetCache? cache = null, string? packagesRoot = null)
        : base(definition, pool, limits, logger, cache, MetaJson(definition, limits, pool, packagesRoot))
    {
    }

    /// <summary>
    /// Loads the code in a scratch worker and discards it: the deploy-time check that it loads and has the handler. A
    /// silo that cannot run Node.js workers (no <c>node</c>, no sandbox) refuses the deploy with the reason and the fix.
    /// </summary>
    public static async Task<CodeError?> ValidateAsync(FunctionDefinition definition, PythonWorkerPool pool, FunctionLimits limits, string? packagesRoot = null)
    {
        var meta = MetaJson(definition, limits, pool, packagesRoot);
        try
        {
            return await ValidateInWorkerAsync(definition, pool, meta);
        }
        catch (InvalidOperationException ex)
        {
            return new CodeError(CodeErrorKinds.Load, $"\"isolation\": \"process\" is not available: {ex.Message}");
        }
    }

    private static string MetaJson(FunctionDefinition definition, FunctionLimits limits, PythonWorkerPool pool, string? packagesRoot)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(pool);
        var meta = JsonSerializer.SerializeToNode(FunctionMeta.From(definition, limits, pool.Options.PublisherProxyAddress), ExecutionJsonContext.Default.FunctionMeta)!.AsObject();
        if (packagesRoot is not null)
        {
            // Sandboxed workers see the package sets read-only at the same path (NodeLauncher.ReadOnlyDirectories).
            var full = Path.GetFullPath(packagesRoot);
            if (pool.Options.Sandboxed && pool.Launcher is NodeLauncher { PackagesDirectory: { } shared }
                && !full.StartsWith(shared.TrimEnd('/') + "/", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The npm packages of {definition.Id} ({full}) are outside the directory Node.js workers see ({shared}).");
            }

            meta["packagesDirectory"] = full;
        }

        return meta.ToJsonString();
    }
}
