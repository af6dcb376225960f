namespace Granary.Functions.Placement;

/// <summary>
/// The placement of function grains (see <see cref="FunctionShardPlacementDirector"/>): shard 0 on the caller's silo,
/// as <c>PreferLocalPlacement</c> does; every other shard on a silo that holds no other shard of the function.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.FunctionShardPlacement")]
public sealed class FunctionShardPlacement : PlacementStrategy
{
    /// <summary>Gets the one instance the placement attribute uses.</summary>
    public static FunctionShardPlacement Instance { get; } = new();
}
