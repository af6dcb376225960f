using System.Collections.Concurrent;

namespace Granary.Functions;

/// <summary>
/// Sends calls to functions that may run as several instances (shards, one per silo), choosing an instance per call
/// with no shared state and no storage read: the gateways use it, and so can any .NET service that calls functions
/// through an Orleans client (<see cref="InvokeAsync"/>). Per function it keeps a <see cref="FunctionRoute"/>: the live
/// instances, and this caller's own count of calls outstanding on each.
/// <para>
/// The choice fills instances in order: the first that is not busy, where busy means its last answer said it was full
/// (<see cref="InvocationResponse.Busy"/>, remembered for <see cref="BusyHold"/>) or this caller alone has
/// <c>maxConcurrency</c> calls on it. Instances on the caller's own silo (<see cref="LocalSilo"/>, in embedded mode)
/// come first, then by shard number. When all are busy, the power of two choices: of two instances drawn at random,
/// the one with fewer of this caller's calls outstanding. Filling in order keeps the extra instances idle when the
/// first can take the load, so they retire; spreading evenly once all are full keeps their queues alike.
/// </para>
/// <para>
/// The set of live instances is learnt from the answers: each carries the version of the set its instance knows
/// (<see cref="InvocationResponse.ShardSet"/>), and when it differs from the route's, the route reads the set from the
/// function's definition grain (one read per change, not per call).
/// </para>
/// </summary>
public sealed class FunctionRouter
{
    /// <summary>How long an instance's "busy" answer keeps new calls away from it (unless all are busy).</summary>
    public static readonly TimeSpan BusyHold = TimeSpan.FromMilliseconds(100);

    private const int Capacity = 10_000;
    private readonly ConcurrentDictionary<FunctionId, FunctionRoute> _routes = new();

    /// <summary>Creates a router that calls through <paramref name="grains"/>.</summary>
    /// <param name="grains">The grain factory (an Orleans client's, or a silo's).</param>
    /// <param name="localSilo">The caller's own silo (<c>SiloAddress.ToString()</c>) when it runs in one: its instances come first.</param>
    public FunctionRouter(IGrainFactory grains, string? localSilo = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        Grains = grains;
        LocalSilo = localSilo;
    }

    /// <summary>Gets the silo the caller runs in, or null for an Orleans client.</summary>
    public string? LocalSilo { get; }

    internal IGrainFactory Grains { get; }

    /// <summary>Gets the route of a function (kept for the next call; many thousands of functions start the cache over).</summary>
    public FunctionRoute Route(FunctionId id)
    {
        if (_routes.TryGetValue(id, out var route))
        {
            return route;
        }

        if (_routes.Count >= Capacity)
        {
            // Many distinct functions: start over rather than track recency; a miss costs one read of the live set.
            _routes.Clear();
        }

        return _routes.GetOrAdd(id, static (key, router) => new FunctionRoute(router, key), this);
    }

    /// <summary>Invokes the function on one of its instances, chosen as the class describes.</summary>
    /// <param name="id">The function.</param>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the call, and the function (see <see cref="IFunctionGrain.InvokeAsync"/>).</param>
    public async Task<InvocationResponse> InvokeAsync(FunctionId id, InvocationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var route = Route(id);
        var shard = route.Enter();
        try
        {
            var response = await shard.Grain.InvokeAsync(request, cancellationToken);
            route.Answered(shard, response);
            return response;
        }
        finally
        {
            route.Exit(shard);
        }
    }

    /// <summary>A silo left the cluster: no call goes to an instance it hosted, and each route reads its set again.</summary>
    public void SiloLost(string silo)
    {
        foreach (var route in _routes.Values)
        {
            route.SiloLost(silo);
        }
    }
}

/// <summary>The live instances of one function and this caller's calls on each; see <see cref="FunctionRouter"/>. Thread-safe.</summary>
public sealed class FunctionRoute
{
    private static readonly long s_busyHoldMs = (long)FunctionRouter.BusyHold.TotalMilliseconds;
    private static readonly long s_downMs = 60_000;
    private static readonly long s_refreshGapMs = 50;

    private readonly FunctionRouter _router;
    private readonly Lock _gate = new();

    // Replaced whole, never changed in place: a reader sees one set or the other.
    private FunctionShard[] _live;
    private int _version;
    private int _maxConcurrency = int.MaxValue;
    private Task? _refreshing;
    private long _refreshedAt = long.MinValue / 2;

    internal FunctionRoute(FunctionRouter router, FunctionId id)
    {
        _router = router;
        Id = id;
        _live = [new FunctionShard(0, null, router.Grains.GetFunction(id))];
    }

    /// <summary>Gets the function.</summary>
    public FunctionId Id { get; }

    /// <summary>Gets the version of the live set this route holds (0 until the function runs more than one instance).</summary>
    public int Version => Volatile.Read(ref _version);

    /// <summary>Gets the live instances, in the order they are filled.</summary>
    public IReadOnlyList<FunctionShard> Live => Volatile.Read(ref _live);

    /// <summary>Chooses the instance for a call and counts the call on it until <see cref="Exit"/>.</summary>
    public FunctionShard Enter()
    {
        var live = Volatile.Read(ref _live);
        var chosen = live.Length == 1 ? live[0] : Choose(live, Volatile.Read(ref _maxConcurrency), Environment.TickCount64, Random.Shared);
        Interlocked.Increment(ref chosen.OutstandingCount);
        return chosen;
    }

    /// <summary>Counts a call entered with <see cref="Enter"/> as finished.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "The other half of Enter: callers pair them on the route.")]
    public void Exit(FunctionShard shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        Interlocked.Decrement(ref shard.OutstandingCount);
    }

