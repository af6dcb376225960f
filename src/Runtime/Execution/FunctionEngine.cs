using System.Diagnostics;
using Granary.Functions;
using Granary.Runtime.Signatures;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Execution;

/// <summary>
/// The execution engine of one function version on one silo, whatever its runtime: up to
/// <see cref="FunctionSpec.MaxConcurrency"/> instances (V8 isolates, Python worker processes) that each run one invocation
/// at a time, a bounded queue in front of them, scale-up, idle trimming, timeouts, throttling, cancellation and the
/// answers the host gives on the function's behalf. Instances are loaded on demand and reused while healthy; one that
/// timed out, ran out of memory, crashed or was interrupted is discarded.
/// </summary>
/// <remarks>
/// <para>
/// A runtime derives from the engine and says only how to rent an instance and load the code into it
/// (<see cref="RentInstanceAsync"/>, <see cref="LoadCodeAsync"/>), run one invocation on it (<see cref="CallAsync"/>)
/// and explain how a call failed (<see cref="Explain"/>); the instance itself says whether it is usable and stops
/// when interrupted (<see cref="IFunctionInstance"/>). A base class rather than a sealed engine over a strategy object:
/// the runtimes' types stay what grains, the benchmark and the tests hold (<c>JavaScriptFunction</c>,
/// <c>PythonFunction</c>), a runtime's own extras (JavaScript's inline runs and long-runner learning) read their state
/// without another hop, and the hooks are <c>private protected</c>, so nothing outside this assembly sees more than
/// <see cref="IFunctionExecutor"/> and what a runtime adds.
/// </para>
/// <para>
/// A queued invocation does not wait for an instance to be handed to it: the caller that frees an instance passes it the
/// next queued invocation as a thread-pool work item, and the queued caller only waits for its result. Under load that
/// costs no thread wake-up per invocation, where waking each waiter cost more than running a small function.
/// </para>
/// <para>
/// When every instance is busy, a new one is started for the queue while there are fewer than <c>maxConcurrency</c>:
/// at once, or after <see cref="ScaleUpDelay"/> if the queued invocation still waits then and the runtime agrees
/// (<see cref="MayScaleUp"/>). Whichever comes first serves the oldest queued invocation: a busy instance coming free,
/// or the new one being ready.
/// </para>
/// </remarks>
/// <typeparam name="TInstance">The runtime's instance.</typeparam>
public abstract partial class FunctionEngine<TInstance> : IFunctionExecutor
    where TInstance : class, IFunctionInstance
{
    // The cancellation of a running call interrupts its instance; a static delegate, so registering allocates no closure.
    private static readonly Action<object?> s_interrupt = static state => ((TInstance)state!).Interrupt();

    private readonly Lock _gate = new();
    // Most recently used first: the hot instances stay warm and the ones at the end are trimmed.
    private readonly LinkedList<(TInstance Instance, long Since)> _idle = new();
    private readonly LinkedList<QueuedInvocation> _queue = new();
    private readonly FunctionMetrics _metrics = new();
    private readonly Action<object?> _leaveQueue;
    private readonly int _maxConcurrency;
    private readonly int _maxQueue;
    private readonly bool _echoConsole;
    private readonly ILogger _logger;
    private int _instances;
    // Instances loading for the queue (counted in _instances too): each is to serve one queued invocation when ready.
    private int _starting;
    private int _inFlight;
    private bool _disposed;
    // The contract the code runs under: resolved when the engine is made and when code loads, never per call.
    private IFunctionSignature _contract;

    /// <summary>Creates the engine; no instance is loaded until <see cref="WarmUpAsync"/> or the first invocation.</summary>
    private protected FunctionEngine(FunctionDefinition definition, FunctionLimits limits, bool echoConsole, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(limits);
        Definition = definition;
        Name = definition.Id.Name;
        CallTimeout = TimeSpan.FromSeconds(definition.Spec.TimeoutSeconds);
        _maxConcurrency = definition.Spec.MaxConcurrency;
        _maxQueue = limits.MaxQueueLength;
        _echoConsole = echoConsole;
        _logger = logger;
        _contract = SignatureRegistry.Get(definition.Spec.Signature);
        _leaveQueue = state => LeaveQueue((QueuedInvocation)state!);
    }

    /// <inheritdoc />
    public long MemoryBytes => Volatile.Read(ref _instances) * InstanceBytes;

    /// <summary>
    /// Gets what one instance costs the silo's memory, in bytes: by default an estimate for a worker process (its
    /// interpreter and the function's modules; the runtimes that can measure theirs say so instead).
    /// </summary>
    private protected virtual long InstanceBytes => 32L << 20;

    /// <summary>Gets the version this engine runs.</summary>
    public FunctionDefinition Definition { get; }

    /// <summary>Gets how many instances exist (loaded or loading).</summary>
    public int Instances => Volatile.Read(ref _instances);

    /// <summary>Gets how many invocations are running or queued.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Gets the function's name, as its logs and Kyma's metrics say it.</summary>
    private protected string Name { get; }

    /// <summary>Gets how long one invocation (or one load) may take.</summary>
    private protected TimeSpan CallTimeout { get; }

    /// <summary>
    /// Gets the contract of the signature the code runs under now (code may choose its own when it loads), which shapes
    /// the host's own answers.
    /// </summary>
    private protected IFunctionSignature Contract => Volatile.Read(ref _contract);

    /// <summary>Gets how long a queued invocation waits for a busy instance before a new one is started for it (zero: at once).</summary>
    private protected virtual TimeSpan ScaleUpDelay => TimeSpan.Zero;

    /// <summary>
    /// Gets whether a call that frees an instance starts the next queued invocation on it at once, on its own thread,
    /// rather than as a thread-pool work item; false by default (see <c>Release</c>).
    /// </summary>
    private protected virtual bool StartsNextInline => false;

    /// <summary>
    /// Gets whether, of <paramref name="instances"/>, one freed while invocations queue is more than the function can
    /// use, and is discarded: the queue is served by the others. By default never.
    /// </summary>
    private protected virtual bool IsSurplus(int instances) => false;

    /// <summary>Loads the first instance so that the function is ready before its first request is served.</summary>
    public async Task<CodeError?> WarmUpAsync()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_instances > 0)
            {
                return null;
            }

            // Counted as a start for the queue: an invocation that arrives meanwhile waits for this instance.
            _instances++;
            _starting++;
        }

        var started = Stopwatch.GetTimestamp();
        return await FinishStartAsync(LoadAsync(), started, rethrow: true);
    }

    /// <summary>
    /// Runs one invocation. Failures of the function (error, timeout, memory, crash, load error, full queue) come back
    /// as results with the matching status and problem body, and so does a cancelled call (499,
    /// <see cref="InvocationOutcomes.Cancelled"/>); <see cref="ObjectDisposedException"/> means this version was replaced
    /// while the call waited, and the caller should retry on the new one.
    /// </summary>
    public async Task<ExecutionResult> InvokeAsync(InvocationRequest request, string? stateJson = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (cancellationToken.IsCancellationRequested)
        {
            // Nobody waits for the answer: nothing is loaded and nothing runs.
            return Cancelled(started: false);
        }

        var arrived = Stopwatch.GetTimestamp();
        var (requestJson, answer) = await HostAnswers.PrepareAsync(Contract, request, stateJson, _metrics, Name);
        if (requestJson is null)
        {
            return answer!;
        }

        TInstance? instance = null;
        QueuedInvocation? queued = null;
        var start = false;
        var startLater = false;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            while (_idle.First is { } spent && !spent.Value.Instance.IsUsable)
            {
                // Broken while idle (an isolate's background work ran past its limits, a worker killed from outside):
                // not this request's problem.
                _idle.RemoveFirst();
                _instances--;
                spent.Value.Instance.Dispose();
            }

            if (_idle.First is { } first)
            {
                _idle.RemoveFirst();
                instance = first.Value.Instance;
                _inFlight++;
            }
            else if (_instances == 0)
            {
                _instances++;
                _inFlight++;
            }
            else if (_inFlight >= _maxConcurrency + _maxQueue)
            {
                // Invocations beyond maxConcurrency queue; past the queue bound they are refused.
                return Throttled();
            }
            else
            {
                _inFlight++;
                queued = new QueuedInvocation(requestJson, arrived, Activity.Current?.Context ?? default, StartQueueWait(), cancellationToken);
                queued.Node = _queue.AddLast(queued);
                if (ScaleUpDelay <= TimeSpan.Zero)
                {
                    start = TryReserveStart();
                }
                else
                {
                    startLater = _instances < _maxConcurrency;
                }
            }
        }

        if (queued is not null)
        {
            // Neither start throws: a failed load answers the oldest queued invocation (see FinishStartAsync).
            if (start)
            {
                _ = StartForQueueAsync();
            }
            else if (startLater)
            {
                _ = StartAfterDelayAsync(queued);
            }

            return await WaitForTurnAsync(queued, cancellationToken);
        }

        return instance is not null
            ? await RunAsync(instance, requestJson, arrived, cold: false, initMs: 0, queued: null, cancellationToken)
            : await RunOnNewInstanceAsync(requestJson, arrived, queued: null, cancellationToken);
    }

    /// <summary>
    /// Discards instances that have not been used for <paramref name="unusedFor"/>, keeping one: after a burst the
    /// function shrinks back without waiting for its idle timeout. Returns how many were discarded.
    /// </summary>
    public int TrimIdle(TimeSpan unusedFor)
    {
        var trimmed = 0;
        lock (_gate)
        {
            while (_idle.Count > 1 && _idle.Last is { } last && Stopwatch.GetElapsedTime(last.Value.Since) >= unusedFor)
            {
                _idle.RemoveLast();
                _instances--;
                last.Value.Instance.Dispose();
                trimmed++;
            }
        }

        return trimmed;
    }

    /// <summary>
    /// Discards the idle instances now (see <see cref="DisposeInstancesAsync"/>) and fails the queued invocations with
    /// <see cref="ObjectDisposedException"/>; running instances are discarded when their invocation ends.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        List<QueuedInvocation> queued;
        List<TInstance> idle;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            idle = [.. _idle.Select(entry => entry.Instance)];
            _instances -= idle.Count;
            _idle.Clear();
            queued = [.. _queue];
            _queue.Clear();
            _inFlight -= queued.Count;
        }

        foreach (var waiting in queued)
        {
            waiting.EndWait();
            waiting.Result.TrySetException(new ObjectDisposedException(GetType().Name));
        }

        await DisposeInstancesAsync(idle);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Tells an instance the trace context of the invocation it is about to run (its outbound requests carry it); by
    /// default nothing.
    /// </summary>
    private protected virtual void SetTraceContext(TInstance instance, in ActivityContext context)
    {
    }

    /// <summary>Rents a blank instance from the runtime's pool, bound to this function.</summary>
    private protected abstract Task<TInstance> RentInstanceAsync();

    /// <summary>Loads the function's code into <paramref name="instance"/> within <see cref="CallTimeout"/>; returns why it did not load, or null.</summary>
    private protected abstract Task<CodeError?> LoadCodeAsync(TInstance instance);

    /// <summary>
    /// Runs one invocation on an instance this call holds, within <see cref="CallTimeout"/>, and returns the adapter's
    /// result (JSON). Throws when the call fails: <see cref="CallStoppedException"/> for a call stopped at its timeout or
    /// by its caller whose log lines the runtime collected afterwards; otherwise <see cref="Explain"/> says how it failed.
    /// </summary>
    private protected abstract ValueTask<string> CallAsync(TInstance instance, string requestJson);

    /// <summary>Tells how a call failed (with the log lines it wrote), or null for a failure of the host itself.</summary>
    private protected abstract CallFailure? Explain(TInstance instance, Exception exception);

    /// <summary>
    /// Gets whether a new instance may start for a queued invocation, beside <paramref name="instances"/> (below
    /// <c>maxConcurrency</c>) that are all busy. By default always.
    /// </summary>
    private protected virtual bool MayScaleUp(int instances) => true;

    /// <summary>Discards idle instances when the engine is disposed; by default disposes each.</summary>
    private protected virtual ValueTask DisposeInstancesAsync(IReadOnlyList<TInstance> instances)
    {
        foreach (var instance in instances)
        {
            instance.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Starts a new instance for the oldest queued invocation not yet covered by one (with <paramref name="wholeQueue"/>,
    /// for every one), while there are fewer than <c>maxConcurrency</c>: for a runtime whose busy instances wait (timers,
    /// I/O) rather than compute.
    /// </summary>
    private protected void ScaleUpForQueue(bool wholeQueue = false)
    {
        var starts = 0;
        lock (_gate)
        {
            while ((starts == 0 || wholeQueue) && TryReserveStart())
            {
                starts++;
            }
        }

        for (var i = 0; i < starts; i++)
        {
            _ = StartForQueueAsync();
        }
    }

    /// <summary>Removes <paramref name="instance"/> from the idle instances (the caller discards it); false if it was not idle.</summary>
    private protected bool TryRemoveIdle(TInstance instance)
    {
        lock (_gate)
        {
            for (var node = _idle.First; node is not null; node = node.Next)
            {
                if (node.Value.Instance == instance)
                {
                    _idle.Remove(node);
                    _instances--;
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Gets the idle instances, most recently used first (for tests).</summary>
    private protected IReadOnlyList<TInstance> IdleInstances()
    {
        lock (_gate)
        {
            return [.. _idle.Select(entry => entry.Instance)];
        }
    }

    private ExecutionResult LoadFailed(CodeError error, double initMs) => Contract.LoadFailed(error, initMs);

    private ExecutionResult TimedOut() => Contract.TimedOut(Definition.Spec.TimeoutSeconds);

    private ExecutionResult Throttled() => Contract.Throttled(_maxConcurrency, _maxQueue);

    private ExecutionResult Cancelled(bool started) => Contract.Cancelled(started);
}
