using System.Net;
using Granary.Functions;
using Granary.Functions.Placement;
using Microsoft.Extensions.DependencyInjection;

namespace Granary.Grains.Tests.Functions.Placement;

/// <summary>Where a function's shards activate: shard 0 as before, every other shard on a silo that holds no other shard of the function.</summary>
[Collection(ClusterGroup.Name)]
public sealed class FunctionShardPlacementTests(ClusterFixture fixture)
{
    private static readonly SiloAddress[] s_silos = [Silo(11111), Silo(11112), Silo(11113)];

    private static FunctionId NewId() => new("acme", "grains", "fn" + Guid.NewGuid().ToString("N")[..10]);

    private static SiloAddress Silo(int port) => SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), 1);

    [Fact]
    public void ShardsPlacedFromTheSameViewLandOnSilosWithoutAShard()
    {
        var id = NewId();
        foreach (var holder in s_silos)
        {
            var occupied = new HashSet<string>(StringComparer.Ordinal) { holder.ToString() };

            var first = FunctionShardPlacementDirector.Choose(id, 1, s_silos, occupied);
            var second = FunctionShardPlacementDirector.Choose(id, 2, s_silos, occupied);

            Assert.Equal(3, new HashSet<SiloAddress> { holder, first, second }.Count);
        }
    }

    [Fact]
    public void EverySiloRanksTheSilosAlikeWhateverOrderItListsThemIn()
    {
        var id = NewId();
        var empty = new HashSet<string>(StringComparer.Ordinal);

        var forward = Enumerable.Range(1, 3).Select(shard => FunctionShardPlacementDirector.Choose(id, shard, s_silos, empty)).ToList();
        var backward = Enumerable.Range(1, 3).Select(shard => FunctionShardPlacementDirector.Choose(id, shard, [.. s_silos.Reverse()], empty)).ToList();

        Assert.Equal(forward, backward);
        Assert.Equal(3, forward.Distinct().Count());
    }

    [Fact]
    public void WhenEverySiloHoldsAShardTheShardStillGetsACompatibleSilo()
    {
        var occupied = s_silos.Select(s => s.ToString()).ToHashSet(StringComparer.Ordinal);

        var placed = FunctionShardPlacementDirector.Choose(NewId(), 4, s_silos[..2], occupied);

        Assert.Contains(placed, s_silos[..2]);
    }

    [Fact]
    public async Task ShardZeroStaysOnTheCallersSiloAndTheNextShardActivatesOnTheOther()
    {
        var id = NewId();
        var definition = fixture.Client.GetFunctionDefinition(id);
        await definition.DeployAsync(new FunctionSpec { Runtime = FunctionRuntimes.NodeJs, Code = "module.exports = () => 'hi';", MaxInstances = 2 });

        // Both calls start on the same silo, so caller-local placement would put both shards there.
        var caller = fixture.Cluster.Silos[0];
        var grains = caller.ServiceProvider.GetRequiredService<IGrainFactory>();
        var first = await grains.GetFunction(id, 0).InvokeAsync(new InvocationRequest { Method = "GET" });
        var second = await grains.GetFunction(id, 1).InvokeAsync(new InvocationRequest { Method = "GET" });
        var activations = (await definition.GetAsync())!.Status.Activations;

        Assert.Equal(200, first.StatusCode);
        Assert.Equal(200, second.StatusCode);
        Assert.Equal([0, 1], activations.Select(a => a.Shard).Order());
        Assert.Equal(caller.SiloAddress.ToString(), activations.Single(a => a.Shard == 0).Silo);
        Assert.Equal(fixture.Cluster.Silos[1].SiloAddress.ToString(), activations.Single(a => a.Shard == 1).Silo);
    }
}
