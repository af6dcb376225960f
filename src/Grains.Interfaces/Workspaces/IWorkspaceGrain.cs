using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Granary.Workspaces;

/// <summary>
/// The grain of a workspace, keyed <c>tenant/workspace</c>: the index of the workspace's functions, its Custom
/// Code snippets, and the <c>cache</c> its snippets share (persisted with the grain's state, so it survives
/// activations and restarts, and is one object however many silos run the snippets).
/// </summary>
public interface IWorkspaceGrain : IGrainWithStringKey
{
    /// <summary>Gets the names of the workspace's functions, sorted.</summary>
    Task<ImmutableArray<string>> GetFunctionNamesAsync();

    /// <summary>Adds a function name to the index (idempotent).</summary>
    Task AddFunctionAsync(string name);

    /// <summary>Removes a function name from the index (idempotent).</summary>
    Task RemoveFunctionAsync(string name);

    /// <summary>Validates, compiles and stores the workspace's snippets (installing their npm dependencies) and serves them.</summary>
    [ResponseTimeout("01:05:00")]
    Task<SnippetDeployResult> PutSnippetsAsync(WorkspaceSnippets snippets);

    /// <summary>Gets the names of the workspace's Python snippets (they run in their own module), for routing runs.</summary>
    [AlwaysInterleave]
    Task<ImmutableArray<string>> GetPythonSnippetNamesAsync();

    /// <summary>Gets the stored snippets, or null when the workspace has none.</summary>
    Task<WorkspaceSnippets?> GetSnippetsAsync();

    /// <summary>Removes the snippets and the cache. Returns false when there were none.</summary>
    Task<bool> DeleteSnippetsAsync();

    /// <summary>
    /// Used by the tenant's grain as it deletes the workspace or itself: removes the snippets, the cache and the
    /// function index without telling the tenant.
    /// </summary>
    Task ClearForTenantAsync();

    /// <summary>Gets the cache as one JSON object (key → value), for a snippet run to start from.</summary>
    [AlwaysInterleave]
    Task<string> GetCacheAsync();

    /// <summary>Applies a run's changes, key by key (last writer wins). Returns false, changing nothing, if the cache would outgrow its limit.</summary>
    [AlwaysInterleave]
    Task<bool> ApplyCacheChangesAsync(CacheChanges changes);

    /// <summary>Atomically adds <paramref name="delta"/> to a numeric key (0 when absent, or not a number) and returns the new value.</summary>
    [AlwaysInterleave]
    Task<double> IncrementCacheAsync(string key, double delta);
}
