namespace Granary.Logs;

/// <summary>
/// Where a follower is in a function's log: the last sequence it has seen, in the activation of the log grain that
/// gave it (<paramref name="Epoch"/>). Lines written after a crash may reuse sequences that were never stored; a
/// cursor of another epoch therefore reads on from the first line of the current activation.
/// </summary>
/// <param name="Epoch">The log grain activation that gave the cursor.</param>
/// <param name="Sequence">The last sequence seen.</param>
[GenerateSerializer, Immutable, Alias("granary.FunctionLogCursor")]
public sealed record FunctionLogCursor(
    [property: Id(0)] long Epoch,
    [property: Id(1)] long Sequence);
