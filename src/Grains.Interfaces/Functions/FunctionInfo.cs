namespace Granary.Functions;

/// <summary>A function's current definition together with its status.</summary>
/// <param name="Definition">The version that serves.</param>
/// <param name="Status">Idle, activating or running, with the activations.</param>
[GenerateSerializer, Immutable, Alias("granary.FunctionInfo")]
public sealed record FunctionInfo(
    [property: Id(0)] FunctionDefinition Definition,
    [property: Id(1)] FunctionStatus Status);
