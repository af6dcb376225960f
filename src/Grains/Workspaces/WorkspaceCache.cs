using Granary.Runtime.Signatures.CustomCode;

namespace Granary.Workspaces;

/// <summary>The atomic cache operations of a workspace's snippets, performed by the workspace grain.</summary>
internal sealed class WorkspaceCache(IWorkspaceGrain workspace) : ISnippetCache
{
    /// <inheritdoc />
    public Task<double> IncrementAsync(string key, double delta) => workspace.IncrementCacheAsync(key, delta);
}
