namespace Granary.Logs;

/// <summary>The size of a function's log store and its followers now.</summary>
/// <param name="Lines">Lines held.</param>
/// <param name="Bytes">UTF-8 bytes of their messages.</param>
/// <param name="LastSequence">The sequence of the newest line written.</param>
/// <param name="Followers">Followers waiting for lines now.</param>
[GenerateSerializer, Immutable, Alias("granary.FunctionLogStats")]
public sealed record FunctionLogStats(
    [property: Id(0)] int Lines,
    [property: Id(1)] long Bytes,
    [property: Id(2)] long LastSequence,
    [property: Id(3)] int Followers);
