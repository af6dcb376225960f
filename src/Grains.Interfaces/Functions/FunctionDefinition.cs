namespace Granary.Functions;

/// <summary>A deployed version of a function: its spec as stored, with the version it got.</summary>
/// <param name="Id">The function.</param>
/// <param name="Spec">The code and settings of this version.</param>
/// <param name="Version">The version number, 1 for the first deployment, one more for every update.</param>
/// <param name="CreatedAt">When the function was first deployed.</param>
/// <param name="UpdatedAt">When this version was deployed.</param>
[GenerateSerializer, Immutable, Alias("granary.FunctionDefinition")]
public sealed record FunctionDefinition(
    [property: Id(0)] FunctionId Id,
    [property: Id(1)] FunctionSpec Spec,
    [property: Id(2)] int Version,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset UpdatedAt);
