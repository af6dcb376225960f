using System.Collections.Immutable;
using Granary.Functions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Granary.Grains.Tests.Functions;

/// <summary>
/// A function scales out to more instances (shards) on other silos when its instance is busy, callers route over the
/// live ones, and an extra instance retires when no call reaches it for the cool-down.
/// </summary>
[Collection(ClusterGroup.Name)]
public sealed class ScaleOutTests(ClusterFixture fixture)
{
    // Busy at once with one place per instance: every call beyond the first queues.
    private const string Slow = "module.exports = async () => { await new Promise(r => setTimeout(r, 100)); return 'ok'; };";

    private static FunctionId NewId() => new(ClusterFixture.Tenant, "scale", "fn" + Guid.NewGuid().ToString("N")[..10]);

    private async Task<FunctionId> DeployAsync(int maxInstances)
    {
        var id = NewId();
        var result = await fixture.Client.GetFunctionDefinition(id).DeployAsync(new FunctionSpec
        {
            Runtime = FunctionRuntimes.NodeJs,
            Code = Slow,
            MaxConcurrency = 1,
            MaxInstances = maxInstances,
        });
        Assert.Null(result.Error);
        return id;
    }

    // Callers that invoke the function through the router until stopped; every answer's status is kept.
    private static async Task<List<int>> DriveAsync(FunctionRouter router, FunctionId id, int callers, Func<bool> done)
    {
        var statuses = new List<int>();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            while (!done())
            {
                var response = await router.InvokeAsync(id, new InvocationRequest { Method = "GET" });
                lock (statuses)
                {
                    statuses.Add(response.StatusCode);
                }
            }
        }));
        return statuses;
    }

    [Fact]
    public async Task ABusyInstanceGetsASecondOnTheOtherSiloTheRouterSpreadsCallsOverBothAndTheSecondRetiresWhenIdle()
    {
        var id = await DeployAsync(maxInstances: 2);
        var router = new FunctionRouter(fixture.Client);
        var route = router.Route(id);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var scaledAt = DateTime.MaxValue;

        // Four callers on one place: the instance is busy; once a second serves, the load runs on for a second more.
        var statuses = await DriveAsync(router, id, callers: 4, () =>
        {
            if (scaledAt == DateTime.MaxValue && route.Live.Count == 2)
            {
                scaledAt = DateTime.UtcNow;
            }

            return DateTime.UtcNow > deadline || (scaledAt != DateTime.MaxValue && DateTime.UtcNow > scaledAt.AddSeconds(1));
        });

        var definition = fixture.Client.GetFunctionDefinition(id);
        var shards = await definition.GetShardsAsync();
        var records = await definition.GetInvocationsAsync(100);
        Assert.All(statuses, s => Assert.Equal(200, s));
        Assert.Equal([0, 1], shards.Shards.Select(s => s.Shard));
        Assert.Equal(2, shards.Shards.Select(s => s.Silo).Distinct().Count());
        Assert.NotEqual(0, shards.Version);
        Assert.Equal(shards.Version, route.Version);
        Assert.Contains(records, r => r.Shard == 1);
        Assert.Equal(2, records.Select(r => r.Silo).Distinct().Count());
        Assert.All(records, r => Assert.Equal(shards.Shards.Single(s => s.Shard == r.Shard).Silo, r.Silo));

        // No call for the cool-down: the extra instance retires, the first stays for the function's idle timeout.
        var retireAfter = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IOptions<ScalingOptions>>().Value.RetireAfterSeconds;
        fixture.Clock.Advance(TimeSpan.FromSeconds(retireAfter + 1));
        await fixture.SweepAsync();
        await WaitUntilAsync(async () => (await definition.GetShardsAsync()).Shards.Select(s => s.Shard).SequenceEqual([0]));
        Assert.True(await fixture.IsActiveAsync(id));
        var active = await fixture.Client.GetGrain<IManagementGrain>(0).GetActiveGrains(GrainType.Create("fn"));
        Assert.DoesNotContain(GrainId.Create("fn", id.GrainKey(1)), active);

        // The next answer names the new set, and the route reads it: one instance again.
        Assert.Equal(200, (await router.InvokeAsync(id, new InvocationRequest { Method = "GET" })).StatusCode);
        await WaitUntilAsync(() => Task.FromResult(route.Live.Count == 1));
        Assert.Equal(0, route.Live[0].Shard);
    }

    [Fact]
    public async Task AFunctionWithOneInstanceAllowedStaysOnOneSiloUnderTheSameLoad()
    {
        var id = await DeployAsync(maxInstances: 1);
        var router = new FunctionRouter(fixture.Client);
        var until = DateTime.UtcNow.AddSeconds(1.5);

        var statuses = await DriveAsync(router, id, callers: 4, () => DateTime.UtcNow > until);

        var shards = await fixture.Client.GetFunctionDefinition(id).GetShardsAsync();
        Assert.All(statuses, s => Assert.Equal(200, s));
        Assert.True(statuses.Count >= 4, $"only {statuses.Count} calls answered");
        Assert.Equal([0], shards.Shards.Select(s => s.Shard));
        Assert.Equal(0, shards.Version);
        Assert.Single(router.Route(id).Live);
    }

    [Fact]
    public void TheRouteFillsTheLocalInstanceFirstThenTheNextThatIsNotBusy()
    {
        var silos = fixture.Cluster.Silos.Select(s => s.SiloAddress.ToString()).ToArray();
        var route = new FunctionRouter(fixture.Client, localSilo: silos[1]).Route(NewId());
        route.Apply(new FunctionShards(7, 2, [new ShardInfo(0, silos[0]), new ShardInfo(1, silos[1])]));

        // The local instance (shard 1) first, while it has places (maxConcurrency 2, this caller's own count).
        var first = route.Enter();
        var second = route.Enter();
        var third = route.Enter();

        Assert.Equal([1, 0], route.Live.Select(s => s.Shard));
        Assert.Equal(1, first.Shard);
        Assert.Equal(1, second.Shard);
        Assert.Equal(0, third.Shard);

        // An answer that says its instance is full sends the next call elsewhere though this caller has room on it.
        route.Exit(first);
        route.Exit(second);
        route.Answered(first, Answer(shardSet: 7, busy: true));
        var fourth = route.Enter();
        Assert.Equal(0, fourth.Shard);
        Assert.Equal(7, route.Version);
    }

    [Fact]
    public void WhenEveryInstanceIsBusyTheOneWithFewerOutstandingCallsIsChosenAndALostOneIsSkipped()
    {
        var silos = fixture.Cluster.Silos.Select(s => s.SiloAddress.ToString()).ToArray();
        var route = new FunctionRouter(fixture.Client).Route(NewId());
        route.Apply(new FunctionShards(3, 1, [new ShardInfo(0, silos[0]), new ShardInfo(1, silos[1])]));
        var onZero = route.Enter();
        var onOne = route.Enter();
        var again = route.Enter();
        Assert.Equal((0, 1), (onZero.Shard, onOne.Shard));

        // Both full (one place each): the power of two choices balances the outstanding calls.
        var counts = route.Live.ToDictionary(s => s.Shard, s => s.Outstanding);
        Assert.Equal(3, counts.Values.Sum());
        for (var i = 0; i < 20; i++)
        {
            route.Enter();
        }

        Assert.InRange(Math.Abs(route.Live[0].Outstanding - route.Live[1].Outstanding), 0, 1);

        // A call lost with its silo takes its instance out of the choice (until the live set says otherwise).
        route.Lost(route.Live.Single(s => s.Shard == 1));
        Assert.All(Enumerable.Range(0, 10), _ => Assert.Equal(0, route.Enter().Shard));
        Assert.NotNull(again);
    }

    private static InvocationResponse Answer(int shardSet, bool busy) => new(200, ImmutableArray<HttpHeader>.Empty, ReadOnlyMemory<byte>.Empty, "id", shardSet, busy);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within 30 s.");
            await Task.Delay(50);
        }
    }
}
