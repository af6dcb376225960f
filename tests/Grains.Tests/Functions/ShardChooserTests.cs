using Granary.Functions;

namespace Granary.Grains.Tests.Functions;

/// <summary>The power of two choices over a function's live shards, on the caller's own outstanding counts.</summary>
public sealed class ShardChooserTests
{
    [Fact]
    public void AFunctionWithOneLiveShardAlwaysGetsShardZero()
    {
        var chooser = new ShardChooser(maxInstances: 1);
        chooser.Enter(0);

        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(0, chooser.Choose(new Random(7))));
    }

    [Fact]
    public void OfTwoLiveShardsTheOneWithFewerOutstandingCallsIsChosen()
    {
        var chooser = new ShardChooser(maxInstances: 10);
        chooser.SetLive([0, 3]);
        chooser.Enter(0);

        Assert.Equal(3, chooser.Choose(new Random(1)));
        chooser.Enter(3);
        chooser.Enter(3);
        Assert.Equal(0, chooser.Choose(new Random(1)));
    }

    [Fact]
    public void CallsHeldOpenSpreadEvenlyOverTheLiveShardsAndNeverReachAnotherShard()
    {
        var chooser = new ShardChooser(maxInstances: 10);
        chooser.SetLive([0, 1, 2, 42, -1]);
        var random = new Random(12345);

        for (var call = 0; call < 300; call++)
        {
            chooser.Enter(chooser.Choose(random));
        }

        Assert.Equal([0, 1, 2], chooser.Live);
        Assert.All(Enumerable.Range(0, 3), shard => Assert.InRange(chooser.Outstanding(shard), 95, 105));
        Assert.All(Enumerable.Range(3, 7), shard => Assert.Equal(0, chooser.Outstanding(shard)));
    }

    [Fact]
    public void WithNoLiveShardsShardZeroServes()
    {
        var chooser = new ShardChooser(maxInstances: 3);
        chooser.SetLive([1, 2]);

        chooser.SetLive([]);

        Assert.Equal([0], chooser.Live);
        Assert.Equal(0, chooser.Choose(new Random(3)));
    }
}
