using System.Collections.Concurrent;
using Granary.Functions;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Hosting;

/// <summary>
/// The gateway's calls into the cluster. Every invocation carries a token that the HTTP request's abort (the client went
/// away) and the gateway's deadline (<see cref="Deadline"/>) cancel; Orleans carries the cancellation to the function
/// grain, wherever it runs, and the function is stopped there.
/// <para>
/// In client mode a call must also not wait for a silo that died under it. Orleans fails a silo's own calls to a silo
/// that membership declares dead, but an Orleans client's call, relayed by a gateway silo, waits for its response
/// timeout, and nothing in Orleans tells the client which silo ran it. So each call carries a
/// <see cref="InvocationRequest.CallId"/>; when <see cref="ClusterWatch"/> sees a silo leave the cluster, the function
/// grain of every call that started before is asked whether it is running that call (a live activation answers at
/// once; a new one, made since the old one was lost, does not know the call), and a call that no live activation runs
/// is cancelled: it fails with <see cref="CallLostException"/> (503). Reads (<see cref="ReadAsync{T}"/>) are simpler:
/// they are sent again.
/// </para>
/// </summary>
internal sealed partial class InFlightCalls(IOptions<FunctionLimits> limits, TimeProvider time, ILogger<InFlightCalls> logger, LocalFunctions? local = null)
{
    private static readonly TimeSpan s_askPeriod = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_readTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_coldStartMargin = TimeSpan.FromMinutes(5);
    private const int ReadAttempts = 4;
    private const int MaxQuestions = 60;

    private readonly ConcurrentDictionary<long, Call> _calls = new();

    // Call ids are unique across gateways (a container's gateway is pid 1 like every other's).
    private readonly string _idPrefix = Guid.NewGuid().ToString("N")[..12];
    private long _nextId;

    // Completed (and replaced) each time a silo leaves the cluster.
    private TaskCompletionSource _nextLoss = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets or sets whether calls are tracked (client mode); untracked calls go straight to the grain.</summary>
    public bool Enabled { get; set; }

    /// <summary>Gets the number of calls in flight now (tracked ones).</summary>
    public int Count => _calls.Count;

    /// <summary>
    /// Gets how long the gateway waits for a function's answer before it cancels the call and answers 504: twice the
    /// largest timeout a function may have (a function's timeout bounds both its wait in the queue and its run) and
    /// five minutes for a cold start (an activation on a silo that installs the function's packages first). With the
    /// defaults (<see cref="FunctionLimits.MaxTimeoutSeconds"/> = 900) that is 35 minutes. Only a call whose answer
    /// was lost waits this long: a function's own timeout answers long before.
    /// </summary>
    public TimeSpan Deadline { get; } = (2 * TimeSpan.FromSeconds(limits.Value.MaxTimeoutSeconds)) + s_coldStartMargin;

    /// <summary>
    /// Invokes one of a function's instances, chosen by its <paramref name="route"/>, as
    /// <see cref="InvokeAsync(IFunctionGrain, InvocationRequest, CancellationToken)"/> does; the answer tells the route
    /// what it learnt (the instance is full, the live set changed), and a call lost with its silo takes that instance out.
    /// </summary>
    public async Task<InvocationResponse> InvokeAsync(FunctionRoute route, InvocationRequest request, CancellationToken aborted)
    {
        ArgumentNullException.ThrowIfNull(route);
        var shard = route.Enter();
        try
        {
            // An embedded gateway serves the instance its own silo holds, once loaded, on this thread: no grain call.
            if (local?.TryInvoke(route.Id, shard.Shard, request, aborted) is { } here && await here is { } answer)
            {
                route.Answered(shard, answer);
                return answer;
            }

            var response = await InvokeAsync(shard.Grain, request, aborted);
            route.Answered(shard, response);
            return response;
        }
        catch (Exception ex) when (ex is CallLostException or SiloUnavailableException)
        {
            route.Lost(shard);
            throw;
        }
        finally
        {
            route.Exit(shard);
        }
    }

