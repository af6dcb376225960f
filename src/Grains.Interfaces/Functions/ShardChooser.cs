using System.Collections.Immutable;

namespace Granary.Functions;

/// <summary>
/// Chooses which of a function's live shards serves the caller's next call, by the power of two choices on the caller's
/// own counts: of two live shards drawn at random, the one with fewer of this caller's calls outstanding (ties: the
/// lower shard). No shared state and no storage read per call: the caller counts its own calls with
/// <see cref="Enter"/> and <see cref="Exit"/>, and replaces the live shards with <see cref="SetLive"/> when it learns of
/// new or retired ones. Thread-safe. Not yet used by the gateway (see the Scale-out section of docs/architecture.md).
/// </summary>
public sealed class ShardChooser
{
    private readonly int[] _outstanding;
    // Replaced whole, never changed in place: a reader sees one list or the other.
    private int[] _live = [0];

    /// <summary>Creates a chooser for a function of at most <paramref name="maxInstances"/> shards, with shard 0 live.</summary>
    public ShardChooser(int maxInstances)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInstances, 1);
        _outstanding = new int[maxInstances];
    }

    /// <summary>Gets the live shards, in ascending order.</summary>
    public ImmutableArray<int> Live => [.. Volatile.Read(ref _live)];

    /// <summary>Gets how many of this caller's calls to a shard are outstanding.</summary>
    public int Outstanding(int shard) => Volatile.Read(ref _outstanding[shard]);

    /// <summary>Replaces the live shards (those outside <c>0 … maxInstances-1</c> are ignored; none leaves shard 0).</summary>
    public void SetLive(IEnumerable<int> shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        var live = shards.Where(s => s >= 0 && s < _outstanding.Length).Distinct().Order().ToArray();
        Volatile.Write(ref _live, live.Length == 0 ? [0] : live);
    }

    /// <summary>Chooses the shard for the next call; <paramref name="random"/> draws the two candidates.</summary>
    public int Choose(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var live = Volatile.Read(ref _live);
        if (live.Length == 1)
        {
            return live[0];
        }

        var first = random.Next(live.Length);
        var second = random.Next(live.Length - 1);
        if (second >= first)
        {
            second++;
        }

        var (a, b) = (live[Math.Min(first, second)], live[Math.Max(first, second)]);
        return Outstanding(b) < Outstanding(a) ? b : a;
    }

    /// <summary>Counts a call to <paramref name="shard"/> as outstanding until <see cref="Exit"/>.</summary>
    public void Enter(int shard) => Interlocked.Increment(ref _outstanding[shard]);

    /// <summary>Counts a call to <paramref name="shard"/> as answered.</summary>
    public void Exit(int shard) => Interlocked.Decrement(ref _outstanding[shard]);
}
