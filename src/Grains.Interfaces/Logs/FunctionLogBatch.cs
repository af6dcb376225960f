using System.Collections.Immutable;

namespace Granary.Logs;

/// <summary>What a follower's wait returns: the new lines that match its filter (oldest first) and where to wait next.</summary>
/// <param name="Lines">The new matching lines, oldest first; empty when the wait timed out.</param>
/// <param name="Next">The cursor to pass to the next wait.</param>
[GenerateSerializer, Immutable, Alias("granary.FunctionLogBatch")]
public sealed record FunctionLogBatch(
    [property: Id(0)] ImmutableArray<FunctionLogEntry> Lines,
    [property: Id(1)] FunctionLogCursor Next);
