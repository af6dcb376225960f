using System.Diagnostics;
using Granary.Functions;

namespace Granary.Runtime.Execution;

// The engine's runs: waiting in the queue, running on an instance, cancellation, and the answers to failures.
public abstract partial class FunctionEngine<TInstance>
{
    private async Task<ExecutionResult> WaitForTurnAsync(QueuedInvocation queued, CancellationToken cancellationToken)
    {
        // A cancelled invocation leaves the queue on the cancelling thread, at once (LeaveQueue).
        var leave = cancellationToken.CanBeCanceled ? cancellationToken.UnsafeRegister(_leaveQueue, queued) : default;
        try
        {
            // Not the caller's token: LeaveQueue answers a cancelled invocation, and one already started is interrupted.
            return await queued.Result.Task.WaitAsync(CallTimeout, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            lock (_gate)
            {
                if (queued.Node!.List is not null)
                {
                    // Never started: it waited a whole timeout for an instance.
                    _queue.Remove(queued.Node);
                    _inFlight--;
                    return Throttled();
                }
            }

            // Started at the last moment: it has its own run timeout.
            return await queued.Result.Task;
        }
        finally
        {
            leave.Dispose();
        }
    }

    private void LeaveQueue(QueuedInvocation queued)
    {
        lock (_gate)
        {
            if (queued.Node!.List is null)
            {
                // Started already (its run is interrupted by its own registration), refused, or the engine is gone.
                return;
            }

            _queue.Remove(queued.Node);
            _inFlight--;
        }

        queued.Result.TrySetResult(Cancelled(started: false));
    }

    // Runs an invocation on an instance this call holds, then frees the instance (which may pass it on).
    private async Task<ExecutionResult> RunAsync(TInstance instance, string requestJson, long arrived, bool cold, double initMs, CancellationToken cancellationToken)
    {
        var running = Stopwatch.GetTimestamp();
        var waitMs = Stopwatch.GetElapsedTime(arrived, running).TotalMilliseconds - initMs;
        ExecutionResult? result = null;
        Exception? failure = null;
        var interrupt = default(CancellationTokenRegistration);
        try
        {
            if (!cancellationToken.CanBeCanceled)
            {
                result = InvocationJson.Read(await CallAsync(instance, requestJson));
            }
            else if (cancellationToken.IsCancellationRequested)
            {
                // Cancelled while it was handed this instance: the instance goes on to the next invocation unused.
                result = Cancelled(started: false);
            }
            else
            {
                // Cancelled from here on, the call is interrupted as its timeout would interrupt it.
                interrupt = cancellationToken.UnsafeRegister(s_interrupt, instance);
                result = InvocationJson.Read(await CallAsync(instance, requestJson));
            }
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        finally
        {
            // Waits for an interrupt in progress, so that the instance is never interrupted once it is passed on.
            interrupt.Dispose();
        }

        try
        {
            result ??= await FailedAsync(instance, failure!, cancellationToken);
        }
        finally
        {
            Release(instance);
        }

        return HostAnswers.Finish(result, Signature, _metrics, _echoConsole, cold, initMs, waitMs, Stopwatch.GetElapsedTime(running).TotalMilliseconds);
    }

    private async ValueTask<ExecutionResult> FailedAsync(TInstance instance, Exception exception, CancellationToken cancellationToken)
    {
        var failure = await ExplainAsync(instance, exception);
        if (failure is null)
        {
            // A failure of the host: the instance is in a state nobody knows and is not reused.
            instance.Interrupt();
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Cancelled(started: true) with { Logs = failure?.Logs ?? [] };
        }

        if (failure is not { } known)
        {
            EngineLog.InvocationFailed(_logger, Name, exception);
            return Problems.Result(500, "function-failed", "Function failed", exception.Message, InvocationOutcomes.Error);
        }

        return known.Kind switch
        {
            CallFailureKind.Stopped => TimedOut() with { Logs = known.Logs },
            CallFailureKind.MemoryLimit => Problems.Result(500, "memory-limit-exceeded", "Memory limit exceeded", known.Message, InvocationOutcomes.MemoryLimit) with { Logs = known.Logs },
            _ => Problems.Result(500, "worker-crashed", "Worker crashed", known.Message + " The next request gets a fresh worker.", InvocationOutcomes.Error) with { Logs = known.Logs },
        };
    }

    // Called with one instance counted in _instances and one invocation in _inFlight for this call.
    private async Task<ExecutionResult> RunOnNewInstanceAsync(string requestJson, long arrived, CancellationToken cancellationToken)
    {
        var loading = LoadAsync();
        if (cancellationToken.CanBeCanceled && !loading.IsCompleted)
        {
            await ((Task)loading).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!loading.IsCompleted)
            {
                // The caller left while the code loaded: the instance still joins the function when it is ready, as one
                // started for the queue would.
                lock (_gate)
                {
                    _inFlight--;
                    _starting++;
                }

                _ = FinishStartAsync(loading, arrived, rethrow: false);
                return Cancelled(started: false);
            }
        }

        TInstance? instance;
        CodeError? error;
        try
        {
            (instance, error) = await loading;
        }
        catch (ObjectDisposedException)
        {
            Unload();
            throw;
        }

        var initMs = Stopwatch.GetElapsedTime(arrived).TotalMilliseconds;
        if (instance is null)
        {
            Unload();
            return LoadFailed(error!, initMs);
        }

        return await RunAsync(instance, requestJson, arrived, cold: true, initMs, cancellationToken);

        void Unload()
        {
            lock (_gate)
            {
                _instances--;
                _inFlight--;
            }
        }
    }
}
