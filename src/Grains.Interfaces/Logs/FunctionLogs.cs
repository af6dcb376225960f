using Granary.Functions;
using Granary.Workspaces;

namespace Granary.Logs;

/// <summary>Where a function's log lines are kept.</summary>
public static class FunctionLogs
{
    /// <summary>
    /// The key of the log grain of a function: its own key, except that a Custom Code workspace's two snippet modules
    /// (JavaScript and Python) share one log, the workspace's.
    /// </summary>
    public static string Key(FunctionId id) =>
        id.Name == WorkspaceSnippets.PythonFunctionName ? (id with { Name = WorkspaceSnippets.FunctionName }).Key : id.Key;

    /// <summary>Gets the log store of a function (<see cref="Key"/>).</summary>
    public static IFunctionLogGrain GetFunctionLog(this IGrainFactory factory, FunctionId id)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return factory.GetGrain<IFunctionLogGrain>(Key(id));
    }

    /// <summary>Gets the log store of a Custom Code workspace's snippets.</summary>
    public static IFunctionLogGrain GetWorkspaceLog(this IGrainFactory factory, string tenant, string workspace) =>
        factory.GetFunctionLog(new FunctionId(tenant, workspace, WorkspaceSnippets.FunctionName));
}
