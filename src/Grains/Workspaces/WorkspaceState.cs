namespace Granary.Workspaces;

/// <summary>The persisted state of a workspace grain.</summary>
public sealed class WorkspaceState
{
    /// <summary>Gets or sets the names of the workspace's functions.</summary>
    public SortedSet<string> Functions { get; set; } = new(StringComparer.Ordinal);
}
