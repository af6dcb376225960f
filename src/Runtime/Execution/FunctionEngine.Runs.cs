using System.Diagnostics;
using System.Runtime.CompilerServices;
using Granary.Functions;
using Granary.Runtime.Telemetry;

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
                    queued.EndWait();
                    return Contract.Throttled(_maxConcurrency, _maxQueue, (int)CallTimeout.TotalSeconds);
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

        queued.EndWait();
        queued.Result.TrySetResult(Cancelled(started: false));
    }

    // Runs an invocation on an instance this call holds, then frees the instance (which may pass it on).
    private async Task<ExecutionResult> RunAsync(TInstance instance, string requestJson, long arrived, bool cold, double initMs, QueuedInvocation? queued, CancellationToken cancellationToken)
    {
        var running = Stopwatch.GetTimestamp();
        var waitMs = Stopwatch.GetElapsedTime(arrived, running).TotalMilliseconds - initMs;
        queued?.EndWait();

        // A queued invocation runs on the thread of whoever freed or loaded the instance: its own context is the parent.
        using var span = queued is null ? StartRun() : StartRun(queued.Parent);
        SetTraceContext(instance, span?.Context ?? queued?.Parent ?? Activity.Current?.Context ?? default);
        ExecutionResult result;
        try
        {
            var json = cancellationToken.CanBeCanceled
                ? await CallInterruptiblyAsync(instance, requestJson, cancellationToken)
                : await CallAsync(instance, requestJson);

            // No answer: cancelled as it was handed this instance, which goes on to the next invocation unused.
            result = json is null ? Cancelled(started: false) : InvocationJson.Read(json);
        }
        catch (InstanceUnavailableException)
        {
            // Nothing ran: the instance is discarded, and the invocation keeps its place (the instance's slot and its count
            // in flight) on a new one.
            instance.Dispose();
            // Its trace shows the move: the new instance's load and run are children of this run's span.
            return await RunOnNewInstanceAsync(requestJson, arrived, queued: null, cancellationToken);
        }
        catch (Exception ex)
        {
            result = Failed(instance, ex, cancellationToken);
        }

        Release(instance);

        if (span is { IsAllDataRequested: true })
        {
            span.SetTag(FaasAttributes.ColdStart, cold);
            span.SetTag(FaasAttributes.Outcome, result.Outcome);
            if (result.Outcome != InvocationOutcomes.Ok)
            {
                span.SetStatus(ActivityStatusCode.Error, result.Error);
            }
        }

        return HostAnswers.Finish(result, Contract, _metrics, _echoConsole, cold, initMs, waitMs, Stopwatch.GetElapsedTime(running).TotalMilliseconds);
    }

    // The span of the run itself, a child of the invocation's span: none outside a trace (no current span, no parent).
    private Activity? StartRun() =>
        Activity.Current is null ? null : Named(GranaryActivities.Runtime.StartActivity("faas.run"), "run ");

    private Activity? StartRun(in ActivityContext parent) =>
        parent == default ? null : Named(GranaryActivities.Runtime.StartActivity("faas.run", ActivityKind.Internal, parent), "run ");

    // The span of a wait in the queue, a child of the invocation's span.
    private Activity? StartQueueWait() =>
        Activity.Current is null ? null : Named(GranaryActivities.Runtime.StartActivity("faas.queue_wait"), "queue wait ");

    private Activity? Named(Activity? span, string prefix)
    {
        if (span is { IsAllDataRequested: true })
        {
            span.DisplayName = prefix + Name;
            span.SetTag(FaasAttributes.Name, Name);
        }

        return span;
    }

    // A call its caller may cancel: from the start of the call on, the cancellation interrupts the instance as the timeout
    // would. Apart from RunAsync, so that a call that cannot be cancelled carries no registration; pooled, so that one
    // that can allocates no state machine of its own in the steady state.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<string?> CallInterruptiblyAsync(TInstance instance, string requestJson, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        // Disposed before RunAsync goes on: it waits for an interrupt in progress, so that the instance is never
        // interrupted once it is passed on.
        using var interrupt = cancellationToken.UnsafeRegister(s_interrupt, instance);
        return await CallAsync(instance, requestJson);
    }

    private ExecutionResult Failed(TInstance instance, Exception exception, CancellationToken cancellationToken)
    {
        var failure = exception is CallStoppedException stopped
            ? new CallFailure(CallFailureKind.Stopped, stopped.Message, stopped.Logs)
            : Explain(instance, exception);
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
    private async Task<ExecutionResult> RunOnNewInstanceAsync(string requestJson, long arrived, QueuedInvocation? queued, CancellationToken cancellationToken)
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

        return await RunAsync(instance, requestJson, arrived, cold: true, initMs, queued, cancellationToken);

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
