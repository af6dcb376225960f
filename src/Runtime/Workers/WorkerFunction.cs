using System.Runtime.CompilerServices;
using Granary.Functions;
using Granary.Runtime.Execution;
using Granary.Runtime.Signatures.CustomCode;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Workers;

/// <summary>
/// One version of a function on one silo that runs in worker processes (Python, or JavaScript in Node.js with
/// <c>"isolation": "process"</c>): the <see cref="FunctionEngine{TInstance}"/> over the workers of one language.
/// Workers are rented from the <see cref="WorkerPool"/> and loaded on demand, and discarded (never returned to
/// the pool) when they time out, run out of memory, crash, are interrupted, or the version goes. A new worker starts for
/// a queued invocation at once: a worker costs a process, so it is worth starting only when all are busy, and the
/// pool keeps blank ones ready.
/// </summary>
public abstract class WorkerFunction : FunctionEngine<WorkerProcess>
{
    private readonly WorkerPool _pool;
    private readonly string _metaJson;
    private readonly ISnippetCache? _cache;
    private readonly string? _packagesPath;

    // Computing calls in a row past which the function gets no more workers than cores, and past which the workers
    // beyond them go (see MayScaleUp, IsSurplus).
    private const int ComputingRunsToCap = 3;
    private const int ComputingRunsToRetire = 100;

    // Whether the function's last invocation was a long runner (its next starts in the idle cpu group; see LongRunWatch).
    private volatile bool _lastRunWasLong;

    // Computing calls in a row, counted up to ComputingRunsToRetire.
    private int _computingRuns;

    /// <summary>Creates the function; no worker is loaded until <see cref="FunctionEngine{TInstance}.WarmUpAsync"/> or the first invocation.</summary>
    /// <param name="definition">The version to run.</param>
    /// <param name="pool">The silo's worker pool of the function's language.</param>
    /// <param name="limits">The silo's limits (queue length, body size).</param>
    /// <param name="logger">The logger.</param>
    /// <param name="cache">The workspace cache <c>cache.incr</c> calls go to (snippets), if any.</param>
    /// <param name="metaJson">The function's meta as its worker reads it.</param>
    /// <param name="packagesPath">The function's own packages as its worker sees them (a pip set), if any.</param>
    private protected WorkerFunction(FunctionDefinition definition, WorkerPool pool, FunctionLimits limits, ILogger logger, ISnippetCache? cache, string metaJson, string? packagesPath = null)
        : base(definition, limits, pool?.Options.EchoConsole == true, logger)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _pool = pool;
        _metaJson = metaJson;
        _cache = cache;
        _packagesPath = packagesPath;
    }

    // A call ends on its worker's reader thread (see WorkerProcess.ReadFrames), not on a pool thread: a work item from
    // there would wake a pool thread for each queued invocation, where starting it here costs one pipe write before
    // the freeing call's own response goes on.
    private protected override bool StartsNextInline => true;

    // A queued invocation waits this long for a busy worker before one is started for it: a busy worker of a quick
    // function comes free within microseconds, and the wait lets the first calls show whether the function computes.
    private protected override TimeSpan ScaleUpDelay => TimeSpan.FromMilliseconds(_pool.Options.ScaleUpDelayMs);

    // Workers beyond the cores only take turns when every call computes (a hello at 64 connections: 15.5k req/s on 2
    // workers against 11.5k on 10, measured): past the core count a new worker starts only while the function has not
    // shown ComputingRunsToCap computing calls in a row. A call that waited (sleep, I/O) or failed lifts the cap at once.
    // A function can only claim to wait (its worker reports it), which gives it what every function had before: workers
    // up to its maxConcurrency.
    private protected override bool MayScaleUp(int instances) =>
        instances < Environment.ProcessorCount || Volatile.Read(ref _computingRuns) < ComputingRunsToCap;

    // Workers beyond the cores that a cold burst started before the calls showed they compute go again as they come free,
    // once the function has computed for long (ComputingRunsToRetire calls in a row): a function whose calls sometimes
    // wait never churns workers.
    private protected override bool IsSurplus(int instances) =>
        instances > Environment.ProcessorCount && Volatile.Read(ref _computingRuns) >= ComputingRunsToRetire;

    /// <summary>Gets whether the function's last invocation was a long runner.</summary>
    internal bool LastRunWasLong => _lastRunWasLong;

    /// <summary>
    /// Loads the code in a scratch worker and discards it: the deploy-time check that the code compiles (a syntax
    /// error comes back with its line and column), loads within the timeout and memory limit, and has the handler.
    /// </summary>
    private protected static async Task<CodeError?> ValidateInWorkerAsync(FunctionDefinition definition, WorkerPool pool, string metaJson, string? packagesPath = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(pool);
        var worker = await pool.RentAsync();
        try
        {
            return await worker.LoadAsync(definition.Spec.Code, metaJson, definition.Spec.MemoryLimitMb, TimeSpan.FromSeconds(definition.Spec.TimeoutSeconds), definition.Id.Tenant, packagesPath);
        }
        finally
        {
            await worker.DisposeAsync();
        }
    }

    private protected override async Task<WorkerProcess> RentInstanceAsync()
    {
        var worker = await _pool.RentAsync();
        worker.SnippetCache = _cache;
        return worker;
    }

    // The worker stops a load that runs past the timeout itself.
    private protected override Task<CodeError?> LoadCodeAsync(WorkerProcess worker) =>
        worker.LoadAsync(Definition.Spec.Code, _metaJson, Definition.Spec.MemoryLimitMb, CallTimeout, Definition.Id.Tenant, _packagesPath);

    // Pooled: the worker answers over a pipe, so every call awaits; steady state allocates no state machine for it.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private protected override async ValueTask<string> CallAsync(WorkerProcess worker, string requestJson)
    {
        try
        {
            // The worker stops the call at the timeout itself (its timer also watches for a long runner).
            return await worker.InvokeAsync(requestJson, CallTimeout, _lastRunWasLong);
        }
        finally
        {
            _lastRunWasLong = worker.LastCallWasLong;
            if (worker.LastCallComputed)
            {
                if (Volatile.Read(ref _computingRuns) < ComputingRunsToRetire)
                {
                    Interlocked.Increment(ref _computingRuns);
                }
            }
            else if (Interlocked.Exchange(ref _computingRuns, 0) >= ComputingRunsToCap)
            {
                // The cap is lifted: the invocations queued under it get workers of their own now (up to maxConcurrency).
                ScaleUpForQueue(wholeQueue: true);
            }
        }
    }

    private protected override CallFailure? Explain(WorkerProcess worker, Exception exception) => exception is not WorkerException failed ? null : failed.Fault switch
    {
        WorkerFault.Timeout or WorkerFault.Interrupted => new CallFailure(CallFailureKind.Stopped, failed.Message, failed.Logs),
        WorkerFault.MemoryLimit => new CallFailure(CallFailureKind.MemoryLimit, failed.Message, failed.Logs),
        WorkerFault.Crashed or WorkerFault.Protocol => new CallFailure(CallFailureKind.Crashed, failed.Message, failed.Logs),
        _ => null,
    };

    // The version's processes are gone when DisposeAsync completes.
    private protected override async ValueTask DisposeInstancesAsync(IReadOnlyList<WorkerProcess> instances) =>
        await Task.WhenAll(instances.Select(worker => worker.DisposeAsync().AsTask()));
}
