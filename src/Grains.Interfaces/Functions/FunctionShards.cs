using System.Collections.Immutable;

namespace Granary.Functions;

/// <summary>A function's live instances, as its definition grain knows them: what callers route over.</summary>
/// <param name="Version">The version of this set; every <see cref="InvocationResponse.ShardSet"/> names the one its instance knows.</param>
/// <param name="MaxConcurrency">The function's <c>maxConcurrency</c>: how many calls one instance runs at once.</param>
/// <param name="Shards">The live instances, by shard number.</param>
[GenerateSerializer, Immutable, Alias("granary.FunctionShards")]
public sealed record FunctionShards(
    [property: Id(0)] int Version,
    [property: Id(1)] int MaxConcurrency,
    [property: Id(2)] ImmutableArray<ShardInfo> Shards);

/// <summary>One live instance of a function: its shard number and the silo that hosts it.</summary>
/// <param name="Shard">The shard (<see cref="FunctionId.GrainKey"/>).</param>
/// <param name="Silo">The silo's address, as <c>SiloAddress.ToString()</c> writes it.</param>
[GenerateSerializer, Immutable, Alias("granary.ShardInfo")]
public sealed record ShardInfo(
    [property: Id(0)] int Shard,
    [property: Id(1)] string Silo);
