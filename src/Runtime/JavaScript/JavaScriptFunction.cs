using System.Diagnostics;
using System.Runtime.CompilerServices;
using Granary.Functions;
using Granary.Runtime.Execution;
using Granary.Runtime.Signatures.CustomCode;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.JavaScript;

/// <summary>
/// One version of a JavaScript function on one silo: the <see cref="FunctionEngine{TInstance}"/> over V8 isolates, each
/// loaded with the function's module. What is JavaScript's own stays here: how an isolate is rented, loaded, called and
/// explained, the inline runs of functions that proved quick, the long-runner record its isolates share, and the
/// background limits of timers and promise jobs after a response.
/// </summary>
public sealed partial class JavaScriptFunction : FunctionEngine<V8Isolate>
{
    private static readonly TimeSpan s_logCollectionWait = TimeSpan.FromMilliseconds(200);

    // Quick functions run inline on the calling thread (see KeepOrDropInline).
    private static readonly TimeSpan s_inlineBudget = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan s_inlineLimit = TimeSpan.FromSeconds(1);
    private const int QuickRunsToInline = 3;

    private readonly IsolatePool _pool;
    private readonly FunctionMeta _meta;
    private readonly ILogger _logger;
    private readonly ISnippetCache? _cache;

    // Whether this function's last run on an isolate thread was a long runner (its next starts demoted).
    private readonly ScriptScheduler.RunHistory _runs = new();
    private int _awaiting;
    private long _heapBytes;
    // Run inline once proved quick (QuickRunsToInline quick runs on the isolate's thread), never again once proved slow.
    private bool _inline;
    private bool _demoted;
    private int _quickRuns;
    private int _slowInlineRuns;

