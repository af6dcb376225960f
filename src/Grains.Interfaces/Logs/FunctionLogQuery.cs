namespace Granary.Logs;

/// <summary>Which lines of a function's log to read (every criterion given must hold).</summary>
/// <param name="Since">Lines written at or after this time, when set.</param>
/// <param name="Until">Lines written before this time, when set.</param>
/// <param name="Level">Lines of this level or more severe (<see cref="FunctionLogLevels.Rank"/>), when set.</param>
/// <param name="Text">Lines whose message contains this text, ignoring case, when set.</param>
/// <param name="Limit">At most this many lines (the newest of those that match).</param>
[GenerateSerializer, Immutable, Alias("granary.FunctionLogQuery")]
public sealed record FunctionLogQuery(
    [property: Id(0)] DateTimeOffset? Since = null,
    [property: Id(1)] DateTimeOffset? Until = null,
    [property: Id(2)] string? Level = null,
    [property: Id(3)] string? Text = null,
    [property: Id(4)] int Limit = FunctionLogQuery.DefaultLimit)
{
    /// <summary>The number of lines a query returns unless it asks for another.</summary>
    public const int DefaultLimit = 100;

    /// <summary>The most lines one query or one follow batch returns.</summary>
    public const int MaxLimit = 1000;

    /// <summary>Gets whether a line matches every criterion (the limit aside).</summary>
    public bool Matches(FunctionLogEntry line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return (Since is not { } since || line.Timestamp >= since)
            && (Until is not { } until || line.Timestamp < until)
            && (Level is null || FunctionLogLevels.Rank(line.Level) >= FunctionLogLevels.Rank(Level))
            && (string.IsNullOrEmpty(Text) || line.Message.Contains(Text, StringComparison.OrdinalIgnoreCase));
    }
}
