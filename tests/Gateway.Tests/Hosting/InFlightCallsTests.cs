using System.Collections.Immutable;
using Granary.Functions;
using Granary.Gateway.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Granary.Gateway.Tests.Hosting;

/// <summary>
/// The gateway's calls into the cluster: every invocation's token is cancelled by the client leaving, by the gateway's
/// deadline, or (client mode) when the silo running it left the cluster; reads lost with a gateway silo are sent again.
/// </summary>
public sealed class InFlightCallsTests
{
    private readonly FakeTimeProvider _time = new();

    private InFlightCalls Calls(bool tracked) =>
        new(Options.Create(new FunctionLimits()), _time, NullLogger<InFlightCalls>.Instance) { Enabled = tracked };

    [Fact]
    public async Task AReadWaitingWhenASiloLeavesIsSentAgainAndAnswersFromTheSecondAttempt()
    {
        var calls = Calls(tracked: true);
        var lostWithItsSilo = new TaskCompletionSource<string>();
        var attempts = 0;

        var read = calls.ReadAsync(() => ++attempts == 1 ? lostWithItsSilo.Task : Task.FromResult("second"));
        Assert.False(read.IsCompleted);
        calls.SiloLost("S127.0.0.1:11111:1");

        Assert.Equal("second", await read.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task AReadThatAnswersIsSentOnceAndItsFailureIsTheCallers()
    {
        var calls = Calls(tracked: true);
        var attempts = 0;

        Assert.Equal(7, await calls.ReadAsync(() => Task.FromResult(++attempts + 6)));
        await Assert.ThrowsAsync<InvalidOperationException>(() => calls.ReadAsync<int>(() => throw new InvalidOperationException("refused")));
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task InEmbeddedModeAReadIsAwaitedAsIs()
    {
        var calls = Calls(tracked: false);
        var pending = new TaskCompletionSource<int>();

        var read = calls.ReadAsync(() => pending.Task);
        calls.SiloLost("S127.0.0.1:11111:1");
        Assert.False(read.IsCompleted);
        pending.SetResult(3);
        Assert.Equal(3, await read);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AClientThatLeavesCancelsTheFunctionsCall(bool tracked)
    {
        var function = new Function();
        using var leave = new CancellationTokenSource();
        var call = Calls(tracked).InvokeAsync(function, new InvocationRequest(), leave.Token);
        await function.Called.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        await leave.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(function.Token.IsCancellationRequested);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ACallPastTheGatewaysDeadlineIsCancelledAndFailsAsATimeout(bool tracked)
    {
        var calls = Calls(tracked);
        var function = new Function();
        var call = calls.InvokeAsync(function, new InvocationRequest(), CancellationToken.None);
        await function.Called.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        // Twice the largest function timeout (900 s by default), and five minutes for a cold start.
        Assert.Equal(TimeSpan.FromMinutes(35), calls.Deadline);
        _time.Advance(calls.Deadline - TimeSpan.FromSeconds(1));
        Assert.False(call.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<TimeoutException>(() => call);
        Assert.True(function.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task ACallThatNoLiveActivationRunsWhenASiloLeavesIsCancelledAndFailsAsLost()
    {
        var calls = Calls(tracked: true);
        var function = new Function { Running = false };
        var call = calls.InvokeAsync(function, new InvocationRequest(), CancellationToken.None);
        await function.Called.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        calls.SiloLost("S127.0.0.1:11111:1");
        await EventuallyAsync(() => function.Questions == 1);
        Assert.False(call.IsCompleted);

        // Not running, asked twice a second apart (the first answer may race with the call's response).
        var waited = await AdvanceUntilAsync(() => call.IsCompleted);
        await Assert.ThrowsAsync<CallLostException>(() => call);
        Assert.InRange(waited, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.5));
        Assert.Equal(2, function.Questions);
        Assert.True(function.Token.IsCancellationRequested);
        Assert.Equal(0, calls.Count);
    }

    [Fact]
    public async Task ACallALiveActivationRunsIsAskedAboutOnceWhenASiloLeavesAndGoesOn()
    {
        var calls = Calls(tracked: true);
        var function = new Function { Running = true };
        var call = calls.InvokeAsync(function, new InvocationRequest(), CancellationToken.None);
        await function.Called.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        calls.SiloLost("S127.0.0.1:11111:1");
        await EventuallyAsync(() => function.Questions == 1);
        await AdvanceUntilAsync(() => function.Questions > 1, TimeSpan.FromSeconds(5));

        function.Answer.SetResult(new InvocationResponse(200, [], "{}"u8.ToArray(), "id"));
        Assert.Equal(200, (await call).StatusCode);
        Assert.Equal(1, function.Questions);
        Assert.False(function.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task TwoGatewaysNeverGiveTwoCallsTheSameId()
    {
        var (first, second) = (new Function(), new Function());
        var calls = new[] { Calls(tracked: true), Calls(tracked: true) };

        _ = calls[0].InvokeAsync(first, new InvocationRequest(), CancellationToken.None);
        _ = calls[1].InvokeAsync(second, new InvocationRequest(), CancellationToken.None);
        await Task.WhenAll(first.Called.Task, second.Called.Task).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.False(string.IsNullOrEmpty(first.CallId));
        Assert.NotEqual(first.CallId, second.CallId);
    }

    // Moves the fake clock on 100 ms at a time (giving the code under test a moment of real time after each step) until
    // the condition holds or `limit` has passed on it; returns how far it moved.
    private async Task<TimeSpan> AdvanceUntilAsync(Func<bool> condition, TimeSpan? limit = null)
    {
        var moved = TimeSpan.Zero;
        while (!condition() && moved < (limit ?? TimeSpan.FromSeconds(30)))
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            moved += TimeSpan.FromMilliseconds(100);
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        return moved;
    }

    private static async Task EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 30 s");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    // A function grain as the gateway sees one through Orleans: a call ends at once when its token is cancelled.
    private sealed class Function : IFunctionGrain
    {
        private int _questions;

        public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<InvocationResponse> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Running { get; init; } = true;

        public int Questions => Volatile.Read(ref _questions);

        public CancellationToken Token { get; private set; }

        public string? CallId { get; private set; }

        public Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken = default)
        {
            (CallId, Token) = (request.CallId, cancellationToken);
            Called.TrySetResult();
            return Answer.Task.WaitAsync(cancellationToken);
        }

        public Task<bool> IsRunningAsync(string callId)
        {
            Assert.Equal(CallId, callId);
            Interlocked.Increment(ref _questions);
            return Task.FromResult(Running);
        }

        public Task ReloadAsync(FunctionDefinition? definition) => throw new NotSupportedException();

        public Task<ImmutableArray<InvocationRecord>> DrainRecordsAsync() => throw new NotSupportedException();

        public Task StartAsync() => throw new NotSupportedException();

        public Task ShardsChangedAsync(int shardSet) => throw new NotSupportedException();
    }
}