    /// <summary>Creates the function; no isolate is made until <see cref="FunctionEngine{TInstance}.WarmUpAsync"/> or the first invocation.</summary>
    public JavaScriptFunction(FunctionDefinition definition, IsolatePool pool, FunctionLimits limits, ILogger logger, ISnippetCache? cache = null, string? packagesRoot = null)
        : base(definition, limits, pool?.Options.EchoConsole == true, logger)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _pool = pool;
        _meta = JavaScriptMeta.For(definition, limits, pool.Options, packagesRoot, pool.Egress);
        _logger = logger;
        _cache = cache;
    }

    /// <summary>Gets whether invocations run inline on the caller's thread (once the function proved quick, until it proves slow).</summary>
    public bool RunsInline => Volatile.Read(ref _inline);

    /// <summary>Gets whether the function's last invocation on an isolate thread was a long runner (for tests).</summary>
    internal bool LastRunWasLong => _runs.LastRunWasLong;

    // Busy isolates usually come free within microseconds: a queued invocation gets a new isolate only if none came free
    // within this delay.
    private protected override TimeSpan ScaleUpDelay => _pool.ScaleUpDelay;

    /// <summary>
    /// Loads the code in a scratch isolate and throws it away: the deploy-time check that the code
    /// compiles, loads within the timeout and memory limit, and exports the handler.
    /// </summary>
    public static async Task<CodeError?> ValidateAsync(FunctionDefinition definition, IsolatePool pool, FunctionLimits limits, string? packagesRoot = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(limits);
        var isolate = await pool.RentAsync(definition.Spec.MemoryLimitMb, definition.Id.Tenant);
        isolate.Attach(pool.Scheduler, definition.Id.Tenant, TimeSpan.Zero, null);
        try
        {
            var error = await LoadWithTimeoutAsync(isolate, definition.Spec.Code, JavaScriptMeta.For(definition, limits, pool.Options, packagesRoot, pool.Egress), TimeSpan.FromSeconds(definition.Spec.TimeoutSeconds));
            if (error is { Kind: CodeErrorKinds.Load } && NativeAddons.Find(packagesRoot) is { Count: > 0 } failedAddons)
            {
                // Packages rarely say why their binding did not load ("Cannot find native binding"); this does.
                return new CodeError(CodeErrorKinds.Module, NativeAddons.Explain(failedAddons, error.Message), error.Line, error.Column);
            }

            if (error is not null || ModuleRequests.Find(definition.Spec.Code) is not { Count: > 0 } requests)
            {
                return error;
            }

            // What the module did not require while it loaded (a require inside the handler) would fail at its first call;
            // with a native addon in the set, a package that merely resolves may still fail to load, so those are loaded.
            var addons = NativeAddons.Find(packagesRoot);
            var problems = await isolate.CheckRequestsAsync(requests, loadPackages: addons.Count > 0);
            return problems is not null && addons.Count > 0 ? problems with { Message = NativeAddons.Explain(addons, problems.Message) } : problems;
        }
        finally
        {
            isolate.Dispose();
        }
    }

    /// <summary>Gets whether the function's isolates get V8 runtimes of their own (it broke a memory limit it shared; for tests).</summary>
    internal bool HasOwnRuntime => _runs.OwnRuntime;

    /// <summary>Gets the idle isolates, most recently used first (for tests).</summary>
    internal IReadOnlyList<V8Isolate> IdleIsolates() => IdleInstances();

    /// <summary>Gets the Linux thread ids of the idle isolates' own threads (for tests).</summary>
    internal IReadOnlyList<int> IdleIsolateThreadIds() => [.. IdleIsolates().Select(isolate => isolate.ThreadId)];

    // More isolates than cores make CPU-bound functions slower, not faster: past the core count a queued invocation gets
    // a new isolate only while some busy one waits (timers, I/O), or while the function runs on its isolates' threads.
    private protected override bool MayScaleUp(int instances) =>
        Volatile.Read(ref _awaiting) > 0 || instances < Environment.ProcessorCount || !Volatile.Read(ref _inline);

    private protected override async Task<V8Isolate> RentInstanceAsync()
    {
        // Only a first instance shares a runtime: a function's instances on one runtime would only take turns.
        var isolate = await _pool.RentAsync(Definition.Spec.MemoryLimitMb, Definition.Id.Tenant, _runs, share: Instances <= 1);
        isolate.Attach(_pool.Scheduler, Definition.Id.Tenant, CallTimeout, OnBackgroundLimit, _runs);
        isolate.SnippetCache = _cache;
        return isolate;
    }

    private protected override async Task<CodeError?> LoadCodeAsync(V8Isolate isolate)
    {
        var error = await LoadWithTimeoutAsync(isolate, Definition.Spec.Code, _meta, CallTimeout);

        // The isolates of one version load the same module: the largest heap one had after loading stands for each.
        var heap = isolate.HeapBytes;
        for (var known = Volatile.Read(ref _heapBytes); heap > known; known = Volatile.Read(ref _heapBytes))
        {
            if (Interlocked.CompareExchange(ref _heapBytes, heap, known) == known)
            {
                break;
            }
        }

        return error;
    }

    // Measured, not estimated: the V8 heap after the module loaded, and the isolate's native overhead.
    private protected override long InstanceBytes => Volatile.Read(ref _heapBytes) + V8Isolate.NativeOverheadBytes;

    private protected override void SetTraceContext(V8Isolate instance, in ActivityContext context) => instance.TraceContext = context;

    // Runs inline on the caller's thread (a function that proved quick) or on the isolate's own thread. Pooled: a call
    // that awaits (timers, I/O) allocates no state machine of its own in the steady state.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private protected override async ValueTask<string> CallAsync(V8Isolate isolate, string requestJson)
    {
        try
        {
            var inline = Volatile.Read(ref _inline) && _pool.InlineRuns.TryEnter();
            Task<string> invocation;
            TimeSpan syncTime;
            try
            {
                invocation = isolate.InvokeAsync(requestJson, inline, CallTimeout, out syncTime);
            }
            finally
            {
                if (inline)
                {
                    _pool.InlineRuns.Exit();
                }
            }

            if (inline)
            {
                KeepOrDropInline(syncTime);
            }

            string json;
            if (invocation.IsCompleted)
            {
                json = await invocation;
            }
            else
            {
                // The isolate now waits (timers, I/O) rather than computes: a queued invocation gets an isolate
                // of its own right away instead of waiting behind this one.
                Interlocked.Increment(ref _awaiting);
                ScaleUpForQueue();
                try
                {
                    json = await invocation.WaitAsync(TimeSpan.FromTicks(Math.Max(CallTimeout.Ticks - syncTime.Ticks, TimeSpan.TicksPerMillisecond)));
                }
                finally
                {
                    Interlocked.Decrement(ref _awaiting);
                }
            }

            if (!inline && !Volatile.Read(ref _inline))
            {
                LearnFromRun(isolate.LastSyncTime);
            }

            return json;
        }
        catch (Exception ex) when (ex is TimeoutException or IsolateFaultException { Fault: IsolateFault.Interrupted })
        {
            // Stopped at the timeout (the wait above, or the watchdog of an inline run) or by the caller's cancellation:
            // the console lines written so far are still in the isolate.
            if (ex is TimeoutException)
            {
                isolate.Interrupt();
            }

            throw new CallStoppedException(ex.Message, await isolate.TakeLogsAsync(s_logCollectionWait), ex);
        }
    }

    // A stopped call is a CallStoppedException (above); what else an isolate fails with is its memory limit.
    private protected override CallFailure? Explain(V8Isolate isolate, Exception exception) =>
        exception is IsolateFaultException { Fault: IsolateFault.MemoryLimit } ? new CallFailure(CallFailureKind.MemoryLimit, exception.Message, []) : null;

    // On the isolate's thread: its work after a response (timers, promise jobs) outran the function's timeout, so it was
    // interrupted, or broke its memory limit. An idle isolate is discarded now; one serving an invocation is discarded
    // when that ends.
    private void OnBackgroundLimit(V8Isolate isolate, TimeSpan used)
    {
        if (TryRemoveIdle(isolate))
        {
            isolate.Dispose();
        }

        if (isolate.Fault == IsolateFault.MemoryLimit)
        {
            LogBackgroundMemoryLimit(_meta.Name, _meta.MemoryLimitMb);
        }
        else
        {
            LogBackgroundLimit(_meta.Name, used.TotalMilliseconds, _meta.TimeoutSeconds);
        }
    }

    // A function keeps running inline while its synchronous part stays short. One that holds the caller's
    // thread for long (a second at once, or over the budget three times running) moves to its isolates'
    // own threads for good, so it never ties up the thread pool again. A single slow call (the first call
    // of a fresh process, still compiling) does not count.
    private void KeepOrDropInline(TimeSpan syncTime)
    {
        if (syncTime <= s_inlineBudget)
        {
            Volatile.Write(ref _slowInlineRuns, 0);
            return;
        }

        if (syncTime >= s_inlineLimit || Interlocked.Increment(ref _slowInlineRuns) >= 3)
        {
            Volatile.Write(ref _demoted, true);
            Volatile.Write(ref _inline, false);
            LogNoLongerInline(_meta.Name, syncTime.TotalMilliseconds);
        }
    }

    // A new version runs on its isolates' threads (at their lower priority) until a few runs in a row show that its
    // synchronous part is short: a function that spins from its first call never holds a thread-pool thread.
    private void LearnFromRun(TimeSpan syncTime)
    {
        if (Volatile.Read(ref _demoted))
        {
            return;
        }

        if (syncTime > s_inlineBudget)
        {
            Volatile.Write(ref _quickRuns, 0);
        }
        else if (Interlocked.Increment(ref _quickRuns) >= QuickRunsToInline)
        {
            Volatile.Write(ref _inline, true);
        }
    }

    private static async Task<CodeError?> LoadWithTimeoutAsync(V8Isolate isolate, string code, FunctionMeta meta, TimeSpan timeout)
    {
        try
        {
            return await isolate.LoadAsync(code, meta).WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            isolate.Interrupt();
            return new CodeError(CodeErrorKinds.Load, $"The module did not finish loading within the function's timeout of {meta.TimeoutSeconds} s.");
        }
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Function {Function} ran {SyncMs:F1} ms without yielding; it now runs on its isolates' own threads")]
    private partial void LogNoLongerInline(string function, double syncMs);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Function {Function} ran {BackgroundMs:F0} ms of timers and promise jobs after its response, beyond its timeout of {TimeoutSeconds} s; its isolate was interrupted and discarded")]
    private partial void LogBackgroundLimit(string function, double backgroundMs, int timeoutSeconds);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Function {Function} exceeded its memory limit of {MemoryLimitMb} MiB in timers or promise jobs after its response; its isolate was discarded")]
    private partial void LogBackgroundMemoryLimit(string function, int memoryLimitMb);
}
