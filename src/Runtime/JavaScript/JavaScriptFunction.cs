using System.Diagnostics;
using Granary.Functions;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.JavaScript;

/// <summary>
/// One version of a JavaScript function on one silo: up to <see cref="FunctionSpec.MaxConcurrency"/> isolates
/// that each run one invocation at a time, a bounded queue in front of them, and the timeout and memory
/// rules. Isolates are loaded on demand and reused while healthy; a timed-out or exhausted one is discarded.
/// </summary>
public sealed partial class JavaScriptFunction : IAsyncDisposable
{
    private static readonly TimeSpan s_logCollectionWait = TimeSpan.FromMilliseconds(200);

    private readonly IsolatePool _pool;
    private readonly FunctionMeta _meta;
    private readonly int _maxQueue;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Stack<V8Isolate> _idle = new();
    private readonly LinkedList<TaskCompletionSource<V8Isolate?>> _waiters = new();
    private int _isolates;
    private int _inFlight;
    private bool _disposed;

    /// <summary>Creates the function; no isolate is made until <see cref="WarmUpAsync"/> or the first invocation.</summary>
    public JavaScriptFunction(FunctionDefinition definition, IsolatePool pool, FunctionLimits limits, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(limits);
        Definition = definition;
        _pool = pool;
        _meta = FunctionMeta.From(definition, limits.MaxRequestBodyBytes);
        _maxQueue = limits.MaxQueueLength;
        _timeout = TimeSpan.FromSeconds(definition.Spec.TimeoutSeconds);
        _logger = logger;
    }

    /// <summary>Gets the version this instance runs.</summary>
    public FunctionDefinition Definition { get; }

    /// <summary>Gets how many isolates exist (loaded or loading).</summary>
    public int Isolates => Volatile.Read(ref _isolates);

    /// <summary>Gets how many invocations are running or queued.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Loads the code in a scratch isolate and throws it away: the deploy-time check that the code
    /// compiles, loads within the timeout and memory limit, and exports the handler.
    /// </summary>
    public static async Task<CodeError?> ValidateAsync(FunctionDefinition definition, IsolatePool pool, FunctionLimits limits)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(pool);
        var isolate = await pool.RentAsync(definition.Spec.MemoryLimitMb);
        try
        {
            return await LoadWithTimeoutAsync(isolate, definition.Spec.Code, FunctionMeta.From(definition, limits.MaxRequestBodyBytes), TimeSpan.FromSeconds(definition.Spec.TimeoutSeconds));
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
        lock (_gate)
        {
            if (isolate is null)
            {
                _isolates--;
                return error;
            }

            if (_disposed)
            {
                _isolates--;
                isolate.Dispose();
                return null;
            }

            HandOver(isolate);
            return null;
        }
    }

