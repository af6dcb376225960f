using System.Collections.Immutable;

namespace Granary.Workspaces;

/// <summary>The index of a workspace's functions, persisted so that listing needs no scan of storage.</summary>
[GrainType("workspace")]
public sealed class WorkspaceGrain(
    [PersistentState("workspace", GranaryStorage.Name)] IPersistentState<WorkspaceState> state)
    : Grain, IWorkspaceGrain
{
    /// <inheritdoc />
    public Task<ImmutableArray<string>> GetFunctionNamesAsync() => Task.FromResult(state.State.Functions.ToImmutableArray());

    /// <inheritdoc />
    public async Task AddFunctionAsync(string name)
    {
        if (state.State.Functions.Add(name))
        {
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc />
    public async Task RemoveFunctionAsync(string name)
    {
        if (state.State.Functions.Remove(name))
        {
            await state.WriteStateAsync();
        }
    }
}
