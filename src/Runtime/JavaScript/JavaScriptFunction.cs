using System.Diagnostics;
using Granary.Functions;
using Granary.Runtime.Execution;
using Granary.Runtime.Signatures;
using Granary.Runtime.Signatures.CustomCode;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.JavaScript;

/// <summary>
/// One version of a JavaScript function on one silo: up to <see cref="FunctionSpec.MaxConcurrency"/> isolates
/// that each run one invocation at a time, a bounded queue in front of them, and the timeout and memory
/// rules. Isolates are loaded on demand and reused while healthy; a timed-out or exhausted one is discarded.
/// </summary>
/// <remarks>
/// A queued invocation does not wait for an isolate to be handed to it: the caller that frees an isolate
/// passes it the next queued invocation as a thread-pool work item, and the queued caller only waits for its
/// result. Under load that costs no thread wake-up per invocation, where waking each waiter cost more than
/// running a small function.
/// </remarks>
public sealed partial class JavaScriptFunction : IFunctionExecutor
{
    private static readonly TimeSpan s_logCollectionWait = TimeSpan.FromMilliseconds(200);

    // Quick functions run inline on the calling thread (see KeepOrDropInline).
    private static readonly TimeSpan s_inlineBudget = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan s_inlineLimit = TimeSpan.FromSeconds(1);
    private const int QuickRunsToInline = 3;

    private readonly IsolatePool _pool;
    private readonly FunctionMeta _meta;
    private readonly int _maxQueue;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _scaleUpDelay;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    // Most recently used first: the hot isolates stay warm and the ones at the end are trimmed.
    private readonly LinkedList<(V8Isolate Isolate, long Since)> _idle = new();
    private readonly LinkedList<QueuedInvocation> _queue = new();
    private int _isolates;
    private int _inFlight;
    private int _awaiting;
    private bool _disposed;
    // Run inline once proved quick (QuickRunsToInline quick runs on the isolate's thread), never again once proved slow.
    private bool _inline;
    private bool _demoted;
    private int _quickRuns;
    private string _signature;
    private readonly FunctionMetrics _metrics = new();

    // Whether this function's last run on an isolate thread was a long runner (its next starts demoted).
    private readonly ScriptScheduler.RunHistory _runs = new();
    private readonly bool _echoConsole;
    private readonly ISnippetCache? _cache;
    private int _slowInlineRuns;

    /// <summary>Creates the function; no isolate is made until <see cref="WarmUpAsync"/> or the first invocation.</summary>
    public JavaScriptFunction(FunctionDefinition definition, IsolatePool pool, FunctionLimits limits, ILogger logger, ISnippetCache? cache = null, string? packagesRoot = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(limits);
        Definition = definition;
        _pool = pool;
        _meta = JavaScriptMeta.For(definition, limits, pool.Options, packagesRoot, pool.Egress);
        _maxQueue = limits.MaxQueueLength;
        _timeout = TimeSpan.FromSeconds(definition.Spec.TimeoutSeconds);
        _scaleUpDelay = pool.ScaleUpDelay;
        _signature = definition.Spec.Signature;
        _echoConsole = pool.Options.EchoConsole;
        _logger = logger;
        _cache = cache;
    }

    /// <summary>Gets the version this instance runs.</summary>
    public FunctionDefinition Definition { get; }

    /// <summary>Gets how many isolates exist (loaded or loading).</summary>
    public int Instances => Volatile.Read(ref _isolates);

    /// <summary>Gets whether invocations run inline on the caller's thread (once the function proved quick, until it proves slow).</summary>
    public bool RunsInline => Volatile.Read(ref _inline);

