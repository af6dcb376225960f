using System.Collections.Immutable;
using Granary.Functions;

namespace Granary.Runtime;

/// <summary>What running a function once produced: the response and the facts of its invocation record.</summary>
public sealed record ExecutionResult
{
    /// <summary>Gets the HTTP status code.</summary>
    public required int StatusCode { get; init; }

    /// <summary>Gets the response headers.</summary>
    public ImmutableArray<HttpHeader> Headers { get; init; } = [];

    /// <summary>Gets the response body.</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>Gets the outcome (<see cref="InvocationOutcomes"/>).</summary>
    public required string Outcome { get; init; }

    /// <summary>Gets the error message, when the function failed.</summary>
    public string? Error { get; init; }

    /// <summary>Gets the console lines.</summary>
    public ImmutableArray<LogLine> Logs { get; init; } = [];

    /// <summary>Gets whether a new isolate had to load the code for this invocation.</summary>
    public bool Cold { get; init; }

    /// <summary>Gets the time spent loading a new isolate, in ms.</summary>
    public double InitMs { get; init; }

    /// <summary>Gets the time spent waiting for a free isolate, in ms.</summary>
    public double WaitMs { get; init; }

    /// <summary>Gets what the invocation changed in state the host keeps for it (a workspace cache), as JSON.</summary>
    public string? StateChanges { get; init; }

    /// <summary>Gets the time the function ran, in ms.</summary>
    public double DurationMs { get; init; }
}
