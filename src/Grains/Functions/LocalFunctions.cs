using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Functions;

/// <summary>
/// The function activations on this silo: so that a stopping silo can hand in their records first, and so that
/// no more than <see cref="FunctionLimits.MaxActiveFunctions"/> stay warm here (the Custom Code service's
/// <c>FUNCTIONS_WORKERS_MAX_LRU</c>): when one more activates, the least recently used one is deactivated.
/// </summary>
public sealed partial class LocalFunctions(IOptions<FunctionLimits> limits, ILogger<LocalFunctions> logger)
{
    private readonly ConcurrentDictionary<(FunctionId Id, int Shard), Activation> _active = new();

    /// <summary>Gets the functions with at least one activation on this silo.</summary>
    public IReadOnlyCollection<FunctionId> Active => [.. _active.Keys.Select(k => k.Id).Distinct()];

    /// <summary>Gets the number of function activations on this silo.</summary>
    public int Count => _active.Count;

    internal Activation Add(FunctionId id, int shard, IGrainContext context)
    {
        var activation = new Activation(context);
        _active[(id, shard)] = activation;
        var max = limits.Value.MaxActiveFunctions;
        if (_active.Count > max)
        {
            EvictLeastRecentlyUsed(activation, _active.Count - max);
        }

        return activation;
    }

    internal void Remove(FunctionId id, int shard, Activation activation) => _active.TryRemove(KeyValuePair.Create((id, shard), activation));

    private void EvictLeastRecentlyUsed(Activation keep, int count)
    {
        var victims = _active
            .Where(a => a.Value != keep && !a.Value.Evicted)
            .OrderBy(a => Volatile.Read(ref a.Value.LastUsed))
            .Take(count)
            .ToList();
        foreach (var (key, activation) in victims)
        {
            activation.Evicted = true;
            LogEvicted(key.Id.Key, key.Shard, limits.Value.MaxActiveFunctions);
            activation.Context.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "Least recently used function beyond Granary:Limits:MaxActiveFunctions"));
        }
    }

    [LoggerMessage(EventId = 2150, Level = LogLevel.Information, Message = "Function {Function} (shard {Shard}) deactivated: least recently used of more than {Max} on this silo")]
    private partial void LogEvicted(string function, int shard, int max);

    /// <summary>One function activation on this silo and when it last served a request.</summary>
    internal sealed class Activation(IGrainContext context)
    {
        public long LastUsed = Stopwatch.GetTimestamp();

        public IGrainContext Context { get; } = context;

        public bool Evicted { get; set; }

        public void Touch() => Volatile.Write(ref LastUsed, Stopwatch.GetTimestamp());
    }
}
