using System.Text.Json;

namespace Granary.Workspaces;

/// <summary>The persisted index of a workspace grain: its functions and its Custom Code snippets. The cache has a record of its own.</summary>
public sealed class WorkspaceState
{
    /// <summary>Gets or sets the names of the workspace's functions.</summary>
    public SortedSet<string> Functions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Gets or sets the Custom Code <c>functions</c> map as it was stored, or null when the workspace has no snippets.</summary>
    public JsonElement? Snippets { get; set; }

    /// <summary>Gets or sets whether some snippets are Python (deployed as a second module).</summary>
    public bool PythonSnippets { get; set; }

    /// <summary>Gets or sets the npm dependencies of the snippets.</summary>
    public SortedDictionary<string, string> Dependencies { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Gets or sets the pip requirements of the Python snippets.</summary>
    public List<string> Requirements { get; set; } = [];

    /// <summary>
    /// Gets or sets the snippets' cache as workspaces stored it before it had its own record (<see cref="WorkspaceCacheState"/>):
    /// read once, when such a workspace activates, to move it there; null afterwards, and then not written.
    /// </summary>
    public Dictionary<string, JsonElement>? Cache { get; set; }
}
