namespace Granary.Functions;

/// <summary>Why code was refused: the engine's message and, when known, where in the code.</summary>
/// <param name="Kind">What failed (see <see cref="CodeErrorKinds"/>).</param>
/// <param name="Message">The message, as the engine words it.</param>
/// <param name="Line">The 1-based line in the submitted code, when known.</param>
/// <param name="Column">The 1-based column in the submitted code, when known.</param>
[GenerateSerializer, Immutable, Alias("granary.CodeError")]
public sealed record CodeError(
    [property: Id(0)] string Kind,
    [property: Id(1)] string Message,
    [property: Id(2)] int? Line = null,
    [property: Id(3)] int? Column = null);
