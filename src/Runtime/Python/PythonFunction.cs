using System.Runtime.CompilerServices;
using System.Text.Json;
using Granary.Functions;
using Granary.Runtime.Execution;
using Granary.Runtime.Signatures.CustomCode;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Python;

/// <summary>
/// One version of a Python function on one silo: the <see cref="FunctionEngine{TInstance}"/> over worker processes.
/// Workers are rented from the <see cref="PythonWorkerPool"/> and loaded on demand, and discarded (never returned to
/// the pool) when they time out, run out of memory, crash, are interrupted, or the version goes. A new worker starts for
/// a queued invocation at once: a worker costs a process, so it is worth starting only when all are busy, and the
/// pool keeps blank ones ready.
/// </summary>
public sealed class PythonFunction : FunctionEngine<PythonWorker>
{
    private readonly PythonWorkerPool _pool;
    private readonly string _metaJson;
    private readonly ISnippetCache? _cache;
    private readonly string? _packagesRoot;

    // Whether the function's last invocation was a long runner (its next starts in the idle cpu group; see LongRunWatch).
    private volatile bool _lastRunWasLong;

    /// <summary>Creates the function; no worker is loaded until <see cref="FunctionEngine{TInstance}.WarmUpAsync"/> or the first invocation.</summary>
    /// <param name="definition">The version to run.</param>
    /// <param name="pool">The silo's worker pool.</param>
    /// <param name="limits">The silo's limits (queue length, body size).</param>
    /// <param name="logger">The logger.</param>
    /// <param name="cache">The workspace cache <c>cache.incr</c> calls go to (snippets), if any.</param>
    /// <param name="packagesRoot">The directory of the function's pip requirements set (<see cref="Packages.PipPackages"/>), if it has one.</param>
    public PythonFunction(FunctionDefinition definition, PythonWorkerPool pool, FunctionLimits limits, ILogger logger, ISnippetCache? cache = null, string? packagesRoot = null)
        : base(definition, limits, pool?.Options.EchoConsole == true, logger)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _pool = pool;
        _packagesRoot = packagesRoot;
        _metaJson = MetaJson(definition, limits, pool.Options);
        _cache = cache;
    }

    /// <summary>Gets whether the function's last invocation was a long runner.</summary>
    internal bool LastRunWasLong => _lastRunWasLong;

    /// <summary>
    /// Loads the code in a scratch worker and discards it: the deploy-time check that the code compiles (a syntax
    /// error comes back with its line and column), loads within the timeout and memory limit, and has the handler.
    /// </summary>
    public static async Task<CodeError?> ValidateAsync(FunctionDefinition definition, PythonWorkerPool pool, FunctionLimits limits, string? packagesRoot = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(limits);
        var packagesPath = pool.PackagesPath(packagesRoot);
        var worker = await pool.RentAsync();
        try
        {
            return await worker.LoadAsync(definition.Spec.Code, MetaJson(definition, limits, pool.Options), definition.Spec.MemoryLimitMb, TimeSpan.FromSeconds(definition.Spec.TimeoutSeconds), definition.Id.Tenant, packagesPath);
        }
        finally
        {
            await worker.DisposeAsync();
        }
    }

    private protected override async Task<PythonWorker> RentInstanceAsync()
    {
        var worker = await _pool.RentAsync();
        worker.SnippetCache = _cache;
        return worker;
    }

    // The worker stops a load that runs past the timeout itself.
    private protected override Task<CodeError?> LoadCodeAsync(PythonWorker worker) =>
        worker.LoadAsync(Definition.Spec.Code, _metaJson, Definition.Spec.MemoryLimitMb, CallTimeout, Definition.Id.Tenant, _pool.PackagesPath(_packagesRoot));

    // Pooled: the worker answers over a pipe, so every call awaits; steady state allocates no state machine for it.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private protected override async ValueTask<string> CallAsync(PythonWorker worker, string requestJson)
    {
        try
        {
            // The worker stops the call at the timeout itself (its timer also watches for a long runner).
            return await worker.InvokeAsync(requestJson, CallTimeout, _lastRunWasLong);
        }
        finally
        {
            _lastRunWasLong = worker.LastCallWasLong;
        }
    }

    private protected override CallFailure? Explain(PythonWorker worker, Exception exception) => exception is not PythonWorkerException failed ? null : failed.Fault switch
    {
        PythonWorkerFault.Timeout or PythonWorkerFault.Interrupted => new CallFailure(CallFailureKind.Stopped, failed.Message, failed.Logs),
        PythonWorkerFault.MemoryLimit => new CallFailure(CallFailureKind.MemoryLimit, failed.Message, failed.Logs),
        PythonWorkerFault.Crashed or PythonWorkerFault.Protocol => new CallFailure(CallFailureKind.Crashed, failed.Message, failed.Logs),
        _ => null,
    };

    // The version's processes are gone when DisposeAsync completes.
    private protected override async ValueTask DisposeInstancesAsync(IReadOnlyList<PythonWorker> instances) =>
        await Task.WhenAll(instances.Select(worker => worker.DisposeAsync().AsTask()));

    private static string MetaJson(FunctionDefinition definition, FunctionLimits limits, PythonRuntimeOptions options)
    {
        // The JavaScript meta, with nothing of Node: no built-in module list, no file system, no npm packages (pip
        // packages travel beside it, in the load frame).
        return JsonSerializer.Serialize(FunctionMeta.From(definition, limits, options.PublisherProxyAddress), ExecutionJsonContext.Default.FunctionMeta);
    }
}
