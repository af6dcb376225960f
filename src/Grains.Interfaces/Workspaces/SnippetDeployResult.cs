namespace Granary.Workspaces;

/// <summary>The answer to storing a workspace's snippets: success, or the Custom Code error to send.</summary>
/// <param name="Status">The HTTP status: 200, or 400/422 for a refusal.</param>
/// <param name="ErrorJson">The error body (<c>{"error","message","details"?}</c>) when refused.</param>
[GenerateSerializer, Immutable, Alias("granary.SnippetDeployResult")]
public sealed record SnippetDeployResult(
    [property: Id(0)] int Status,
    [property: Id(1)] string? ErrorJson)
{
    /// <summary>The snippets are stored and serving.</summary>
    public static SnippetDeployResult Ok { get; } = new(200, null);
}
