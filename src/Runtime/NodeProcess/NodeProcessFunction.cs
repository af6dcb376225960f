using System.Text.Json;
using Granary.Functions;
using Granary.Runtime.Execution;
using Granary.Runtime.JavaScript;
using Granary.Runtime.Workers;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.NodeProcess;

/// <summary>
/// One version of a JavaScript function deployed with <c>"isolation": "process"</c>: a <see cref="WorkerFunction"/>
/// over Node.js workers, with the same protocol, pool, limits, sandbox and records as Python's.
/// </summary>
public sealed class NodeProcessFunction : WorkerFunction
{
    /// <summary>
    /// Creates the function, served by <c>pool</c> (the silo's Node.js workers) with its npm set from
    /// <c>packagesRoot</c>, if it has one; no worker is loaded until the first warm-up or invocation. Process mode is
    /// for functions of the management API: a workspace's snippets (and their cache) run in isolates.
    /// </summary>
    public NodeProcessFunction(FunctionDefinition definition, WorkerPool pool, FunctionLimits limits, ILogger logger, string? packagesRoot = null)
        : base(definition, pool, limits, logger, null, MetaJson(definition, limits, pool, packagesRoot))
    {
    }

    /// <summary>
    /// Loads the code in a scratch worker and discards it: the deploy-time check that it loads and has the handler. A
    /// silo that cannot run Node.js workers (no <c>node</c>, no sandbox) refuses the deploy with the reason and the fix.
    /// </summary>
    public static async Task<CodeError?> ValidateAsync(FunctionDefinition definition, WorkerPool pool, FunctionLimits limits, string? packagesRoot = null)
    {
        var meta = MetaJson(definition, limits, pool, packagesRoot, ModuleRequests.Find(definition.Spec.Code));
        try
        {
            return await ValidateInWorkerAsync(definition, pool, meta);
        }
        catch (InvalidOperationException ex)
        {
            return new CodeError(CodeErrorKinds.Load, $"\"isolation\": \"process\" is not available: {ex.Message}");
        }
    }

    // At deployment, `requests` are the modules the code names by a literal; the worker checks that each one is there.
    private static string MetaJson(FunctionDefinition definition, FunctionLimits limits, WorkerPool pool, string? packagesRoot, IReadOnlyList<ModuleRequest>? requests = null)
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

        if (requests is { Count: > 0 })
        {
            meta["checkRequests"] = JsonSerializer.SerializeToNode(requests, RuntimeJsonContext.Default.IReadOnlyListModuleRequest);
        }

        return meta.ToJsonString();
    }
}
