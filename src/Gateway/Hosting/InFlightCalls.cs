using System.Collections.Concurrent;
using Granary.Functions;

namespace Granary.Gateway.Hosting;

/// <summary>
/// Keeps an HTTP request from waiting forever on a silo that died under it (client mode). Orleans keeps a call's
/// callback until its response timeout (an hour for invocations, so long functions can run) even when the silo
/// that would answer is gone. So each call carries a <see cref="InvocationRequest.CallId"/>; when
/// <see cref="ClusterWatch"/> sees a silo leave the cluster, every call that started before is checked: the function
/// grain is asked whether it is still running the call, and a call that no live activation runs and that did not
/// answer fails with <see cref="CallLostException"/> (503). Reads (<see cref="ReadAsync{T}"/>) are simpler: they are
/// sent again.
/// </summary>
internal sealed partial class InFlightCalls(ILogger<InFlightCalls> logger)
{
    private static readonly TimeSpan s_askTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_askPeriod = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_readTimeout = TimeSpan.FromSeconds(5);
    private const int ReadAttempts = 4;

    private readonly ConcurrentDictionary<long, Call> _calls = new();
    private long _nextId;

    // Completed (and replaced) each time a silo leaves the cluster.
    private TaskCompletionSource _nextLoss = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets or sets whether calls are tracked (client mode); untracked calls go straight to the grain.</summary>
    public bool Enabled { get; set; }

    /// <summary>Gets the number of calls in flight now (tracked ones).</summary>
    public int Count => _calls.Count;

    /// <summary>Invokes the function; with tracking on, the call fails with <see cref="CallLostException"/> if it is lost.</summary>
    public Task<InvocationResponse> InvokeAsync(IFunctionGrain function, InvocationRequest request) =>
        Enabled ? InvokeTrackedAsync(function, request) : function.InvokeAsync(request);

    /// <summary>
    /// Reads from a grain with a call that may be sent more than once (it changes nothing). With tracking on, a read
    /// that waits when a silo leaves the cluster, or that has not answered within 5 s, is sent again: Orleans keeps a
    /// call sent through a gateway that died until its response timeout (30 s), and the client sends the next one
    /// through a live gateway. After four attempts the read fails with a <see cref="TimeoutException"/>.
    /// </summary>
    public async Task<T> ReadAsync<T>(Func<Task<T>> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        if (!Enabled)
        {
            return await read();
        }

        for (var attempt = 1; ; attempt++)
        {
            var lost = Volatile.Read(ref _nextLoss).Task;
            var task = read();
            bool answered;
            try
            {
                answered = await Task.WhenAny(task, lost).WaitAsync(s_readTimeout) == task;
            }
            catch (TimeoutException)
            {
                answered = false;
            }

            if (answered)
            {
                return await task;
            }

            ObserveAbandoned(task);
            if (attempt == ReadAttempts)
            {
                throw new TimeoutException($"The cluster did not answer a read in {ReadAttempts} attempts.");
            }

            LogReadAgain(attempt);
        }
    }

    // Orleans completes an abandoned call at its response timeout; its failure is observed then.
    private static void ObserveAbandoned(Task task) =>
        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    /// <summary>Checks every call that started before now: a silo left the cluster.</summary>
    public void SiloLost(string silo)
    {
        Interlocked.Exchange(ref _nextLoss, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        var calls = _calls.Values.ToList();
        LogChecking(silo, calls.Count);
        foreach (var call in calls)
        {
            if (call.Checking is false)
            {
                call.Checking = true;
                _ = CheckAsync(call);
            }
        }
    }

    // A rejection means Orleans did not deliver the call (the target silo was shutting down or gone when the message
    // reached it), so the function did not run and the call is sent again: a rolling restart loses no request.
    private async Task<InvocationResponse> InvokeTrackedAsync(IFunctionGrain function, InvocationRequest request)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await InvokeOnceAsync(function, request);
            }
            catch (OrleansMessageRejectionException ex) when (attempt < 3)
            {
                LogRetried(attempt, ex.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt));
            }
        }
    }

    private async Task<InvocationResponse> InvokeOnceAsync(IFunctionGrain function, InvocationRequest request)
    {
        var id = Interlocked.Increment(ref _nextId);
        var call = new Call(function, $"{Environment.ProcessId:x}-{id:x}");
        _calls[id] = call;
        try
        {
            var invoke = function.InvokeAsync(request with { CallId = call.Id });
            var first = await Task.WhenAny(invoke, call.Lost.Task);
            if (first != invoke)
            {
                ObserveAbandoned(invoke);
                throw new CallLostException();
            }

            return await invoke;
        }
        finally
        {
            call.Done = true;
            _calls.TryRemove(id, out _);
        }
    }

    // Asks the function grain about the call once a second until the call completes, or it has twice said the call
    // is not running (the answer may race with the response by a moment, hence twice). A question that times out
    // (membership has not yet declared the silo dead, so the grain's address still points at it) is asked again.
    private async Task CheckAsync(Call call)
    {
        var notRunning = 0;
        for (var asked = 0; !call.Done && asked < 120; asked++)
        {
            try
            {
                notRunning = await call.Function.IsRunningAsync(call.Id).WaitAsync(s_askTimeout) ? 0 : notRunning + 1;
            }
            catch (Exception ex) when (ex is TimeoutException or OrleansException)
            {
                // Not answered yet; ask again.
            }

            if (notRunning >= 2)
            {
                if (!call.Done)
                {
                    LogLost(call.Id);
                    call.Lost.TrySetResult();
                }

                break;
            }

            await Task.Delay(s_askPeriod);
        }

        call.Checking = false;
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Warning, Message = "Silo {Silo} left the cluster; checking {Count} call(s) in flight")]
    private partial void LogChecking(string silo, int count);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Call {CallId} was lost with its silo; answering 503")]
    private partial void LogLost(string callId);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "A read from the cluster did not answer (attempt {Attempt}: a silo left, or 5 s passed); sending it again")]
    private partial void LogReadAgain(int attempt);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "A call was not delivered (attempt {Attempt}: {Reason}); sending it again")]
    private partial void LogRetried(int attempt, string reason);

    private sealed class Call(IFunctionGrain function, string id)
    {
        public IFunctionGrain Function { get; } = function;

        public string Id { get; } = id;

        public TaskCompletionSource Lost { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public volatile bool Done;

        public volatile bool Checking;
    }
}

/// <summary>The silo running a call left the cluster before it answered; the call may or may not have run.</summary>
internal sealed class CallLostException : Exception
{
    public CallLostException()
        : base("The silo running this call left the cluster before it answered.")
    {
    }

    public CallLostException(string message)
        : base(message)
    {
    }

    public CallLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
