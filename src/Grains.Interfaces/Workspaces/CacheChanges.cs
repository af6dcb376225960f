using System.Collections.Immutable;

namespace Granary.Workspaces;

/// <summary>What one snippet run changed in the workspace cache: keys written (value as JSON) and keys deleted.</summary>
/// <param name="Set">Key → new value as JSON.</param>
/// <param name="Deleted">Keys removed.</param>
[GenerateSerializer, Immutable, Alias("granary.CacheChanges")]
public sealed record CacheChanges(
    [property: Id(0)] ImmutableDictionary<string, string> Set,
    [property: Id(1)] ImmutableArray<string> Deleted);
