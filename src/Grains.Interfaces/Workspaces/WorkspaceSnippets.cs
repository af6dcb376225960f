using System.Collections.Immutable;

namespace Granary.Workspaces;

/// <summary>
/// A workspace's Custom Code functions as the <c>/v2/functions</c> API holds them: the <c>functions</c> map as
/// received (so it can be returned unchanged), the npm dependencies its JavaScript snippets use and the pip
/// requirements of its Python snippets.
/// </summary>
/// <param name="FunctionsJson">The <c>functions</c> object, as JSON.</param>
/// <param name="Dependencies">npm package name → version range.</param>
/// <param name="Requirements">pip requirement lines (as in a <c>requirements.txt</c>) of the Python snippets.</param>
[GenerateSerializer, Immutable, Alias("granary.WorkspaceSnippets")]
public sealed record WorkspaceSnippets(
    [property: Id(0)] string FunctionsJson,
    [property: Id(1)] ImmutableSortedDictionary<string, string> Dependencies,
    [property: Id(2)] ImmutableArray<string> Requirements = default)
{
    /// <summary>The reserved function name under which a workspace's JavaScript snippets module is deployed and run.</summary>
    public const string FunctionName = ".snippets";

    /// <summary>The reserved function name under which a workspace's Python snippets module is deployed and run.</summary>
    public const string PythonFunctionName = ".snippets-py";

    /// <summary>Gets whether a function name is one of a workspace's generated snippets modules.</summary>
    public static bool IsModule(string name) => name is FunctionName or PythonFunctionName;
}
