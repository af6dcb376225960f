namespace Granary.Logs;

/// <summary>
/// The levels of function log lines (the <c>console.*</c> method that wrote them), from least to most severe:
/// <c>debug</c>, then <c>log</c> and <c>info</c> (equal), <c>warn</c>, <c>error</c>. A <c>level</c> filter keeps its
/// level and the more severe ones.
/// </summary>
public static class FunctionLogLevels
{
    /// <summary>The levels a filter may name.</summary>
    public static readonly IReadOnlyList<string> All = ["debug", "log", "info", "warn", "error"];

    /// <summary>Gets whether <paramref name="level"/> is one of <see cref="All"/> (case-insensitive).</summary>
    public static bool IsKnown(string level) => All.Contains(level, StringComparer.OrdinalIgnoreCase);

    /// <summary>The severity of a level: 0 debug, 1 log and info (and any unknown level), 2 warn, 3 error.</summary>
    public static int Rank(string? level) => level?.ToLowerInvariant() switch
    {
        "debug" or "trace" => 0,
        "warn" or "warning" => 2,
        "error" or "critical" => 3,
        _ => 1,
    };
}
