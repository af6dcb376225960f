namespace Granary.Tenants;

/// <summary>A workspace of a tenant as the API lists it.</summary>
/// <param name="Name">The workspace name.</param>
/// <param name="Access">Who may run its Custom Code snippets through <c>/v2/functions/{workspace}/run/…</c>.</param>
/// <param name="Functions">How many functions it holds.</param>
/// <param name="HasSnippets">Whether it holds Custom Code snippets.</param>
[GenerateSerializer, Immutable, Alias("granary.WorkspaceInfo")]
public sealed record WorkspaceInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] string Access,
    [property: Id(2)] int Functions,
    [property: Id(3)] bool HasSnippets);