    /// <summary>Takes in what an answer says: whether its instance is full, and the version of the live set it knows.</summary>
    public void Answered(FunctionShard shard, InvocationResponse response)
    {
        ArgumentNullException.ThrowIfNull(shard);
        ArgumentNullException.ThrowIfNull(response);
        Volatile.Write(ref shard.BusyUntil, response.Busy ? Environment.TickCount64 + s_busyHoldMs : 0);
        if (response.ShardSet != Volatile.Read(ref _version))
        {
            _ = RefreshAsync();
        }
    }

    /// <summary>A call to <paramref name="shard"/> was lost with its silo: no call goes there until the live set says otherwise.</summary>
    public void Lost(FunctionShard shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        Volatile.Write(ref shard.DownUntil, Environment.TickCount64 + s_downMs);
        _ = RefreshAsync(force: true);
    }

    internal void SiloLost(string silo)
    {
        var any = false;
        foreach (var shard in Volatile.Read(ref _live))
        {
            if (shard.Silo == silo)
            {
                Volatile.Write(ref shard.DownUntil, Environment.TickCount64 + s_downMs);
                any = true;
            }
        }

        if (any)
        {
            _ = RefreshAsync(force: true);
        }
    }

    /// <summary>Reads the live set from the function's definition grain (one read at a time; failures wait for the next answer).</summary>
    public Task RefreshAsync() => RefreshAsync(force: false);

    private Task RefreshAsync(bool force)
    {
        lock (_gate)
        {
            if (_refreshing is { IsCompleted: false } running)
            {
                return running;
            }

            var now = Environment.TickCount64;
            if (!force && now - _refreshedAt < s_refreshGapMs)
            {
                return Task.CompletedTask;
            }

            _refreshedAt = now;
            return _refreshing = ReadAsync();
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            Apply(await _router.Grains.GetFunctionDefinition(Id).GetShardsAsync());
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The next answer that names another version asks again.
        }
    }

    /// <summary>Replaces the live set with <paramref name="shards"/> (an empty set routes to shard 0, as a function that never scaled).</summary>
    public void Apply(FunctionShards shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        lock (_gate)
        {
            // A shard on the same silo keeps its counts (calls to it are still outstanding); a moved one starts afresh.
            var previous = Volatile.Read(ref _live);
            var next = new List<FunctionShard>(Math.Max(1, shards.Shards.Length));
            foreach (var info in shards.Shards.DistinctBy(s => s.Shard))
            {
                next.Add(previous.FirstOrDefault(p => p.Shard == info.Shard && p.Silo == info.Silo)
                    ?? new FunctionShard(info.Shard, info.Silo, _router.Grains.GetFunction(Id, info.Shard)));
            }

            if (next.Count == 0)
            {
                next.Add(previous.FirstOrDefault(p => p.Shard == 0 && p.Silo is null) ?? new FunctionShard(0, null, _router.Grains.GetFunction(Id)));
            }

            var local = _router.LocalSilo;
            Volatile.Write(ref _live, [.. next.OrderBy(s => local is not null && s.Silo == local ? 0 : 1).ThenBy(s => s.Shard)]);
            Volatile.Write(ref _maxConcurrency, Math.Max(1, shards.MaxConcurrency));
            Volatile.Write(ref _version, shards.Version);
        }
    }

    /// <summary>
    /// The choice among several live instances at <paramref name="now"/> (<see cref="Environment.TickCount64"/>): the first
    /// that is neither down nor busy; else, of two drawn by <paramref name="random"/> among those not down (all, if all
    /// are), the one with fewer calls outstanding.
    /// </summary>
    internal static FunctionShard Choose(FunctionShard[] live, int maxConcurrency, long now, Random random)
    {
        var up = 0;
        foreach (var shard in live)
        {
            if (Volatile.Read(ref shard.DownUntil) > now)
            {
                continue;
            }

            up++;
            if (Volatile.Read(ref shard.BusyUntil) <= now && Volatile.Read(ref shard.OutstandingCount) < maxConcurrency)
            {
                return shard;
            }
        }

        var candidates = up == live.Length || up == 0 ? live : [.. live.Where(s => Volatile.Read(ref s.DownUntil) <= now)];
        if (candidates.Length == 1)
        {
            return candidates[0];
        }

        var first = random.Next(candidates.Length);
        var second = random.Next(candidates.Length - 1);
        if (second >= first)
        {
            second++;
        }

        var (a, b) = (candidates[Math.Min(first, second)], candidates[Math.Max(first, second)]);
        return Volatile.Read(ref b.OutstandingCount) < Volatile.Read(ref a.OutstandingCount) ? b : a;
    }
}

/// <summary>One live instance of a function as a caller sees it: its shard, its silo, its grain and the caller's calls on it.</summary>
public sealed class FunctionShard
{
    internal int OutstandingCount;
    internal long BusyUntil;
    internal long DownUntil;

    internal FunctionShard(int shard, string? silo, IFunctionGrain grain)
    {
        Shard = shard;
        Silo = silo;
        Grain = grain;
    }

    /// <summary>Gets the shard number.</summary>
    public int Shard { get; }

    /// <summary>Gets the silo that hosts it, or null when not known (shard 0 of a function that never scaled).</summary>
    public string? Silo { get; }

    /// <summary>Gets the grain to call.</summary>
    public IFunctionGrain Grain { get; }

    /// <summary>Gets how many of this caller's calls to it are outstanding.</summary>
    public int Outstanding => Volatile.Read(ref OutstandingCount);
}
