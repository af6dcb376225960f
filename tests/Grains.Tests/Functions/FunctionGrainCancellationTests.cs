using System.Diagnostics;
using Granary.Functions;

namespace Granary.Grains.Tests.Functions;

/// <summary>
/// The caller's <see cref="CancellationToken"/> on <see cref="IFunctionGrain.InvokeAsync"/> reaches the function,
/// across the client–silo hop, and stops it. Orleans ends the caller's call at once whatever the grain does, so the
/// test observes the function itself: its only isolate comes free for the next call, and its invocation record says
/// it was cancelled, long before its timeout.
/// </summary>
[Collection(ClusterGroup.Name)]
public sealed class FunctionGrainCancellationTests(ClusterFixture fixture)
{
    private const string Cancelled = "cancelled";

    // Spins without end when asked to (until its timeout, a minute: far past the test's waits); answers otherwise.
    private const string Spinner = "module.exports = (event) => { if (event.spin) { for (;;) {} } return 'free'; };";

    private static readonly TimeSpan s_prompt = TimeSpan.FromSeconds(15);

    private static FunctionId NewId() => new(ClusterFixture.Tenant, "cancel", "fn" + Guid.NewGuid().ToString("N")[..10]);

    private async Task<IFunctionGrain> DeploySpinnerAsync(FunctionId id)
    {
        // One isolate at most: a call can only run once the one before it has stopped.
        var spec = new FunctionSpec { Runtime = FunctionRuntimes.NodeJs, Code = Spinner, TimeoutSeconds = 60, MaxConcurrency = 1, MaxInstances = 1 };
        Assert.Equal(DeployOutcome.Created, (await fixture.Client.GetFunctionDefinition(id).DeployAsync(spec)).Outcome);
        var function = fixture.Client.GetFunction(id);
        Assert.Equal("free", (await function.InvokeAsync(InvocationRequest.Json("{}"))).BodyText);
        return function;
    }

    [Fact]
    public async Task CancellingTheCallersTokenStopsARunningFunctionLongBeforeItsTimeout()
    {
        var id = NewId();
        var function = await DeploySpinnerAsync(id);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => function.InvokeAsync(InvocationRequest.Json("{\"spin\":true}"), cancel.Token));
        Assert.True(clock.Elapsed < s_prompt, $"the cancelled call ended after {clock.Elapsed}");

        // The spinning run held the function's only isolate: the next call gets one only if the spin was stopped.
        var next = await function.InvokeAsync(InvocationRequest.Json("{}")).WaitAsync(s_prompt, TestContext.Current.CancellationToken);
        Assert.Equal("free", next.BodyText);
        Assert.True(clock.Elapsed < s_prompt + s_prompt, $"the next call answered after {clock.Elapsed}");
        var records = await RecordsAsync(id, count: 3);
        Assert.Equal(new[] { InvocationOutcomes.Ok, Cancelled, InvocationOutcomes.Ok }, records.Select(r => r.Outcome).Reverse());
    }

    // The function's newest records, once there are `count` of them (they reach the definition grain within a second or so).
    private async Task<IReadOnlyList<InvocationRecord>> RecordsAsync(FunctionId id, int count)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var records = await fixture.Client.GetFunctionDefinition(id).GetInvocationsAsync(10);
            if (records.Length >= count)
            {
                return records;
            }

            Assert.True(clock.Elapsed < s_prompt, $"only {records.Length} of {count} invocation record(s) after {clock.Elapsed}: {string.Join(", ", records.Select(r => r.Outcome))}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
