using System.Text.Json;

namespace Granary.Workspaces;

/// <summary>
/// The persisted <c>cache</c> of a workspace's snippets, apart from its index (<see cref="WorkspaceState"/>): the cache
/// changes with runs and is written behind them, the index only with deployments.
/// </summary>
public sealed class WorkspaceCacheState
{
    /// <summary>Gets or sets the cache's values, key by key.</summary>
    public Dictionary<string, JsonElement> Entries { get; set; } = new(StringComparer.Ordinal);
}
