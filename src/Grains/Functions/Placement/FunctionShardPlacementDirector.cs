using System.Text;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Placement;

namespace Granary.Functions.Placement;

/// <summary>
/// Places a function's shards (<see cref="FunctionId.GrainKey"/>) one per silo. Shard 0 (the only shard of a function
/// with <c>maxInstances</c> 1) goes where <c>PreferLocalPlacement</c> put it before shards existed: the caller's silo when it
/// is active and compatible, else a random compatible silo. Shard n ≥ 1 goes to a silo that holds no other shard of the
/// function, as the function's definition grain knows them (every shard attaches to it with its silo); when every silo
/// holds one, to any. Among the candidates, silos are ranked by a hash of (function, silo), the same on every silo, and
/// shard n takes the (n-1)-th: two shards placed at once from the same view of the cluster land on different silos.
/// </summary>
public sealed partial class FunctionShardPlacementDirector(IGrainFactory grains, ILogger<FunctionShardPlacementDirector> logger) : IPlacementDirector
{
    /// <inheritdoc />
    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var compatible = context.GetCompatibleSilos(target);
        if (compatible.Length == 0)
        {
            throw new OrleansException($"No active silo can host grain {target.GrainIdentity}.");
        }

        if (!TryParse(target.GrainIdentity, out var id, out var shard) || shard == 0)
        {
            return context.LocalSiloStatus == SiloStatus.Active && compatible.Contains(context.LocalSilo)
                ? context.LocalSilo
                : compatible[Random.Shared.Next(compatible.Length)];
        }

        IReadOnlySet<string> occupied;
        try
        {
            // Once per new shard, not per call; the definition grain is reentrant, so this cannot wait on a change in flight.
            var info = await grains.GetFunctionDefinition(id).GetAsync();
            occupied = info is null ? new HashSet<string>() : info.Status.Activations.Where(a => a.Shard != shard).Select(a => a.Silo).ToHashSet(StringComparer.Ordinal);
        }
        catch (Exception ex)
        {
            // Without the list the ranking alone still spreads shards 1…n over distinct silos.
            LogShardSilosUnknown(id.Key, shard, ex);
            occupied = new HashSet<string>();
        }

        return Choose(id, shard, compatible, occupied);
    }

    /// <summary>
    /// Chooses the silo of shard <paramref name="shard"/> (≥ 1) among <paramref name="compatible"/> silos, avoiding those
    /// in <paramref name="occupied"/> (silo addresses as <see cref="SiloAddress.ToString"/> writes them) while any other is left.
    /// </summary>
    public static SiloAddress Choose(FunctionId id, int shard, IReadOnlyCollection<SiloAddress> compatible, IReadOnlySet<string> occupied)
    {
        ArgumentNullException.ThrowIfNull(compatible);
        ArgumentNullException.ThrowIfNull(occupied);
        ArgumentOutOfRangeException.ThrowIfLessThan(shard, 1);
        if (compatible.Count == 0)
        {
            throw new OrleansException($"No silo can host shard {shard} of function {id.Key}.");
        }

        var ranked = compatible.OrderBy(s => Rank(id, s)).ThenBy(s => s.ToString(), StringComparer.Ordinal).ToList();
        var free = ranked.Where(s => !occupied.Contains(s.ToString())).ToList();
        var candidates = free.Count > 0 ? free : ranked;
        return candidates[(shard - 1) % candidates.Count];
    }

    private static bool TryParse(GrainId grain, out FunctionId id, out int shard)
    {
        try
        {
            (id, shard) = FunctionId.ParseGrainKey(grain.Key.ToString()!);
            return true;
        }
        catch (FormatException)
        {
            (id, shard) = (default, 0);
            return false;
        }
    }

    // FNV-1a of "function|silo": string.GetHashCode differs between processes, and every silo must rank alike.
    private static ulong Rank(FunctionId id, SiloAddress silo)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes($"{id.Key}|{silo}"))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }

    [LoggerMessage(EventId = 2090, Level = LogLevel.Warning, Message = "Could not read the silos of function {Function}'s shards to place shard {Shard}; placing by rank alone")]
    private partial void LogShardSilosUnknown(string function, int shard, Exception exception);
}
