using System.Collections.Concurrent;

namespace Granary.Functions;

/// <summary>The functions with an activation on this silo, so that a stopping silo can hand in their records first.</summary>
public sealed class LocalFunctions
{
    private readonly ConcurrentDictionary<FunctionId, byte> _active = new();

    /// <summary>Gets the functions active on this silo.</summary>
    public IReadOnlyCollection<FunctionId> Active => (IReadOnlyCollection<FunctionId>)_active.Keys;

    internal void Add(FunctionId id) => _active.TryAdd(id, 0);

    internal void Remove(FunctionId id) => _active.TryRemove(id, out _);
}
