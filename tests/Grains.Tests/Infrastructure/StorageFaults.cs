using System.Collections.Concurrent;
using Orleans.Storage;

namespace Granary.Grains.Tests.Infrastructure;

/// <summary>
/// A switch on the silos' grain storage: while it is on for a grain, writes and clears of that grain's state fail as
/// a full disk or a lost database would (reads still work). The silo's own outage handling turns the failure into the
/// <c>StorageUnavailableException</c> the grain and its caller see.
/// </summary>
public sealed class StorageFaults
{
    private readonly ConcurrentDictionary<GrainId, bool> _failing = new();

    /// <summary>Makes the writes of a grain's state fail until <see cref="Heal"/>.</summary>
    public void FailWritesOf(GrainId grain) => _failing[grain] = true;

    /// <summary>Makes the writes of a grain's state work again.</summary>
    public void Heal(GrainId grain) => _failing.TryRemove(grain, out _);

    /// <summary>Wraps the real storage with this switch.</summary>
    public IGrainStorage Wrap(IGrainStorage inner) => new FaultyStorage(inner, this);

    private void Check(GrainId grain, string stateName)
    {
        if (_failing.ContainsKey(grain))
        {
            throw new IOException($"No space left on device (injected) writing the {stateName} state of {grain}");
        }
    }

    private sealed class FaultyStorage(IGrainStorage inner, StorageFaults faults) : IGrainStorage
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            inner.ReadStateAsync(stateName, grainId, grainState);

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            faults.Check(grainId, stateName);
            return inner.WriteStateAsync(stateName, grainId, grainState);
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            faults.Check(grainId, stateName);
            return inner.ClearStateAsync(stateName, grainId, grainState);
        }
    }
}
