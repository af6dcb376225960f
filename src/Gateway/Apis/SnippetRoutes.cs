using System.Collections.Concurrent;
using System.Collections.Frozen;
using Granary.Functions;

namespace Granary.Gateway.Apis;

/// <summary>
/// Which of a workspace's Custom Code functions are Python (they run in the workspace's second module), remembered
/// per workspace so that a run costs one grain call. Forgotten when this gateway stores or deletes the workspace;
/// a run that another gateway's change made stale answers 404, and the caller asks again once.
/// </summary>
internal sealed class SnippetRoutes(IGrainFactory grains)
{
    private const int Capacity = 10_000;
    private readonly ConcurrentDictionary<string, FrozenSet<string>> _python = new(StringComparer.Ordinal);

    public async ValueTask<bool> IsPythonAsync(string tenant, string workspace, string function)
    {
        var key = $"{tenant}/{workspace}";
        if (!_python.TryGetValue(key, out var names))
        {
            if (_python.Count >= Capacity)
            {
                _python.Clear();
            }

            names = (await grains.GetWorkspace(tenant, workspace).GetPythonSnippetNamesAsync()).ToFrozenSet(StringComparer.Ordinal);
            _python[key] = names;
        }

        return names.Contains(function);
    }

    public void Forget(string tenant, string workspace) => _python.TryRemove($"{tenant}/{workspace}", out _);
}
