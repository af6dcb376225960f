using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Granary.Functions;
using Granary.Runtime.Execution;
using Microsoft.ClearScript;
using Microsoft.ClearScript.V8;

namespace Granary.Runtime.JavaScript;

/// <summary>
/// One V8 isolate and its event loop, like a tiny Node process. An isolate serves one invocation at a time and
/// belongs to one function version for its whole life. Script runs in two places, never at once (the entry
/// lock): an invocation of a function that has proved quick runs inline on the caller's thread, which saves
/// two thread hand-offs per call; everything else (loading, timers, invocations of slow functions) runs on
/// the isolate's own thread, so a function that blocks holds only that thread. <see cref="Interrupt"/>, from
/// any thread, stops whatever script runs.
/// </summary>
/// <remarks>
/// On its own thread, each run of script (a module load, an invocation, a timer callback, a host operation's
/// continuation) first takes a slot from the silo's <see cref="ScriptScheduler"/>, so that a tenant's isolates cannot
/// all compute at once. Script that runs while no invocation is in progress (timers and promise jobs after the
/// response) draws on a background budget, the function's timeout, granted afresh by each invocation: an isolate that
/// spends it is interrupted and its owner discards it.
/// </remarks>
public sealed partial class V8Isolate : IFunctionInstance
{
    /// <summary>
    /// Wraps user code like Node's CommonJS loader; kept on line 1 so line numbers match the user's. The extra parameter
    /// (never passed) shadows <c>EngineInternal</c>, the helpers ClearScript defines on the global object as a
    /// non-configurable property that no script can delete: in the function's code the name is undefined.
    /// </summary>
    internal const string ModulePrefix = "(function (exports, require, module, __filename, __dirname, EngineInternal) { ";

    private const int StackSizeBytes = 16 * 1024 * 1024;

    // The warm-up's request and function (Prime), written once as an invocation's are.
    private static readonly string s_primeRequest = InvocationJson.Write(InvocationRequest.Json("""{"a":1}"""));

    private static readonly string s_primeMeta = JsonSerializer.Serialize(
        new FunctionMeta { Name = "prime", Workspace = "prime", Tenant = "prime", Handler = "main", Signature = "handler", Runtime = "nodejs", TimeoutSeconds = 1 },
        ExecutionJsonContext.Default.FunctionMeta);

    // How long the process's exit waits for teardowns under way (see Close).
    private static readonly TimeSpan s_exitWait = TimeSpan.FromSeconds(10);

    // Teardowns under way, and whether the process is exiting: a silo stopping disposes its isolates, whose threads tear
    // them down after the host has stopped; a runtime's disposal still running when the process exits crashed it (a
    // stopped silo exited with SIGSEGV in CI). The exit waits for those under way; a teardown that begins after it does
    // not touch V8 (the process frees everything anyway).
    private static int s_teardowns;
    private static int s_exiting;

    static V8Isolate()
    {
        AppDomain.CurrentDomain.ProcessExit += static (_, _) => AwaitTeardowns();
    }

    // Script may run on thread-pool threads (1.5 MiB stacks), so V8 gets an explicit stack budget per entry
    // rather than assuming the stack it saw first: deep recursion is a RangeError, never a crash.
    internal const int MaxScriptStackBytes = 768 * 1024;

    // The event loop's queue. The loop blocks on a signal that never spins: a spinning wait (SemaphoreSlim,
    // BlockingCollection) cost ~12% of all CPU under load on two cores, yielding in a loop.
    private readonly ConcurrentQueue<(Action Action, RunKind Kind)> _work = new();
    private readonly ManualResetEventSlim _signal = new(false, spinCount: 0);

    // Held by whoever runs script: the loop thread or an inline caller, of this isolate or of another function's on the
    // same V8 runtime (it is the runtime's). Timers are only touched under it too.
    private readonly Lock _entry;
    private readonly SharedRuntime _runtime;
    // The timers, touched by script (holding the entry lock) and by the loop: a lock of their own, so that the loop's
    // bookkeeping never waits for a neighbour's script on a shared runtime.
    private readonly Lock _timers = new();
    private readonly PriorityQueue<int, long> _timerQueue = new();
    private readonly Dictionary<int, long> _timerDue = [];
    private readonly IsolateSettings _settings;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Timer _watchdog;
    private V8ScriptEngine? _engine;
    private ScriptObject? _load;
    private ScriptObject? _invoke;
    private ScriptObject? _fireTimer;
    private ScriptObject? _takeLogs;
    private ScriptObject? _checkRequests;
    private ScriptObject? _completeOp;
    private ScriptObject? _completeCacheOp;
    private IsolateHost _host = null!;
    private long _heapBytes;
    private TaskCompletionSource<string>? _pending;
    private int _pendingSeq;
    private long _lastSyncTicks;
    private long _loopWakeAt = long.MaxValue;
    private volatile bool _stopping;
    private volatile IsolateFault _fault;
    private bool _handOff;

    // The loop thread still runs at the process's priority: the cold start's own work (see Run).
    private bool _atProcessPriority;
    private int _threadId;
    private ScriptScheduler? _scheduler;
    private string? _startTenant;
    private ScriptScheduler.Runner? _runner;
    private ScriptScheduler.RunHistory? _startHistory;
    private long _backgroundBudgetTicks;
    private long _backgroundUsedTicks;
    private Action<V8Isolate, TimeSpan>? _onBackgroundLimit;
    private ScriptScheduler.RunHistory? _history;

