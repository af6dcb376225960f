namespace Granary.Functions;

/// <summary>One line a function wrote with <c>console.*</c> during an invocation.</summary>
/// <param name="Level">log, info, warn, error or debug.</param>
/// <param name="Message">The formatted message.</param>
/// <param name="Timestamp">When it was written.</param>
[GenerateSerializer, Immutable, Alias("granary.LogLine")]
public sealed record LogLine(
    [property: Id(0)] string Level,
    [property: Id(1)] string Message,
    [property: Id(2)] DateTimeOffset Timestamp);