    /// <summary>
    /// Runs one invocation. Failures of the function (throw, timeout, memory, load error, full queue) come back
    /// as results with the matching status and problem body; <see cref="ObjectDisposedException"/> means this
    /// version was replaced while the call waited, and the caller should retry on the new one.
    /// </summary>
    public async Task<ExecutionResult> InvokeAsync(InvocationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var requestJson = InvocationJson.Write(request);
        var started = Stopwatch.GetTimestamp();
        var (isolate, cold, initMs, failure) = await AcquireAsync();
        if (isolate is null)
        {
            return failure!;
        }

        var waitMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds - initMs;
        var running = Stopwatch.GetTimestamp();
        ExecutionResult result;
        try
        {
            var json = await isolate.InvokeAsync(requestJson).WaitAsync(_timeout);
            result = InvocationJson.Read(json);
        }
        catch (TimeoutException)
        {
            isolate.Interrupt();
            var logs = await isolate.TakeLogsAsync(s_logCollectionWait);
            result = TimedOut() with { Logs = logs };
        }
        catch (IsolateFaultException ex) when (ex.Fault == IsolateFault.MemoryLimit)
        {
            result = Problems.Result(500, "memory-limit-exceeded", "Memory limit exceeded", ex.Message, InvocationOutcomes.MemoryLimit);
        }
        catch (IsolateFaultException ex) when (ex.Fault == IsolateFault.Interrupted)
        {
            result = TimedOut();
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

        return result with
        {
            Cold = cold,
            InitMs = initMs,
            WaitMs = Math.Max(0, waitMs),
            DurationMs = Stopwatch.GetElapsedTime(running).TotalMilliseconds,
        };
    }

    /// <summary>Discards idle isolates now; running ones are discarded when their invocation ends.</summary>
    public ValueTask DisposeAsync()
    {
        List<TaskCompletionSource<V8Isolate?>> waiters;
        lock (_gate)
        {
            if (_disposed)
            {
                return ValueTask.CompletedTask;
            }

            _disposed = true;
            while (_idle.TryPop(out var isolate))
            {
                _isolates--;
                isolate.Dispose();
            }

            waiters = [.. _waiters];
            _waiters.Clear();
        }

        foreach (var waiter in waiters)
        {
            waiter.TrySetException(new ObjectDisposedException(nameof(JavaScriptFunction)));
        }

        return ValueTask.CompletedTask;
    }

    private ExecutionResult TimedOut()
    {
        // Kyma answers a timeout with 408 Request Timeout; every other contract answers 504.
        var status = _meta.Signature == FunctionSignatures.Kyma ? 408 : 504;
        var title = status == 408 ? "Request Timeout" : "Function timed out";
        return Problems.Result(status, "timeout", title, $"The function did not finish within its timeout of {_meta.TimeoutSeconds} s and was stopped.", InvocationOutcomes.Timeout);
    }

    private async Task<(V8Isolate? Isolate, bool Cold, double InitMs, ExecutionResult? Failure)> AcquireAsync()
    {
        TaskCompletionSource<V8Isolate?> waiter;
        LinkedListNode<TaskCompletionSource<V8Isolate?>> node;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _inFlight++;
            if (_idle.TryPop(out var idle))
            {
                return (idle, false, 0, null);
            }

            if (_isolates < Definition.Spec.MaxConcurrency)
            {
                _isolates++;
                waiter = null!;
                node = null!;
            }
            else if (_waiters.Count >= _maxQueue)
            {
                _inFlight--;
                return (null, false, 0, Throttled());
            }
            else
            {
                waiter = new TaskCompletionSource<V8Isolate?>(TaskCreationOptions.RunContinuationsAsynchronously);
                node = _waiters.AddLast(waiter);
            }
        }

        if (waiter is not null)
        {
            V8Isolate? handed;
            try
            {
                handed = await waiter.Task.WaitAsync(_timeout);
            }
            catch (TimeoutException)
            {
                lock (_gate)
                {
                    if (node.List is not null)
                    {
                        _waiters.Remove(node);
                        _inFlight--;
                        return (null, false, 0, Throttled());
                    }
                }

                // Handed over at the last moment: use it.
                handed = await waiter.Task;
            }
            catch (ObjectDisposedException)
            {
                lock (_gate)
                {
                    _inFlight--;
                }

                throw;
            }

            if (handed is not null)
            {
                return (handed, false, 0, null);
            }

            // A slot was freed by a discarded isolate: this call makes the replacement.
        }

        var loading = Stopwatch.GetTimestamp();
        var (isolate, error) = await CreateLoadedIsolateAsync();
        var initMs = Stopwatch.GetElapsedTime(loading).TotalMilliseconds;
        if (isolate is null)
        {
            lock (_gate)
            {
                _isolates--;
                _inFlight--;
                WakeWaiterForFreeSlot();
            }

            return (null, true, initMs, Problems.Result(500, "load-failed", "Function failed to load", error!.Message, InvocationOutcomes.LoadError) with { Cold = true, InitMs = initMs });
        }

        return (isolate, true, initMs, null);
    }

    private ExecutionResult Throttled() => Problems.Result(
        429,
        "too-many-requests",
        "Too many requests",
        $"The function is already running {Definition.Spec.MaxConcurrency} invocations on this silo and {_maxQueue} more are queued.",
        InvocationOutcomes.Throttled,
        [new HttpHeader("Retry-After", "1")]);

    private void Release(V8Isolate isolate)
    {
        lock (_gate)
        {
            _inFlight--;
            if (isolate.IsUsable && !_disposed)
            {
                HandOver(isolate);
                return;
            }

            _isolates--;
            isolate.Dispose();
            if (!_disposed)
            {
                WakeWaiterForFreeSlot();
            }
        }
    }

    // Called under the lock: gives a ready isolate to the oldest waiter, or parks it.
    private void HandOver(V8Isolate isolate)
    {
        while (_waiters.First is { } first)
        {
            _waiters.RemoveFirst();
            if (first.Value.TrySetResult(isolate))
            {
                return;
            }
        }

        _idle.Push(isolate);
    }

    // Called under the lock after an isolate was discarded: the oldest waiter may make a new one.
    private void WakeWaiterForFreeSlot()
    {
        while (_waiters.First is { } first)
        {
            _waiters.RemoveFirst();
            if (first.Value.TrySetResult(null))
            {
                _isolates++;
                return;
            }
        }
    }

    private async Task<(V8Isolate? Isolate, CodeError? Error)> CreateLoadedIsolateAsync()
    {
        var isolate = await _pool.RentAsync(Definition.Spec.MemoryLimitMb);
        var error = await LoadWithTimeoutAsync(isolate, Definition.Spec.Code, _meta, _timeout);
        if (error is not null)
        {
            isolate.Dispose();
            return (null, error);
        }

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

    [LoggerMessage(EventId = 1200, Level = LogLevel.Error, Message = "Invocation of function {Function} failed in the runtime")]
    private partial void LogInvocationFailed(string function, Exception exception);
}