    // Set from a neighbour's thread on a shared runtime: this isolate's invocation held the runtime so long that the
    // neighbour's had to move; it is discarded once its invocation ends, and its function gets runtimes of its own.
    private volatile bool _retired;

    private V8Isolate(IsolateSettings settings, ScriptScheduler? scheduler, string? tenant, ScriptScheduler.RunHistory? history, SharedRuntime runtime)
    {
        _settings = settings;
        _runtime = runtime;
        _entry = runtime.Entry;
        _scheduler = scheduler;
        _startTenant = tenant;
        _startHistory = history;
        _watchdog = new Timer(static state => ((V8Isolate)state!).Interrupt(), this, Timeout.Infinite, Timeout.Infinite);
        var thread = new Thread(Run, StackSizeBytes) { IsBackground = true, Name = "granary-v8" };
        thread.Start();
    }

    /// <summary>
    /// Gets the physical size of the isolate's V8 heap when its module had loaded, in bytes (0 before): what the silo's
    /// warm-memory budget counts for it, beside <see cref="NativeOverheadBytes"/>.
    /// </summary>
    internal long HeapBytes => Volatile.Read(ref _heapBytes);

    /// <summary>
    /// Gets what an isolate costs the process beyond its V8 heap, in bytes: its thread's touched stack, V8's
    /// per-isolate tables and ClearScript's proxies (measured: 2.82 MiB of RSS per blank isolate, 2.09 MiB of it heap).
    /// </summary>
    internal static long NativeOverheadBytes => 768L << 10;

    /// <summary>Gets the limits the isolate was created with.</summary>
    public IsolateSettings Settings => _settings;

    /// <summary>Gets why the isolate can no longer be used, or <see cref="IsolateFault.None"/>.</summary>
    public IsolateFault Fault => _fault;

    /// <summary>
    /// Gets whether the isolate can take more work: it is healthy, and so is the V8 runtime it shares (no neighbour broke its
    /// heap limit, none holds it with a long run).
    /// </summary>
    public bool IsUsable => _fault == IsolateFault.None && !_retired && !_runtime.IsBroken;

    /// <summary>Gets the V8 runtime the isolate is a context of (shared with other functions of its tenant, or its own).</summary>
    internal SharedRuntime Runtime => _runtime;

    /// <summary>Gets the Linux thread id of the isolate's own thread (0 off Linux); it changes when the loop moves to a new thread.</summary>
    internal int ThreadId => _threadId;

    /// <summary>
    /// Binds the isolate to its function before it loads the function's code: runs of script on its thread take slots
    /// of <paramref name="tenant"/> from <paramref name="scheduler"/>, and script that runs while no invocation is in
    /// progress may take up to <paramref name="backgroundBudget"/> per invocation (zero: unbounded) before the isolate
    /// is interrupted and <paramref name="onBackgroundLimit"/> told, on the isolate's thread; it is told too when such
    /// script breaks the isolate otherwise (its memory limit; see <see cref="Fault"/>). <paramref name="history"/> is the
    /// function's long-run record, which all its isolates share.
    /// </summary>
    internal void Attach(ScriptScheduler? scheduler, string tenant, TimeSpan backgroundBudget, Action<V8Isolate, TimeSpan>? onBackgroundLimit, ScriptScheduler.RunHistory? history = null)
    {
        if (scheduler is not null && (_runner is null || _startTenant != tenant))
        {
            _scheduler = scheduler;
            _runner = NewRunner(scheduler, tenant);
        }

        _runner?.History = history;
        _history = history;

        _backgroundBudgetTicks = (long)(backgroundBudget.TotalSeconds * Stopwatch.Frequency);
        _onBackgroundLimit = onBackgroundLimit;
    }

    /// <summary>
    /// Gets the signature the loaded function runs with: the definition's, unless the code registered the
    /// function with the Functions Framework's declarative API, which wins.
    /// </summary>
    public string? Signature { get; private set; }

    /// <summary>Creates an isolate and runs the bootstrap in it.</summary>
    public static Task<V8Isolate> StartAsync(IsolateSettings settings) => StartAsync(settings, null, null);

    /// <summary>
    /// Makes a V8 runtime of its own for one isolate (a founder, when <paramref name="capacity"/> lets others of its tenant
    /// join it later; see <see cref="SharedRuntime"/>), already counting that isolate.
    /// </summary>
    internal static SharedRuntime NewRuntime(IsolateSettings settings, int capacity = 1, TimeSpan? longRun = null) =>
        new(settings, capacity, longRun ?? TimeSpan.FromMilliseconds(50));

    /// <summary>
    /// Creates an isolate for a tenant's function: the bootstrap already takes a slot of <paramref name="tenant"/> from
    /// <paramref name="scheduler"/>, so a tenant whose isolates are discarded and replaced in waves (functions that spin
    /// until their timeout) makes its replacements at its own pace; for a function whose last run was a long runner
    /// (<paramref name="history"/>), at long-runner priority.
    /// </summary>
    /// <remarks>
    /// On <paramref name="runtime"/> (whose place for it is already taken: <see cref="SharedRuntime.TryJoin"/>, or a new
    /// runtime from <see cref="NewRuntime"/>); on a runtime of its own when null.
    /// </remarks>
    internal static async Task<V8Isolate> StartAsync(IsolateSettings settings, ScriptScheduler? scheduler, string? tenant, ScriptScheduler.RunHistory? history = null, SharedRuntime? runtime = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var isolate = new V8Isolate(settings, tenant is null ? null : scheduler, tenant, history, runtime ?? NewRuntime(settings));
        await isolate._started.Task;
        return isolate;
    }

