using System.Collections.Concurrent;
using Granary.Functions;

namespace Granary.Gateway.Apis;

/// <summary>
/// Grain references of recently called functions, one cache per host. Making a reference resolves the grain
/// type and interface on every call (about 2% of the hot path under load); a reference is immutable and
/// safe to reuse, but only with the grain factory that made it.
/// </summary>
internal sealed class FunctionReferences(IGrainFactory grains)
{
    private const int Capacity = 10_000;
    private readonly ConcurrentDictionary<(string Tenant, string Workspace, string Name), IFunctionGrain> _references = new();

    public IFunctionGrain Get(string tenant, string workspace, string name)
    {
        var key = (tenant, workspace, name);
        if (_references.TryGetValue(key, out var reference))
        {
            return reference;
        }

        if (_references.Count >= Capacity)
        {
            // Many distinct functions: start over rather than track recency; a miss only costs a lookup.
            _references.Clear();
        }

        return _references.GetOrAdd(key, static (k, factory) => factory.GetFunction(new FunctionId(k.Tenant, k.Workspace, k.Name)), grains);
    }
}