    /// <summary>Gets how many invocations are running or queued.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

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
            return await LoadWithTimeoutAsync(isolate, definition.Spec.Code, JavaScriptMeta.For(definition, limits, pool.Options, packagesRoot, pool.Egress), TimeSpan.FromSeconds(definition.Spec.TimeoutSeconds));
        }
        finally
        {
            isolate.Dispose();
        }
    }

    /// <summary>Loads the first isolate so that the function is ready before its first request is served.</summary>
    public async Task<CodeError?> WarmUpAsync()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_isolates > 0)
            {
                return null;
            }

            _isolates++;
        }

        var (isolate, error) = await CreateLoadedIsolateAsync();
        if (isolate is null)
        {
            lock (_gate)
            {
                _isolates--;
            }

            return error;
        }

        Park(isolate);
        return null;
    }

    /// <summary>
    /// Runs one invocation. Failures of the function (throw, timeout, memory, load error, full queue) come back
    /// as results with the matching status and problem body; <see cref="ObjectDisposedException"/> means this
    /// version was replaced while the call waited, and the caller should retry on the new one.
    /// </summary>
    public async Task<ExecutionResult> InvokeAsync(InvocationRequest request, string? stateJson = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var arrived = Stopwatch.GetTimestamp();
        var (requestJson, answer) = await HostAnswers.PrepareAsync(SignatureRegistry.Get(Volatile.Read(ref _signature)), request, stateJson, _metrics, _meta.Name);
        if (requestJson is null)
        {
            return answer!;
        }

        V8Isolate? isolate = null;
        QueuedInvocation? queued = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            while (_idle.First is { } spent && !spent.Value.Isolate.IsUsable)
            {
                // Interrupted in the background (see OnBackgroundLimit) since it was parked.
                _idle.RemoveFirst();
                _isolates--;
                spent.Value.Isolate.Dispose();
            }

            if (_idle.First is { } first)
            {
                _idle.RemoveFirst();
                isolate = first.Value.Isolate;
                _inFlight++;
            }
            else if (_isolates == 0)
            {
                _isolates++;
                _inFlight++;
            }
            else if (_inFlight >= Definition.Spec.MaxConcurrency + _maxQueue)
            {
                // Invocations beyond maxConcurrency queue; past the queue bound they are refused.
                return Throttled();
            }
            else
            {
                _inFlight++;
                queued = new QueuedInvocation(requestJson, arrived);
                queued.Node = _queue.AddLast(queued);
                if (_isolates < Definition.Spec.MaxConcurrency)
                {
                    _ = ScaleUpAfterDelayAsync(queued);
                }
            }
        }

        if (queued is not null)
        {
            return await WaitForTurnAsync(queued);
        }

        return isolate is not null
            ? await RunAsync(isolate, requestJson, arrived, cold: false, initMs: 0)
            : await RunOnNewIsolateAsync(requestJson, arrived);
    }

    /// <summary>
    /// Discards isolates that have not been used for <paramref name="unusedFor"/>, keeping one: after a burst
    /// the function shrinks back without waiting for its idle timeout. Returns how many were discarded.
    /// </summary>
    public int TrimIdle(TimeSpan unusedFor)
    {
        var trimmed = 0;
        lock (_gate)
        {
            while (_idle.Count > 1 && _idle.Last is { } last && Stopwatch.GetElapsedTime(last.Value.Since) >= unusedFor)
            {
                _idle.RemoveLast();
                _isolates--;
                last.Value.Isolate.Dispose();
                trimmed++;
            }
        }

        return trimmed;
    }

    /// <summary>Gets whether the function's last invocation on an isolate thread was a long runner (for tests).</summary>
    internal bool LastRunWasLong => _runs.LastRunWasLong;

    /// <summary>Gets the Linux thread ids of the idle isolates' own threads (for tests).</summary>
    internal IReadOnlyList<int> IdleIsolateThreadIds()
    {
        lock (_gate)
        {
            return [.. _idle.Select(i => i.Isolate.ThreadId)];
        }
    }

    // On the isolate's thread: its work after a response (timers, promise jobs) outran the function's timeout, so it was
    // interrupted, or broke its memory limit. An idle isolate is discarded now; one serving an invocation is discarded
    // when that ends (Release).
    private void OnBackgroundLimit(V8Isolate isolate, TimeSpan used)
    {
        var found = false;
        lock (_gate)
        {
            for (var node = _idle.First; node is not null; node = node.Next)
            {
                if (node.Value.Isolate == isolate)
                {
                    _idle.Remove(node);
                    _isolates--;
                    found = true;
                    break;
                }
            }
        }

        if (found)
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

    /// <summary>Discards idle isolates now; running ones are discarded when their invocation ends.</summary>
    public ValueTask DisposeAsync()
    {
        List<QueuedInvocation> queued;
        lock (_gate)
        {
            if (_disposed)
            {
                return ValueTask.CompletedTask;
            }

            _disposed = true;
            foreach (var (isolate, _) in _idle)
            {
                _isolates--;
                isolate.Dispose();
            }

            _idle.Clear();

            queued = [.. _queue];
            _queue.Clear();
            _inFlight -= queued.Count;
        }

        foreach (var waiting in queued)
        {
            waiting.Result.TrySetException(new ObjectDisposedException(nameof(JavaScriptFunction)));
        }

        return ValueTask.CompletedTask;
    }

    private async Task<ExecutionResult> WaitForTurnAsync(QueuedInvocation queued)
    {
        try
        {
            return await queued.Result.Task.WaitAsync(_timeout);
        }
        catch (TimeoutException)
        {
            lock (_gate)
            {
                if (queued.Node!.List is not null)
                {
                    // Never started: it waited a whole timeout for an isolate.
                    _queue.Remove(queued.Node);
                    _inFlight--;
                    return Throttled();
                }
            }

            // Started at the last moment: it has its own run timeout.
            return await queued.Result.Task;
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

    // Runs an invocation on an isolate this call holds, then frees the isolate (which may pass it on).
    private async Task<ExecutionResult> RunAsync(V8Isolate isolate, string requestJson, long arrived, bool cold, double initMs)
    {
        var running = Stopwatch.GetTimestamp();
        var waitMs = Stopwatch.GetElapsedTime(arrived, running).TotalMilliseconds - initMs;
        ExecutionResult result;
        try
        {
            var inline = Volatile.Read(ref _inline) && _pool.InlineRuns.TryEnter();
            Task<string> invocation;
            TimeSpan syncTime;
            try
            {
                invocation = isolate.InvokeAsync(requestJson, inline, _timeout, out syncTime);
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
                    json = await invocation.WaitAsync(TimeSpan.FromTicks(Math.Max(_timeout.Ticks - syncTime.Ticks, TimeSpan.TicksPerMillisecond)));
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

            result = InvocationJson.Read(json);
        }
        catch (TimeoutException)
        {
            isolate.Interrupt();
            result = TimedOut() with { Logs = await isolate.TakeLogsAsync(s_logCollectionWait) };
        }
        catch (IsolateFaultException ex) when (ex.Fault == IsolateFault.MemoryLimit)
        {
            result = Problems.Result(500, "memory-limit-exceeded", "Memory limit exceeded", ex.Message, InvocationOutcomes.MemoryLimit);
        }
        catch (IsolateFaultException ex) when (ex.Fault == IsolateFault.Interrupted)
        {
            // Stopped by the watchdog while running inline.
            result = TimedOut() with { Logs = await isolate.TakeLogsAsync(s_logCollectionWait) };
        }
        catch (Exception ex)
        {
            LogInvocationFailed(_meta.Name, ex);
            isolate.Dispose();
            result = Problems.Result(500, "function-failed", "Function failed", ex.Message, InvocationOutcomes.Error);
        }
        finally
        {
            Release(isolate);
        }

        return HostAnswers.Finish(result, SignatureRegistry.Get(Volatile.Read(ref _signature)), _metrics, _echoConsole, cold, initMs, waitMs, Stopwatch.GetElapsedTime(running).TotalMilliseconds);
    }

    // Called with one isolate slot already counted in _isolates for this invocation.
    private async Task<ExecutionResult> RunOnNewIsolateAsync(string requestJson, long arrived)
    {
        var (isolate, error) = await CreateLoadedIsolateAsync();
        var initMs = Stopwatch.GetElapsedTime(arrived).TotalMilliseconds;
        if (isolate is null)
        {
            lock (_gate)
            {
                _isolates--;
                _inFlight--;
            }

            return SignatureRegistry.Get(Volatile.Read(ref _signature)).LoadFailed(error!, initMs);
        }

        return await RunAsync(isolate, requestJson, arrived, cold: true, initMs);
    }

    // Busy isolates usually come free within microseconds, and a new isolate costs a load of the module and
    // its own memory. A queued invocation gets a new isolate only if none came free within the scale-up
    // delay, and only while the busy ones are waiting on something (timers, I/O) or there are fewer isolates
    // than cores: more isolates than cores make CPU-bound functions slower, not faster.
    private async Task ScaleUpAfterDelayAsync(QueuedInvocation queued)
    {
        await Task.Delay(_scaleUpDelay);
        lock (_gate)
        {
            if (queued.Node!.List is null || _disposed || _isolates >= Definition.Spec.MaxConcurrency ||
                (Volatile.Read(ref _awaiting) == 0 && _isolates >= Environment.ProcessorCount && Volatile.Read(ref _inline)))
            {
                return;
            }

            _queue.Remove(queued.Node);
            _isolates++;
        }

        queued.CompleteWith(RunOnNewIsolateAsync(queued.Json, queued.Arrived));
    }

    private void ScaleUpForQueue()
    {
        QueuedInvocation? next;
        lock (_gate)
        {
            if (_disposed || _queue.First is not { } first || _isolates >= Definition.Spec.MaxConcurrency)
            {
                return;
            }

            _queue.RemoveFirst();
            _isolates++;
            next = first.Value;
        }

        next.CompleteWith(RunOnNewIsolateAsync(next.Json, next.Arrived));
    }

    // The caller has finished with an isolate: pass it to the next queued invocation, or park it.
    private void Release(V8Isolate isolate)
    {
        QueuedInvocation? next = null;
        var replace = false;
        lock (_gate)
        {
            _inFlight--;
            if (!isolate.IsUsable || _disposed)
            {
                _isolates--;
                isolate.Dispose();
                if (!_disposed && _queue.First is { } first)
                {
                    // The slot is free again: the oldest queued invocation loads a replacement.
                    _queue.RemoveFirst();
                    _isolates++;
                    next = first.Value;
                    replace = true;
                }
            }
            else if (_queue.First is { } first)
            {
                _queue.RemoveFirst();
                next = first.Value;
            }
            else
            {
                _idle.AddFirst((isolate, Stopwatch.GetTimestamp()));
                return;
            }
        }

        if (next is null)
        {
            return;
        }

        if (replace)
        {
            next.CompleteWith(RunOnNewIsolateAsync(next.Json, next.Arrived));
        }
        else
        {
            // A work item rather than a direct call keeps the freeing caller's own response from waiting.
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Queued.CompleteWith(state.Function.RunAsync(state.Isolate, state.Queued.Json, state.Queued.Arrived, cold: false, initMs: 0)), (Function: this, Isolate: isolate, Queued: next), preferLocal: true);
        }
    }

    // Puts a freshly loaded isolate to work: the oldest queued invocation takes it, or it waits idle.
    private void Park(V8Isolate isolate)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                _isolates--;
                isolate.Dispose();
                return;
            }

            _inFlight++;
        }

        Release(isolate);
    }

    private ExecutionResult TimedOut() => SignatureRegistry.Get(Volatile.Read(ref _signature)).TimedOut(_meta.TimeoutSeconds);

    private ExecutionResult Throttled() => SignatureRegistry.Get(Volatile.Read(ref _signature)).Throttled(Definition.Spec.MaxConcurrency, _maxQueue);

    private async Task<(V8Isolate? Isolate, CodeError? Error)> CreateLoadedIsolateAsync()
    {
        var isolate = await _pool.RentAsync(Definition.Spec.MemoryLimitMb, Definition.Id.Tenant, _runs);
        isolate.Attach(_pool.Scheduler, Definition.Id.Tenant, _timeout, OnBackgroundLimit, _runs);
        isolate.SnippetCache = _cache;
        var error = await LoadWithTimeoutAsync(isolate, Definition.Spec.Code, _meta, _timeout);
        if (error is not null)
        {
            isolate.Dispose();
            return (null, error);
        }

        // Code registered with the Functions Framework's declarative API chose its own signature.
        Volatile.Write(ref _signature, isolate.Signature ?? _meta.Signature);
        return (isolate, null);
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

    [LoggerMessage(EventId = 1200, Level = LogLevel.Error, Message = "Invocation of function {Function} failed in the runtime")]
    private partial void LogInvocationFailed(string function, Exception exception);
}
