using System.Collections.Immutable;

namespace Granary.Functions;

/// <summary>The run-time status of a function across the cluster.</summary>
/// <param name="State">Idle, activating or running.</param>
/// <param name="Activations">The live activations.</param>
[GenerateSerializer, Immutable, Alias("granary.FunctionStatus")]
public sealed record FunctionStatus(
    [property: Id(0)] FunctionState State,
    [property: Id(1)] ImmutableArray<ActivationInfo> Activations)
{
    /// <summary>The status of a function with no activation.</summary>
    public static FunctionStatus Idle { get; } = new(FunctionState.Idle, []);
}
