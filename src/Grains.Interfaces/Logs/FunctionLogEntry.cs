namespace Granary.Logs;

/// <summary>One line a function wrote, as the function's log store keeps it.</summary>
/// <param name="Sequence">Its place in the function's log: grows by one per line and never repeats (0 until the store takes it).</param>
/// <param name="Timestamp">When the function wrote it.</param>
/// <param name="Level"><c>debug</c>, <c>log</c>, <c>info</c>, <c>warn</c> or <c>error</c> (see <see cref="FunctionLogLevels"/>).</param>
/// <param name="Message">The formatted message (cut at the per-invocation cap).</param>
/// <param name="InvocationId">The invocation that wrote it (its <c>X-Granary-Invocation-Id</c>).</param>
/// <param name="Version">The function version that ran.</param>
/// <param name="Silo">The silo that ran it.</param>
/// <param name="Function">For a Custom Code workspace, the snippet that was run; null for a function.</param>
/// <param name="TraceId">The W3C trace id of the invocation that wrote it (see <c>InvocationRecord.TraceId</c>), or null.</param>
[GenerateSerializer, Immutable, Alias("granary.FunctionLogEntry")]
public sealed record FunctionLogEntry(
    [property: Id(0)] long Sequence,
    [property: Id(1)] DateTimeOffset Timestamp,
    [property: Id(2)] string Level,
    [property: Id(3)] string Message,
    [property: Id(4)] string InvocationId,
    [property: Id(5)] int Version,
    [property: Id(6)] string Silo,
    [property: Id(7)] string? Function = null,
    [property: Id(8)] string? TraceId = null);
