using Orleans.Placement;

namespace Granary.Functions.Placement;

/// <summary>Places a grain class's activations with <see cref="FunctionShardPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class FunctionShardPlacementAttribute() : PlacementAttribute(FunctionShardPlacement.Instance);
