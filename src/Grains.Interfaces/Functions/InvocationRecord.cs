using System.Collections.Immutable;

namespace Granary.Functions;

/// <summary>
/// What one invocation did: the activation record users read to see cold starts, queueing and duration.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.InvocationRecord")]
public sealed record InvocationRecord
{
    /// <summary>Gets the invocation id (also the <c>X-Granary-Invocation-Id</c> response header).</summary>
    [Id(0)] public required string Id { get; init; }

    /// <summary>Gets the function, as <c>tenant/workspace/name</c>.</summary>
    [Id(1)] public required string Function { get; init; }

    /// <summary>Gets the function version that ran.</summary>
    [Id(2)] public int Version { get; init; }

    /// <summary>Gets when the invocation reached the function grain.</summary>
    [Id(3)] public DateTimeOffset StartedAt { get; init; }

    /// <summary>Gets whether the invocation had to wait for the function to load (activation or a new isolate).</summary>
    [Id(4)] public bool Cold { get; init; }

    /// <summary>Gets the time spent activating and loading the code, for a cold invocation, in ms.</summary>
    [Id(5)] public double InitMs { get; init; }

    /// <summary>Gets the time spent queued for a free isolate, in ms.</summary>
    [Id(6)] public double WaitMs { get; init; }

    /// <summary>Gets the time the handler ran, in ms.</summary>
    [Id(7)] public double DurationMs { get; init; }

    /// <summary>Gets the HTTP status code of the response.</summary>
    [Id(8)] public int StatusCode { get; init; }

    /// <summary>Gets the outcome (see <see cref="InvocationOutcomes"/>).</summary>
    [Id(9)] public required string Outcome { get; init; }

    /// <summary>Gets the error message, when the outcome is not <c>ok</c>.</summary>
    [Id(10)] public string? Error { get; init; }

    /// <summary>Gets the lines the function wrote to the console.</summary>
    [Id(11)] public ImmutableArray<LogLine> Logs { get; init; } = [];

    /// <summary>Gets the instance (shard) of the function that served it: 0 unless the function scaled out.</summary>
    [Id(12)] public int Shard { get; init; }

    /// <summary>Gets the silo that served it.</summary>
    [Id(13)] public string? Silo { get; init; }

    /// <summary>
    /// Gets the W3C trace id (32 lower-case hex digits) of the trace the invocation ran in: the caller's, continued from
    /// its <c>traceparent</c> header, or a new one. Set whether or not the trace was sampled or exported; null when
    /// tracing is off.
    /// </summary>
    [Id(14)] public string? TraceId { get; init; }
}