    /// <summary>
    /// Compiles and runs the function module, then binds the handler to its signature adapter.
    /// Returns null when the function is ready, else why it is not. A module that loops must be stopped
    /// by the caller with <see cref="Interrupt"/>.
    /// </summary>
    public Task<CodeError?> LoadAsync(string code, FunctionMeta meta)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(meta);
        var result = new TaskCompletionSource<CodeError?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var document = meta.Name + ".js";
        var posted = Post(() =>
        {
            if (_fault != IsolateFault.None)
            {
                result.TrySetResult(new CodeError(CodeErrorKinds.Load, "The isolate was discarded before the module loaded."));
                return;
            }

            try
            {
                _host.FileSystemRoot = meta.FileSystemRoot;
                _host.PackagesRoot = meta.PackagesRoot;
                _host.Function = meta;
                if (IsModule(meta))
                {
                    LoadModule(code, meta, result);
                    return;
                }

                V8Script script;
                try
                {
                    script = _engine!.Compile(new DocumentInfo(document), ModulePrefix + code + "\n})");
                }
                catch (ScriptEngineException ex) when (!IsMemoryFault(ex))
                {
                    result.TrySetResult(CompileError(code, ex.Message, FindPosition(ex.ErrorDetails, document)));
                    return;
                }

                using (script)
                {
                    var wrapper = _engine.Evaluate(script);
                    var outcome = (string)_load!.Invoke(false, wrapper, JsonSerializer.Serialize(meta, ExecutionJsonContext.Default.FunctionMeta));

                    // Before the result: its continuation (the function's) reads the heap size.
                    SampleHeap();
                    result.TrySetResult(Outcome(outcome, document));
                }
            }
            catch (Exception ex)
            {
                var fault = Classify(ex);
                result.TrySetResult(new CodeError(CodeErrorKinds.Load, fault switch
                {
                    IsolateFault.MemoryLimit => $"The module exceeded the memory limit of {_settings.MemoryLimitMb} MiB while loading.",
                    IsolateFault.Interrupted => "The module did not finish loading within the function's timeout.",
                    _ => ex.Message,
                }));
            }
        }, RunKind.Load);
        if (!posted)
        {
            result.TrySetResult(new CodeError(CodeErrorKinds.Load, "The isolate was discarded before the module loaded."));
        }