    /// <summary>
    /// Invokes the function until it answers, <paramref name="aborted"/> is cancelled (the call ends with an
    /// <see cref="OperationCanceledException"/>, and so does the function), or the gateway gives up: at its
    /// <see cref="Deadline"/> with a <see cref="TimeoutException"/>, and with tracking on, with a
    /// <see cref="CallLostException"/> for a call lost with its silo.
    /// </summary>
    public async Task<InvocationResponse> InvokeAsync(IFunctionGrain function, InvocationRequest request, CancellationToken aborted)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(request);

        // A rejection means Orleans did not deliver the call (the target silo was shutting down or gone when the message
        // reached it), so the function did not run and the call is sent again: a rolling restart loses no request.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await InvokeOnceAsync(function, request, aborted);
            }
            catch (OrleansMessageRejectionException ex) when (Enabled && attempt < 3)
            {
                LogRetried(attempt, ex.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), time, aborted);
            }
        }
    }

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

    private async Task<InvocationResponse> InvokeOnceAsync(IFunctionGrain function, InvocationRequest request, CancellationToken aborted)
    {
        var key = Enabled ? Interlocked.Increment(ref _nextId) : 0;
        using var call = new Call(function, Enabled ? $"{_idPrefix}-{key:x}" : null, Deadline, time, aborted);
        if (call.Id is not null)
        {
            _calls[key] = call;
            request = request with { CallId = call.Id };
        }

        try
        {
            return await function.InvokeAsync(request, call.Token);
        }
        catch (OperationCanceledException) when (call.Token.IsCancellationRequested && !aborted.IsCancellationRequested)
        {
            // The gateway cancelled the call itself (the client is still there): lost with its silo, or out of time.
            throw call.Lost ? new CallLostException() : new TimeoutException($"The function did not answer within {Deadline}.");
        }
        finally
        {
            call.Done = true;
            if (call.Id is not null)
            {
                _calls.TryRemove(key, out _);
            }
        }
    }

    // Asks the function grain about the call once a second until the call completes, a live activation says it runs
    // the call (it was not on the silo that left; a later loss asks again), or the grain has twice said it does not
    // (the answer may race with the response by a moment, hence twice). A question that is not answered (membership
    // has not yet declared the silo dead, so the grain's address still points at it) is asked again.
    private async Task CheckAsync(Call call)
    {
        var notRunning = 0;
        for (var asked = 0; !call.Done && asked < MaxQuestions; asked++)
        {
            try
            {
                if (await call.Function.IsRunningAsync(call.Id!))
                {
                    break;
                }

                notRunning++;
            }
            catch (Exception ex) when (ex is TimeoutException or OrleansException)
            {
                // Not answered yet; ask again.
            }

            if (notRunning >= 2)
            {
                if (!call.Done)
                {
                    LogLost(call.Id!);
                    call.Lose();
                }

                break;
            }

            await Task.Delay(s_askPeriod, time);
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

    // One call in flight: its token is cancelled by the HTTP request's abort, by the deadline, or by Lose.
    private sealed class Call : IDisposable
    {
        private readonly CancellationTokenSource _cancel;
        private readonly CancellationTokenRegistration _aborted;

        public Call(IFunctionGrain function, string? id, TimeSpan deadline, TimeProvider time, CancellationToken aborted)
        {
            Function = function;
            Id = id;
            _cancel = new CancellationTokenSource(deadline, time);
            _aborted = aborted.UnsafeRegister(static cancel => ((CancellationTokenSource)cancel!).Cancel(), _cancel);
        }

        public IFunctionGrain Function { get; }

        public string? Id { get; }

        public CancellationToken Token => _cancel.Token;

        public bool Lost { get; private set; }

        public volatile bool Done;

        public volatile bool Checking;

        public void Lose()
        {
            Lost = true;
            try
            {
                _cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It answered meanwhile.
            }
        }

        public void Dispose()
        {
            _aborted.Dispose();
            _cancel.Dispose();
        }
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
