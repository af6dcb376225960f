using Granary.Gateway.Hosting;
using Granary.Functions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Tests.Hosting;

/// <summary>Reads from the cluster in client mode: a read lost with a gateway silo is sent again instead of waiting 30 s.</summary>
public sealed class InFlightCallsTests
{
    [Fact]
    public async Task AReadWaitingWhenASiloLeavesIsSentAgainAndAnswersFromTheSecondAttempt()
    {
        var calls = new InFlightCalls(Options.Create(new FunctionLimits()), NullLogger<InFlightCalls>.Instance) { Enabled = true };
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
        var calls = new InFlightCalls(Options.Create(new FunctionLimits()), NullLogger<InFlightCalls>.Instance) { Enabled = true };
        var attempts = 0;

        Assert.Equal(7, await calls.ReadAsync(() => Task.FromResult(++attempts + 6)));
        await Assert.ThrowsAsync<InvalidOperationException>(() => calls.ReadAsync<int>(() => throw new InvalidOperationException("refused")));
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task InEmbeddedModeAReadIsAwaitedAsIs()
    {
        var calls = new InFlightCalls(Options.Create(new FunctionLimits()), NullLogger<InFlightCalls>.Instance);
        var pending = new TaskCompletionSource<int>();

        var read = calls.ReadAsync(() => pending.Task);
        calls.SiloLost("S127.0.0.1:11111:1");
        Assert.False(read.IsCompleted);
        pending.SetResult(3);
        Assert.Equal(3, await read);
    }
}