        return result.Task;
    }

    /// <summary>
    /// Runs one invocation. The task completes with the adapter's result (JSON), or fails with
    /// <see cref="IsolateFaultException"/> when the isolate breaks under it. With <paramref name="inline"/>,
    /// the synchronous part runs on the calling thread (stopped by a watchdog at <paramref name="timeout"/>);
    /// <paramref name="syncTime"/> then tells how long it held that thread.
    /// </summary>
    public Task<string> InvokeAsync(string requestJson, bool inline, TimeSpan timeout, out TimeSpan syncTime)
    {
        syncTime = TimeSpan.Zero;
        if (!inline)
        {
            var result = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!Post(() => Start(requestJson, result, onLoop: true), RunKind.Invocation))
            {
                result.TrySetException(Discarded());
            }

            return result.Task;
        }

        if (!EnterRuntime(RunKind.Invocation))
        {
            return Task.FromException<string>(Unavailable());
        }

        var started = Stopwatch.GetTimestamp();
        _watchdog.Change(timeout, Timeout.InfiniteTimeSpan);
        try
        {
            var result = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            return Start(requestJson, result) is { } json ? Task.FromResult(json) : result.Task;
        }
        finally
        {
            _watchdog.Change(Timeout.Infinite, Timeout.Infinite);
            syncTime = Stopwatch.GetElapsedTime(started);
            ExitRuntime();
        }
    }

    /// <summary>
    /// Gets how long the last invocation's synchronous part ran (set before its result is), so that a function run on
    /// the isolate's thread can show it is quick enough to run inline. On the isolate's own thread it is the thread's
    /// CPU time: on a busy machine a nice-10 thread waits for a core in the middle of a run, and a trivial function
    /// timed by the wall clock failed to show it was quick.
    /// </summary>
    public TimeSpan LastSyncTime => Stopwatch.GetElapsedTime(0, Volatile.Read(ref _lastSyncTicks));

    // Under the entry lock: starts an invocation and returns its result if it finished synchronously;
    // otherwise the result arrives in `pending` when a timer callback completes it. On the loop's thread (onLoop) the
    // synchronous part is timed by the thread's CPU clock (one system call each side; the inline path reads none).
    private string? Start(string requestJson, TaskCompletionSource<string> pending, bool onLoop = false)
    {
        var started = Stopwatch.GetTimestamp();
        var cpuStarted = onLoop ? ThreadNice.CurrentThreadCpuTimeNs() : -1;
        if (_pending is not null)
        {
            pending.TrySetException(new InvalidOperationException("The isolate is already running an invocation."));
            return null;
        }

        if (_fault == IsolateFault.None && _runtime.IsBroken)
        {
            // A neighbour on the shared runtime broke its heap limit: V8 would refuse this invocation too.
            _fault = IsolateFault.Unavailable;
        }

        if (_fault != IsolateFault.None)
        {
            // Interrupted or disposed while the invocation waited for the loop, or its shared runtime can no longer run it.
            pending.TrySetException(_fault switch
            {
                IsolateFault.MemoryLimit => new IsolateFaultException(IsolateFault.MemoryLimit, MemoryLimitMessage),
                IsolateFault.Unavailable => Unavailable(),
                _ => Discarded(),
            });
            return null;
        }

        // Each invocation grants the isolate's background work (after its response) a fresh budget.
        _backgroundUsedTicks = 0;
        _pending = pending;
        _pendingSeq++;
        string? json;
        try
        {
            // The hot path: no closure and no Execute wrapper, one call into V8.
            json = _invoke!.Invoke(false, _pendingSeq, requestJson) as string;
        }
        catch (Exception ex)
        {
            Fail(ex);
            return null;
        }
        finally
        {
            var cpu = cpuStarted >= 0 ? ThreadNice.CurrentThreadCpuTimeNs() - cpuStarted : -1;
            Volatile.Write(ref _lastSyncTicks, cpu >= 0 ? (long)(cpu * (Stopwatch.Frequency / 1e9)) : Stopwatch.GetTimestamp() - started);
        }

        if (json is not null && _pending == pending)
        {
            _pending = null;
            _host.EndInvocation();
            pending.TrySetResult(json);
        }

        // A function that awaited only settled promises has completed by now, during V8's microtask
        // checkpoint at the end of the call, through host.complete.
        return json ?? (pending.Task.IsCompletedSuccessfully ? pending.Task.Result : null);
    }

    private IsolateFaultException Discarded() =>
        new(_fault == IsolateFault.None ? IsolateFault.Disposed : _fault, "The isolate was discarded.");

    /// <summary>
    /// Says why the modules the code names would fail when it requires or imports them (after a load, with the
    /// function's allow-list and packages in force): a <see cref="CodeErrorKinds.Module"/> error with one line of
    /// message each and the line of the first, or null when they are all there: the deploy-time check of the requests
    /// that only run inside the handler. Nothing is loaded but built-ins, unless <paramref name="loadPackages"/>: then
    /// the named packages are loaded too (a set with a native addon fails only then).
    /// </summary>
    public Task<CodeError?> CheckRequestsAsync(IReadOnlyList<ModuleRequest> requests, bool loadPackages = false)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var result = new TaskCompletionSource<CodeError?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var json = JsonSerializer.Serialize(requests, RuntimeJsonContext.Default.IReadOnlyListModuleRequest);
        var posted = Post(() =>
        {
            try
            {
                result.TrySetResult(_checkRequests!.Invoke(false, json, loadPackages) is string { Length: > 0 } problems
                    ? JsonSerializer.Deserialize(problems, RuntimeJsonContext.Default.CodeError)
                    : null);
            }
            catch (ScriptEngineException ex)
            {
                result.TrySetResult(new CodeError(CodeErrorKinds.Module, ex.Message));
            }
        });
        return posted ? result.Task : Task.FromResult<CodeError?>(null);
    }

    /// <summary>
    /// Collects the console lines written since the last invocation ended; used after a timeout, when the
    /// invocation itself cannot report them. Empty if the isolate cannot run script any more.
    /// </summary>
    public async Task<ImmutableArray<LogLine>> TakeLogsAsync(TimeSpan wait)
    {
        var result = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var posted = Post(() =>
        {
            try
            {
                _engine!.CancelInterrupt();
                result.TrySetResult(_takeLogs!.Invoke(false) as string);
            }
            catch (ScriptEngineException)
            {
                result.TrySetResult(null);
            }
        });
        if (!posted)
        {
            return [];
        }

        try
        {
            var json = await result.Task.WaitAsync(wait);
            return json is null ? [] : InvocationJson.ReadLogs(json);
        }
        catch (TimeoutException)
        {
            return [];
        }
    }

    /// <summary>
    /// Stops whatever script runs now (a timeout, a cancelled call), from any thread; script cannot catch it. The isolate is
    /// then discarded by its owner.
    /// </summary>
    public void Interrupt()
    {
        if (_fault == IsolateFault.None)
        {
            _fault = IsolateFault.Interrupted;
        }

        InterruptEngine();

        // A run waiting for a slot gives up waiting; a running one gets the CPU it needs to see the interrupt.
        if (_runner is { } runner)
        {
            runner.Wake.Set();
            _scheduler!.Release(runner);
        }

        // An invocation that waits on a promise runs no script, so there is nothing to interrupt: end it here.
        _ = Post(() => FailPending(new IsolateFaultException(IsolateFault.Interrupted, "The invocation was interrupted.")));
    }

    /// <summary>Ends the event loop and releases the isolate's memory.</summary>
    public void Dispose()
    {
        if (_fault == IsolateFault.Disposed)
        {
            return;
        }

        _fault = IsolateFault.Disposed;
        InterruptEngine();

        _stopping = true;
        _runner?.Wake.Set();
        _watchdog.Dispose();
        _signal.Set();
    }

    internal void OnComplete(int seq, string json)
    {
        if (_pending is { } pending && seq == _pendingSeq)
        {
            _pending = null;
            _host.EndInvocation();
            pending.TrySetResult(json);
        }
    }

    /// <summary>
    /// Gets or sets the trace context of the invocation the isolate runs (set before each call, read by its host
    /// operations: an outbound fetch carries it), default outside a trace.
    /// </summary>
    internal ActivityContext TraceContext { get; set; }

    /// <summary>Gets the running invocation's sequence number, or 0 between invocations; on a thread that holds the isolate.</summary>
    internal int Invocation => _pending is null ? 0 : _pendingSeq;

    // A host operation (an outbound request) finished: settle its promise on the event loop.
    internal void CompleteOperation(int id, bool ok, int status, string headersJson, string body) =>
        _ = Post(() =>
        {
            if (_fault == IsolateFault.None)
            {
                _completeOp!.Invoke(false, id, ok, status, headersJson, body);
            }
        });

    // A host operation of one invocation (a fetch) finished: settle its promise only while that invocation still runs.
    internal void CompleteOperation(int id, bool ok, int status, string headersJson, string body, int invocation) =>
        _ = Post(() =>
        {
            if (_fault == IsolateFault.None && _pending is not null && _pendingSeq == invocation)
            {
                _completeOp!.Invoke(false, id, ok, status, headersJson, body);
            }
        });

    internal void CompleteCacheOperation(int id, bool ok, string value) =>
        _ = Post(() =>
        {
            if (_fault == IsolateFault.None)
            {
                _completeCacheOp!.Invoke(false, id, ok, value);
            }
        });

    /// <summary>Gets or sets the workspace cache the loaded snippets module works on.</summary>
    public Signatures.CustomCode.ISnippetCache? SnippetCache
    {
        get => _host.SnippetCache;
        set => _host.SnippetCache = value;
    }

    /// <summary>Compiles and runs an on-demand part of the built-ins in this isolate (called from script, on its thread).</summary>
    internal object? EvaluateOnDemand(string name) => OnDemandScripts.Evaluate(_engine!, name);

    internal void SetTimer(int id, double delayMs)
    {
        var due = Stopwatch.GetTimestamp() + (long)(Math.Max(delayMs, 0) * Stopwatch.Frequency / 1000);
        lock (_timers)
        {
            _timerDue[id] = due;
            _timerQueue.Enqueue(id, due);
        }

        if (due < Volatile.Read(ref _loopWakeAt))
        {
            // Armed by an inline invocation: the loop sleeps past it, so wake it to re-plan.
            _signal.Set();
        }
    }

    internal void ClearTimer(int id)
    {
        lock (_timers)
        {
            _timerDue.Remove(id);
        }
    }

    // On the isolate's thread, holding it: V8's heap statistics, a walk over its spaces (microseconds). V8 measures a
    // runtime, not a context: on a shared runtime each member counts an equal share.
    private void SampleHeap()
    {
        if (_fault == IsolateFault.None && _engine is { } engine)
        {
            Volatile.Write(ref _heapBytes, (long)engine.GetRuntimeHeapInfo().TotalPhysicalSize / Math.Max(1, _runtime.Members));
        }
    }

    // Stops this isolate's script, and only its own: on a shared runtime V8 would stop whichever member runs.
    private void InterruptEngine()
    {
        if (_engine is not { } engine)
        {
            return;
        }

        try
        {
            _runtime.Interrupt(this, engine);
        }
        catch (ObjectDisposedException)
        {
            // Already gone: nothing left to interrupt.
        }
    }

    // Takes the entry lock for a run of script, and tells a shared runtime which member runs (see SharedRuntime). An
    // invocation on a shared runtime waits at most the runtime's long-run time: rather than wait for a neighbour's long
    // run to reach its timeout, it gives up before it starts (false), the isolate is discarded (InstanceUnavailable) and
    // the neighbour, if an invocation holds the runtime, is retired.
    private bool EnterRuntime(RunKind kind)
    {
        if (kind != RunKind.Invocation || !_runtime.IsShared)
        {
            _entry.Enter();
        }
        else if (!_entry.TryEnter(_runtime.LongRun))
        {
            if (_fault == IsolateFault.None)
            {
                _fault = IsolateFault.Unavailable;
            }

            _runtime.RetireLongRunner(this);
            return false;
        }

        if (_runtime.IsShared)
        {
            _runtime.EnterScript(this);
        }

        return true;
    }

    private void ExitRuntime()
    {
        if (_runtime.IsShared)
        {
            _runtime.ExitScript();
        }

        _entry.Exit();
    }

    /// <summary>
    /// Called by a neighbour that gave up waiting for the shared runtime while this isolate held it: when what holds it is
    /// an invocation, the isolate leaves once that ends and its function's next isolates get runtimes of their own.
    /// </summary>
    internal void Retire()
    {
        if (_pending is not null)
        {
            _retired = true;
            _history?.OwnRuntime = true;
        }
    }

    private InstanceUnavailableException Unavailable() =>
        new(_runtime.IsBroken
            ? "A function sharing the isolate's V8 runtime exceeded the memory limit before this invocation started."
            : "A function sharing the isolate's V8 runtime held it with a long run; the invocation moves to a new isolate.");

    // Work that runs script checks the fault itself first: work posted before an interrupt or a dispose still runs,
    // to settle what waits on it, but no longer runs user code.
    private bool Post(Action action, RunKind kind = RunKind.Host)
    {
        if (_stopping)
        {
            // The loop has ended (disposed): the work can never run.
            return false;
        }

        _work.Enqueue((action, kind));
        _signal.Set();
        return true;
    }

    // V8 compiles functions lazily, in each isolate: the load and call paths of a cold start (configure, bind, the default
    // signature's adapter, the request and the response) were compiled on the first request's path. An isolate made
    // ahead of need (no tenant yet: the pool's, a shared runtime's spare) runs them once, on a function it then forgets.
    private void Prime(ScriptObject internals, ScriptObject get)
    {
        using (var script = _engine!.Compile(new DocumentInfo("granary-prime.js"), ModulePrefix + "module.exports = () => 'primed';\n})"))
        {
            _ = _load!.Invoke(false, _engine.Evaluate(script), s_primeMeta);
        }

        _ = _invoke!.Invoke(false, 0, s_primeRequest);
        ((ScriptObject)get.Invoke(false, internals, "unprime")).Invoke(false);
    }

    private void Run()
    {
        _threadId = ThreadNice.CurrentThreadId();
        var slot = false;
        if (_scheduler is not null && _startTenant is not null)
        {
            _runner = NewRunner(_scheduler, _startTenant);
            _runner.History = _startHistory;
            slot = _scheduler.Enter(_runner);
        }

        try
        {
            EnterRuntime(RunKind.Load);
            try
            {
                _engine = _runtime.Runtime.CreateScriptEngine(V8ScriptEngineFlags.DisableGlobalMembers | V8ScriptEngineFlags.EnableDynamicModuleImports);
                _engine.AllowReflection = false;
                var bootstrap = _runtime.EvaluateBootstrap(_engine);
                _host = new IsolateHost(this);
                var internals = (ScriptObject)bootstrap.Invoke(false, _host);

                // Functions read with GetProperty cost ~90 µs more per call than the same functions returned
                // by a script call (measured with ClearScript 7.5.1), so the entry points are fetched by script.
                var get = (ScriptObject)_engine.Evaluate("(function (o, name) { return o[name]; })");
                _load = (ScriptObject)get.Invoke(false, internals, "load");
                _invoke = (ScriptObject)get.Invoke(false, internals, "invoke");
                _fireTimer = (ScriptObject)get.Invoke(false, internals, "fireTimer");
                _takeLogs = (ScriptObject)get.Invoke(false, internals, "takeLogs");
                _checkRequests = (ScriptObject)get.Invoke(false, internals, "checkRequests");
                _completeOp = (ScriptObject)get.Invoke(false, internals, "completeOp");
                _completeCacheOp = (ScriptObject)get.Invoke(false, internals, "completeCacheOp");
                StartModules(internals, get);
                if (_startTenant is null)
                {
                    Prime(internals, get);
                }
            }
            finally
            {
                ExitRuntime();
            }
        }
        catch (Exception ex)
        {
            _fault = IsolateFault.Disposed;
            lock (_entry)
            {
                _engine?.Dispose();
                _runtime.Leave();
            }

            ExitStartSlot(slot);
            _started.TrySetException(ex);
            return;
        }

        ExitStartSlot(slot);
        Telemetry.GranaryMetrics.IsolateAlive(1);

        // The bootstrap ran at the process's priority (Granary's own bounded work, often with a cold start waiting on
        // it), and so do the module's load and the run after it (the cold start's first invocation): a request waits on
        // all three, and at the isolate's priority on a busy machine they waited for a core many times longer than they
        // ran. Each is a run of script like any other, demoted once it outruns its slice (ScriptSliceMs), and the thread
        // drops to the isolate's priority as that first run ends (RunScript). Lowering needs no privilege.
        _atProcessPriority = true;
        _started.TrySetResult();

        Loop();
    }

    // Runs the event loop on the current thread until the isolate is disposed, then releases it; or, when the loop
    // moved to a new thread, just ends this one.
    private void Loop()
    {
        var movedOn = false;
        try
        {
            movedOn = RunLoop();
        }
        finally
        {
            if (!movedOn)
            {
                Close();
            }
        }
    }

    // A long run's thread was demoted and the OS refuses to give its priority back (no CAP_SYS_NICE, no RLIMIT_NICE):
    // the loop goes on on a fresh thread at the isolate's priority, and the demoted one ends. V8 isolates have no
    // thread affinity, so the function keeps its isolate, its module state and its timers.
    // The new thread is made by a thread-pool thread, at the process's priority: a thread inherits its maker's nice
    // value, and the demoted one could not give it a lower one.
    private void MoveToNewThread()
    {
        _handOff = false;
        _atProcessPriority = false;
        ThreadPool.UnsafeQueueUserWorkItem(
            static isolate =>
            {
                var thread = new Thread(
                    () =>
                    {
                        var id = ThreadNice.CurrentThreadId();
                        isolate._threadId = id;
                        isolate._runner?.ThreadId = id;
                        ThreadNice.Lower(isolate._settings.ThreadNice);
                        isolate.Loop();
                    },
                    StackSizeBytes)
                { IsBackground = true, Name = "granary-v8" };
                thread.Start();
            },
            this,
            preferLocal: false);
    }

    // A wait for a slot ends when the isolate is interrupted or disposed.
    private ScriptScheduler.Runner NewRunner(ScriptScheduler scheduler, string tenant) =>
        new(scheduler.Tenant(tenant), _threadId, () => _stopping || _fault != IsolateFault.None);

    private void ExitStartSlot(bool slot)
    {
        if (slot && !_scheduler!.Exit(_runner!, judged: false))
        {
            // Demoted during a long bootstrap and not restorable: the loop starts on a fresh thread.
            _handOff = true;
        }
    }

    private void Close()
    {
        Interlocked.Increment(ref s_teardowns);
        try
        {
            if (Volatile.Read(ref s_exiting) == 0)
            {
                Teardown();
            }
        }
        finally
        {
            Interlocked.Decrement(ref s_teardowns);
        }
    }

    // Waits, at most s_exitWait, for the teardowns that began before the exit; a later one skips V8 (Close).
    private static void AwaitTeardowns()
    {
        Interlocked.Exchange(ref s_exiting, 1);
        var until = Stopwatch.GetTimestamp() + (long)(s_exitWait.TotalSeconds * Stopwatch.Frequency);
        while (Volatile.Read(ref s_teardowns) > 0 && Stopwatch.GetTimestamp() < until)
        {
            Thread.Sleep(5);
        }
    }

    private void Teardown()
    {
        // Under the entry lock, at the thread's priority: the context's teardown is short (its heap goes with the runtime),
        // and on a shared runtime the neighbours wait for that lock; at nice 19 on a busy machine they waited seconds.
        EnterRuntime(RunKind.Host);
        try
        {
            FailPending(Discarded());
            while (_work.TryDequeue(out var leftover))
            {
                Execute(leftover.Action);
            }

            // The signal is not disposed: a late Post may still set it, and it never allocates a wait handle.
            _engine!.Dispose();
            Telemetry.GranaryMetrics.IsolateAlive(-1);
        }
        finally
        {
            ExitRuntime();
        }

        // Nobody waits for the rest of a discarded isolate's teardown, its runtime's disposal by the last member (freeing a
        // heap of up to the memory limit): it waits for idle CPU, where long runners run (at nice 19 among ordinary threads
        // it still held a core for a scheduler tick when a request's thread woke), and the thread ends with it.
        if (Volatile.Read(ref s_exiting) == 0)
        {
            ThreadNice.Lower(19);
        }

        _scheduler?.Retire(_threadId);
        if (_runtime.Leave())
        {
            NativeHeap.TrimSoon();
        }
    }

    // Returns true when the loop moved to a new thread (see MoveToNewThread), false when the isolate was disposed.
    private bool RunLoop()
    {
        while (true)
        {
            while (!_stopping && !_handOff && _work.TryDequeue(out var item))
            {
                RunScript(item.Action, item.Kind);
            }

            if (_stopping)
            {
                return false;
            }

            FireDueTimers();
            if (_handOff && !_stopping)
            {
                MoveToNewThread();
                return true;
            }

            var wait = Timeout.Infinite;
            lock (_timers)
            {
                _signal.Reset();
                if (_timerQueue.TryPeek(out _, out var due))
                {
                    wait = (int)Math.Clamp(((due - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency) + 1, 0, int.MaxValue);
                    Volatile.Write(ref _loopWakeAt, due);
                }
                else
                {
                    Volatile.Write(ref _loopWakeAt, long.MaxValue);
                }
            }

            // Work posted (or a timer armed inline) between the drain and the reset set the signal before
            // the reset: look again instead of sleeping.
            if (!_work.IsEmpty)
            {
                continue;
            }

            if (_stopping)
            {
                return false;
            }

            _signal.Wait(wait);
        }
    }

    // Fires the timers that were due when it started, one run of script each, and stops early once the isolate is
    // interrupted or disposed. A timer armed meanwhile (an interval rescheduled by its callback) is due later than the
    // start, so the loop returns to its queue and its stop check between rounds, however late the timers run.
    private void FireDueTimers()
    {
        var now = Stopwatch.GetTimestamp();
        while (!_stopping && !_handOff && _fault == IsolateFault.None)
        {
            int id;
            lock (_timers)
            {
                if (!_timerQueue.TryPeek(out id, out var due) || due > now)
                {
                    return;
                }

                _timerQueue.Dequeue();
                if (!_timerDue.TryGetValue(id, out var current) || current != due)
                {
                    continue;
                }

                _timerDue.Remove(id);
            }

            RunScript(() => FireTimer(id), RunKind.Host);
        }
    }

    // Runs one piece of work on the loop thread: with a scheduler slot while the isolate is healthy, and against the
    // background budget when no invocation is in progress and the work does not start one.
    private void RunScript(Action action, RunKind kind)
    {
        var slot = _runner is not null && _fault == IsolateFault.None && _scheduler!.Enter(_runner, startDemoted: kind == RunKind.Invocation);
        var exceeded = false;
        try
        {
            if (!EnterRuntime(kind))
            {
                // Held by a neighbour's long run: the invocation fails before it starts (Start sees the fault) and moves on.
                Execute(action);
                return;
            }

            try
            {
                if (kind != RunKind.Host || _pending is not null || _backgroundBudgetTicks == 0 || _fault != IsolateFault.None)
                {
                    Execute(action);
                }
                else
                {
                    var started = Stopwatch.GetTimestamp();
                    SetWatchdog(Math.Max(1, (_backgroundBudgetTicks - _backgroundUsedTicks) * 1000 / Stopwatch.Frequency));
                    try
                    {
                        Execute(action);
                    }
                    finally
                    {
                        SetWatchdog(Timeout.Infinite);
                    }

                    _backgroundUsedTicks += Stopwatch.GetTimestamp() - started;

                    // The watchdog may fire a little before the budget is spent by this clock; a run it interrupted, or
                    // one that broke the isolate (its memory limit), ends the isolate all the same.
                    exceeded = _backgroundUsedTicks >= _backgroundBudgetTicks || _fault != IsolateFault.None;
                }
            }
            finally
            {
                ExitRuntime();
            }
        }
        finally
        {
            if (slot && !_scheduler!.Exit(_runner!, judged: kind == RunKind.Invocation))
            {
                // A demoted thread the OS would not restore: the loop moves to a fresh thread.
                _handOff = true;
            }
        }

        if (_atProcessPriority && kind != RunKind.Load)
        {
            _atProcessPriority = false;
            ThreadNice.Lower(_settings.ThreadNice);
        }

        if (exceeded)
        {
            if (_fault == IsolateFault.None)
            {
                _fault = IsolateFault.Interrupted;
            }

            _onBackgroundLimit?.Invoke(this, Stopwatch.GetElapsedTime(0, _backgroundUsedTicks));
        }
    }

    private void FireTimer(int id)
    {
        if (_fault == IsolateFault.None)
        {
            _fireTimer!.Invoke(false, id);
        }
    }

    private void SetWatchdog(long dueMs)
    {
        try
        {
            _watchdog.Change(dueMs, Timeout.Infinite);
        }
        catch (ObjectDisposedException)
        {
            // Disposed from another thread meanwhile: the engine was interrupted by that.
        }
    }

    private void Execute(Action action)
    {
        if (_fault is IsolateFault.MemoryLimit)
        {
            // V8 refuses every call after the limit; fail fast instead of asking it.
            FailPending(new IsolateFaultException(IsolateFault.MemoryLimit, MemoryLimitMessage));
            return;
        }

        try
        {
            action();
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    private void Fail(Exception ex)
    {
        var fault = Classify(ex);
        FailPending(fault switch
        {
            IsolateFault.MemoryLimit => new IsolateFaultException(fault, MemoryLimitMessage, ex),
            IsolateFault.None => ex,
            _ => new IsolateFaultException(fault, "The invocation was interrupted.", ex),
        });
    }

    private string MemoryLimitMessage =>
        $"The function exceeded its memory limit of {_settings.MemoryLimitMb} MiB; its isolate was discarded.";

    private IsolateFault Classify(Exception ex)
    {
        var fault = ex switch
        {
            ScriptInterruptedException => IsolateFault.Interrupted,
            ScriptEngineException e when IsMemoryFault(e) => IsolateFault.MemoryLimit,
            _ => IsolateFault.None,
        };
        if (fault != IsolateFault.None && _fault is IsolateFault.None or IsolateFault.Interrupted)
        {
            _fault = fault;
        }

        if (fault == IsolateFault.MemoryLimit && _runtime.IsShared && !_runtime.IsBroken)
        {
            // V8 now refuses all script in the runtime: its other functions move to new isolates, and this one, which broke
            // the limit it shared, gets runtimes of its own from now on.
            _runtime.MarkBroken();
            _history?.OwnRuntime = true;
        }

        return fault;
    }

    private static bool IsMemoryFault(ScriptEngineException ex) =>
        ex.Message.Contains("exceeded its memory limit", StringComparison.Ordinal);

    private void FailPending(Exception ex)
    {
        if (_pending is { } pending)
        {
            _pending = null;
            _host.EndInvocation();
            pending.TrySetException(ex);
        }
    }

    private static string ErrorText(JsError error) =>
        error.Name is null or "" || error.Message.StartsWith(error.Name, StringComparison.Ordinal)
            ? error.Message
            : $"{error.Name}: {error.Message}";

    // An error V8 finds in the wrapper's closing line means the user's code ended too early (an unclosed
    // bracket): report it where the user's code ends, as Node reports "Unexpected end of input".
    private static CodeError CompileError(string code, string message, (int? Line, int? Column) position)
    {
        var lines = code.Split('\n');
        if (position.Line > lines.Length)
        {
            return new CodeError(CodeErrorKinds.Compile, "SyntaxError: Unexpected end of input", lines.Length, lines[^1].TrimEnd('\r').Length + 1);
        }

        return new CodeError(CodeErrorKinds.Compile, message, position.Line, position.Column);
    }

    // What the bootstrap's load gave (JSON): null with the signature in force taken, else the error, placed in `document`
    // (whose first line starts with a prefix of prefixLength characters, the CommonJS wrapper's when negative).
    private CodeError? Outcome(string json, string document, int prefixLength = -1)
    {
        var loaded = JsonSerializer.Deserialize(json, RuntimeJsonContext.Default.JsError)!;
        if (loaded.Kind is null)
        {
            Signature = loaded.Signature;
            return null;
        }

        var (line, column) = FindPosition(loaded.Stack, document, prefixLength);
        return new CodeError(loaded.Kind, ErrorText(loaded), line, column);
    }

    internal static (int? Line, int? Column) FindPosition(string? details, string document, int prefixLength = -1)
    {
        if (details is null)
        {
            return (null, null);
        }

        // ClearScript tells documents of one name in one V8 runtime apart ("fn [2].js"), as on a shared runtime.
        var extension = Path.GetExtension(document);
        var match = Regex.Match(details, Regex.Escape(document[..^extension.Length]) + @"(?: \[\d+\])?" + Regex.Escape(extension) + @":(\d+):(\d+)");
        if (!match.Success)
        {
            return (null, null);
        }

        var line = int.Parse(match.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);
        var column = int.Parse(match.Groups[2].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);
        if (line == 1)
        {
            column = Math.Max(1, column - (prefixLength < 0 ? ModulePrefix.Length : prefixLength));
        }

        return (line, column);
    }

    // What a piece of the loop's work is: a module load or an invocation's start (neither draws on the background
    // budget; an invocation starts demoted for a function whose last invocation was a long runner, and only an
    // invocation counts for that record), or host work (timers, completions, taking logs).
    private enum RunKind
    {
        Host,
        Load,
        Invocation,
    }
}
