using Granary.Functions;

namespace Granary.Runtime.Signatures;

/// <summary>
/// What most contracts answer: nothing before the function runs, no event, and problem details (RFC 9457) for a
/// timeout (504), a full queue (429) and a load failure (500). A contract overrides what its runtime does differently.
/// </summary>
public abstract class FunctionSignature : IFunctionSignature
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public virtual bool UsesWorkspaceCache => false;

    /// <inheritdoc />
    public virtual ValueTask<PreparedEvent> PrepareAsync(InvocationRequest request, FunctionMetrics metrics, string functionName) =>
        ValueTask.FromResult(PreparedEvent.None);

    /// <inheritdoc />
    public virtual ExecutionResult Finish(ExecutionResult result, FunctionMetrics metrics, double durationMs) => result;

    /// <inheritdoc />
    public virtual ExecutionResult TimedOut(int timeoutSeconds) =>
        Problems.Result(504, "timeout", "Function timed out", TimeoutDetail(timeoutSeconds), InvocationOutcomes.Timeout);

    /// <inheritdoc />
    public ExecutionResult Throttled(int maxConcurrency, int maxQueue, int? waitedSeconds = null) => ShapeProblem(Problems.Result(
        429,
        "too-many-requests",
        "Too many requests",
        waitedSeconds is { } waited
            ? $"The invocation waited {waited} s, the function's timeout, in the queue of this instance without one of its {maxConcurrency} places coming free."
            : $"The function is already running {maxConcurrency} invocations on this instance and {maxQueue} more are queued.",
        InvocationOutcomes.Throttled,
        [new HttpHeader("Retry-After", "1")]));

    /// <inheritdoc />
    public ExecutionResult LoadFailed(CodeError loadError, double initMs)
    {
        ArgumentNullException.ThrowIfNull(loadError);
        return ShapeProblem(Problems.Result(500, "load-failed", "Function failed to load", loadError.Message, InvocationOutcomes.LoadError) with { Cold = true, InitMs = initMs });
    }

    /// <inheritdoc />
    public ExecutionResult Cancelled(bool started) => ShapeProblem(Problems.Result(
        499,
        "cancelled",
        "Client Closed Request",
        started ? "The caller cancelled the invocation while it ran; the function was stopped." : "The caller cancelled the invocation before it ran.",
        InvocationOutcomes.Cancelled));

    /// <inheritdoc />
    public virtual ExecutionResult ShapeProblem(ExecutionResult problem) => problem;

    /// <summary>What a timeout's answer says, whatever its status.</summary>
    protected static string TimeoutDetail(int timeoutSeconds) =>
        $"The function did not finish within its timeout of {timeoutSeconds} s and was stopped.";
}
