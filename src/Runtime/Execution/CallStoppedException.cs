using System.Collections.Immutable;
using Granary.Functions;

namespace Granary.Runtime.Execution;

/// <summary>
/// Thrown by a runtime's call that was stopped (at its timeout, or interrupted for its caller) when the log lines it wrote
/// had to be collected from the instance afterwards; the engine answers it as <see cref="CallFailureKind.Stopped"/>.
/// </summary>
internal sealed class CallStoppedException(string message, ImmutableArray<LogLine> logs, Exception inner) : Exception(message, inner)
{
    /// <summary>Gets the log lines the call wrote before it was stopped.</summary>
    public ImmutableArray<LogLine> Logs { get; } = logs;
}
