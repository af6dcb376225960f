using System.Collections.Immutable;

namespace Granary.Workspaces;

/// <summary>
/// The grain of a workspace, keyed <c>tenant/workspace</c>: the index of the workspace's functions
/// and, later, the state they share.
/// </summary>
public interface IWorkspaceGrain : IGrainWithStringKey
{
    /// <summary>Gets the names of the workspace's functions, sorted.</summary>
    Task<ImmutableArray<string>> GetFunctionNamesAsync();

    /// <summary>Adds a function name to the index (idempotent).</summary>
    Task AddFunctionAsync(string name);

    /// <summary>Removes a function name from the index (idempotent).</summary>
    Task RemoveFunctionAsync(string name);
}
