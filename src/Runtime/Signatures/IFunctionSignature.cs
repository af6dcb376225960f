using Granary.Functions;

namespace Granary.Runtime.Signatures;

/// <summary>
/// One calling convention a function is written for (a contract: Skipper's <c>handler</c>, Kyma's <c>main</c>, the
/// Functions Framework's <c>http</c>, <c>cloudevent</c> and <c>event</c>, Custom Code's snippets), as the host sees
/// it whatever the runtime: what its runtime answers before the function runs, what it reads out of the request, and
/// the shape of the answers Granary gives on the function's behalf. The execution engine calls a function's signature
/// through this interface (<see cref="SignatureRegistry"/>); the adapters inside V8 and the Python worker do the rest.
/// Signatures keep no state: what one function counts (<see cref="FunctionMetrics"/>) is passed in.
/// </summary>
public interface IFunctionSignature
{
    /// <summary>Gets the signature's name, one of the <see cref="FunctionSignatures"/> constants.</summary>
    string Name { get; }

    /// <summary>Gets whether each run takes the workspace cache and hands back what it changed (Custom Code).</summary>
    bool UsesWorkspaceCache { get; }

    /// <summary>
    /// Reads what the adapter gets besides the raw request (a CloudEvent, a legacy event), or answers the request
    /// without running the function (Kyma's <c>/metrics</c>, a malformed event).
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="metrics">What the function has counted so far (on this activation).</param>
    /// <param name="functionName">The function's name, as the contract labels what it reports.</param>
    ValueTask<PreparedEvent> PrepareAsync(InvocationRequest request, FunctionMetrics metrics, string functionName);

    /// <summary>Counts a finished run as the contract counts it and shapes the host's answers for it (timings are the engine's).</summary>
    /// <param name="result">What the run (or the host, for a timeout or memory fault) answered.</param>
    /// <param name="metrics">What the function counts.</param>
    /// <param name="durationMs">How long the run took.</param>
    ExecutionResult Finish(ExecutionResult result, FunctionMetrics metrics, double durationMs);

    /// <summary>The answer to a run stopped at the function's timeout (logs are added by the caller).</summary>
    ExecutionResult TimedOut(int timeoutSeconds);

    /// <summary>
    /// The answer to a request refused because the function's concurrency and queue are full, or (with
    /// <paramref name="waitedSeconds"/>) because it waited that long, its whole timeout, in the queue without a turn.
    /// </summary>
    ExecutionResult Throttled(int maxConcurrency, int maxQueue, int? waitedSeconds = null);

    /// <summary>The answer to a request whose function could not be loaded.</summary>
    ExecutionResult LoadFailed(CodeError loadError, double initMs);

    /// <summary>
    /// The answer to a call its caller cancelled: 499 (Client Closed Request, the status nginx gave the case), outcome
    /// <see cref="InvocationOutcomes.Cancelled"/>. <paramref name="started"/> tells whether the function had begun to
    /// run (it was then interrupted) or never ran (the call left the queue, or came cancelled).
    /// </summary>
    ExecutionResult Cancelled(bool started);

    /// <summary>Returns a problem Granary answers on the function's behalf (a full queue, a load failure) in the contract's shape.</summary>
    ExecutionResult ShapeProblem(ExecutionResult problem);
}
