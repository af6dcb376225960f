using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Granary.Functions;
using Granary.Runtime.Signatures;
using Granary.Runtime.Telemetry;

namespace Granary.Runtime.Execution;

// The engine's instances: loading, starting for the queue (scale-up), and handing a free instance to the next invocation.
public abstract partial class FunctionEngine<TInstance>
{
    // Loads an instance; every failure but the end of the runtime's pool (ObjectDisposedException: the silo stops) is
    // a load error for the caller to answer.
    private async Task<(TInstance? Instance, CodeError? Error)> LoadAsync()
    {
        TInstance? instance = null;
        using var span = GranaryActivities.Runtime.StartActivity("faas.load");
        if (span is { IsAllDataRequested: true })
        {
            span.DisplayName = "load " + Name;
            span.SetTag(FaasAttributes.Name, Name);
            span.SetTag(FaasAttributes.Version, Definition.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        try
        {
            instance = await RentInstanceAsync();
            if (await LoadCodeAsync(instance) is { } error)
            {
                span?.SetStatus(ActivityStatusCode.Error, error.Message);
                instance.Dispose();
                return (null, error);
            }

            // Code registered with the Functions Framework's declarative API chose its own signature.
            Volatile.Write(ref _contract, SignatureRegistry.Get(instance.Signature ?? Definition.Spec.Signature));
            return (instance, null);
        }
        catch (Exception ex)
        {
            instance?.Dispose();
            if (ex is ObjectDisposedException)
            {
                throw;
            }

            EngineLog.InstanceUnavailable(_logger, Name, ex);
            return (null, new CodeError(CodeErrorKinds.Load, ex.Message));
        }
    }

    // Under the gate: counts one more instance starting for the queue, if the queue has an invocation no start covers
    // yet, there are fewer than maxConcurrency instances, and the runtime agrees.
    private bool TryReserveStart()
    {
        if (_disposed || _instances >= _maxConcurrency || _starting >= _queue.Count || !MayScaleUp(_instances))
        {
            return false;
        }

        _instances++;
        _starting++;
        return true;
    }

    private Task<CodeError?> StartForQueueAsync()
    {
        var started = Stopwatch.GetTimestamp();
        return FinishStartAsync(LoadAsync(), started, rethrow: false);
    }

    // Busy instances usually come free within microseconds, and a new instance costs a load of the module and its own
    // memory: a runtime with a scale-up delay starts one only if the invocation still waits after it.
    private async Task StartAfterDelayAsync(QueuedInvocation queued)
    {
        await Task.Delay(ScaleUpDelay);
        lock (_gate)
        {
            if (queued.Node!.List is null || !TryReserveStart())
            {
                return;
            }
        }

        await StartForQueueAsync();
    }

    // Ends the start of an instance counted in _instances and _starting. A loaded instance serves the oldest queued
    // invocation (as a cold start) or waits idle. A failed load answers the oldest queued invocation with the load error,
    // and the next start is tried for the rest, so that no queued invocation waits for an instance that never comes.
    // Never throws unless asked to (rethrow: the pool's end, for WarmUpAsync).
    private async Task<CodeError?> FinishStartAsync(Task<(TInstance? Instance, CodeError? Error)> loading, long started, bool rethrow)
    {
        TInstance? instance;
        CodeError? error;
        ObjectDisposedException? gone = null;
        try
        {
            (instance, error) = await loading;
        }
        catch (ObjectDisposedException ex)
        {
            (instance, error, gone) = (null, null, ex);
        }

        var initMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        QueuedInvocation? failed = null;
        var retry = false;
        lock (_gate)
        {
            _starting--;
            if (instance is null)
            {
                _instances--;
                if (_queue.First is { } first)
                {
                    _queue.RemoveFirst();
                    _inFlight--;
                    failed = first.Value;
                    retry = gone is null && TryReserveStart();
                }
            }
        }

        if (instance is not null)
        {
            Park(instance, initMs);
            return null;
        }

        if (gone is not null)
        {
            failed?.Result.TrySetException(gone);
            if (rethrow)
            {
                ExceptionDispatchInfo.Throw(gone);
            }

            return null;
        }

        failed?.Result.TrySetResult(LoadFailed(error!, initMs));
        if (retry)
        {
            _ = StartForQueueAsync();
        }

        return error;
    }

    // Puts a freshly loaded instance to work: the oldest queued invocation takes it (as a cold start), or it waits idle.
    private void Park(TInstance instance, double initMs)
    {
        QueuedInvocation? next;
        lock (_gate)
        {
            if (_disposed)
            {
                _instances--;
                instance.Dispose();
                return;
            }

            if (_queue.First is not { } first)
            {
                _idle.AddFirst((instance, Stopwatch.GetTimestamp()));
                return;
            }

            _queue.RemoveFirst();
            next = first.Value;
        }

        next.CompleteWith(RunAsync(instance, next.Json, next.Arrived, cold: true, Math.Min(initMs, Stopwatch.GetElapsedTime(next.Arrived).TotalMilliseconds), next, next.Cancellation));
    }

    // The caller has finished with an instance: pass it to the next queued invocation, or park it.
    private void Release(TInstance instance)
    {
        QueuedInvocation? next = null;
        var replace = false;
        lock (_gate)
        {
            _inFlight--;
            if (!instance.IsUsable || _disposed)
            {
                // Timed out, out of memory, crashed, interrupted, or this version is gone: discarded, never pooled.
                _instances--;
                instance.Dispose();
                if (!_disposed && _queue.First is { } first)
                {
                    // The slot is free again: the oldest queued invocation loads a replacement.
                    _queue.RemoveFirst();
                    _instances++;
                    next = first.Value;
                    replace = true;
                }
            }
            else if (_queue.First is not null && IsSurplus(_instances))
            {
                // Started before the function's calls showed what they need (a cold burst), more than it can use now:
                // the queue goes to the others.
                _instances--;
                instance.Dispose();
                return;
            }
            else if (_queue.First is { } first)
            {
                _queue.RemoveFirst();
                next = first.Value;
            }
            else
            {
                _idle.AddFirst((instance, Stopwatch.GetTimestamp()));
                return;
            }
        }

        if (next is null)
        {
            return;
        }

        if (replace)
        {
            next.CompleteWith(RunOnNewInstanceAsync(next.Json, next.Arrived, next, next.Cancellation));
        }
        else if (StartsNextInline)
        {
            next.CompleteWith(RunAsync(instance, next.Json, next.Arrived, cold: false, initMs: 0, next, next.Cancellation));
        }
        else
        {
            // A work item rather than a direct call keeps the freeing caller's own response from waiting.
            ThreadPool.UnsafeQueueUserWorkItem(
                static state => state.Queued.CompleteWith(state.Engine.RunAsync(state.Instance, state.Queued.Json, state.Queued.Arrived, cold: false, initMs: 0, state.Queued, state.Queued.Cancellation)),
                (Engine: this, Instance: instance, Queued: next),
                preferLocal: true);
        }
    }
}
