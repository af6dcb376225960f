namespace Granary.Functions;

/// <summary>One live activation of a function grain, as last reported by it.</summary>
/// <param name="Id">The activation's id, unique per activation.</param>
/// <param name="Silo">The silo that hosts the activation.</param>
/// <param name="State">Activating or running.</param>
/// <param name="Version">The function version it serves.</param>
/// <param name="Since">When it was activated.</param>
/// <param name="Isolates">How many isolates it holds.</param>
/// <param name="InFlight">How many invocations it was running at the last report.</param>
/// <param name="Shard">Which of the function's grain keys it is (0 unless the function runs several).</param>
[GenerateSerializer, Immutable, Alias("granary.ActivationInfo")]
public sealed record ActivationInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Silo,
    [property: Id(2)] FunctionState State,
    [property: Id(3)] int Version,
    [property: Id(4)] DateTimeOffset Since,
    [property: Id(5)] int Isolates,
    [property: Id(6)] int InFlight,
    [property: Id(7)] int Shard = 0);
