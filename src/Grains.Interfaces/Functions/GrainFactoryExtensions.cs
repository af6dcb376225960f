using Granary.Workspaces;

namespace Granary.Functions;

/// <summary>Shortcuts for reaching a function's grains from an Orleans client or another grain.</summary>
public static class GrainFactoryExtensions
{
    /// <summary>Gets the grain that runs the function (shard 0, or another shard of its activations).</summary>
    public static IFunctionGrain GetFunction(this IGrainFactory factory, FunctionId id, int shard = 0)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return factory.GetGrain<IFunctionGrain>(id.GrainKey(shard));
    }

    /// <summary>Gets the grain that owns the function's definition, history and status.</summary>
    public static IFunctionDefinitionGrain GetFunctionDefinition(this IGrainFactory factory, FunctionId id)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return factory.GetGrain<IFunctionDefinitionGrain>(id.Key);
    }

    /// <summary>Gets the grain of a workspace: its function index, its Custom Code snippets and their cache.</summary>
    public static IWorkspaceGrain GetWorkspace(this IGrainFactory factory, string tenant, string workspace)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return factory.GetGrain<IWorkspaceGrain>($"{tenant}/{workspace}");
    }
}
