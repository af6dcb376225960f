using System.Collections.Immutable;
using Granary.Functions;
using Granary.Runtime.Events;
using Granary.Runtime.Snippets;

namespace Granary.Runtime.Execution;

/// <summary>
/// The parts of an invocation that do not depend on the runtime (V8 isolate or Python worker): what the host answers
/// before the function runs, the problems it answers on the function's behalf, and the finishing of a result.
/// </summary>
internal static class HostAnswers
{
    /// <summary>
    /// Returns the request as the runtime reads it, or the answer the host gives without running the function
    /// (Kyma's metrics endpoint, an event that does not parse).
    /// </summary>
    public static async ValueTask<(string? Json, ExecutionResult? Answer)> PrepareAsync(string signature, InvocationRequest request, string? stateJson, KymaMetrics metrics, string function)
    {
        if (signature == FunctionSignatures.Kyma && KymaMetrics.IsRequest(request))
        {
            return (null, metrics.Respond(function));
        }

        var prepared = await EventRequests.PrepareAsync(signature, request, TimeProvider.System);
        return prepared.Refusal is { } refusal
            ? (null, refusal)
            : (InvocationJson.Write(request, prepared.Json, stateJson), null);
    }

    /// <summary>Echoes the logs, records Kyma's metrics, reshapes a snippet's failure, and adds the timings.</summary>
    public static ExecutionResult Finish(ExecutionResult result, string signature, KymaMetrics metrics, bool echoConsole, bool cold, double initMs, double waitMs, double durationMs)
    {
        if (echoConsole)
        {
            Echo(result.Logs);
        }

        if (signature == FunctionSignatures.Kyma && result.Outcome != InvocationOutcomes.Runtime)
        {
            metrics.Record(durationMs, failed: result.Outcome is not (InvocationOutcomes.Ok or InvocationOutcomes.BadRequest));
        }

        if (signature == FunctionSignatures.Snippets && result.Outcome is InvocationOutcomes.Timeout or InvocationOutcomes.MemoryLimit or InvocationOutcomes.LoadError)
        {
            result = SnippetResults.FromProblem(result, durationMs);
        }

        return result with
        {
            Cold = cold,
            InitMs = initMs,
            WaitMs = Math.Max(0, waitMs),
            DurationMs = durationMs,
        };
    }

    public static ExecutionResult TimedOut(string signature, int timeoutSeconds)
    {
        // Kyma answers a timeout with 408 Request Timeout (its CORS header set before the function ran);
        // every other contract answers 504.
        var detail = $"The function did not finish within its timeout of {timeoutSeconds} s and was stopped.";
        return signature == FunctionSignatures.Kyma
            ? Problems.Result(408, "timeout", "Request Timeout", detail, InvocationOutcomes.Timeout, [new HttpHeader("Access-Control-Allow-Origin", "*")])
            : Problems.Result(504, "timeout", "Function timed out", detail, InvocationOutcomes.Timeout);
    }

    public static ExecutionResult Throttled(string signature, int maxConcurrency, int maxQueue)
    {
        var problem = Problems.Result(
            429,
            "too-many-requests",
            "Too many requests",
            $"The function is already running {maxConcurrency} invocations on this silo and {maxQueue} more are queued.",
            InvocationOutcomes.Throttled,
            [new HttpHeader("Retry-After", "1")]);
        return signature == FunctionSignatures.Snippets ? SnippetResults.FromProblem(problem, 0) : problem;
    }

    /// <summary>
    /// The answer to a call its caller cancelled: 499 (Client Closed Request, the status nginx gave the case), outcome
    /// <see cref="InvocationOutcomes.Cancelled"/>. <paramref name="started"/> tells whether the function had begun to
    /// run (it was then interrupted) or never ran (the call left the queue, or came cancelled).
    /// </summary>
    public static ExecutionResult Cancelled(string signature, bool started)
    {
        var detail = started
            ? "The caller cancelled the invocation while it ran; the function was stopped."
            : "The caller cancelled the invocation before it ran.";
        var problem = Problems.Result(499, "cancelled", "Client Closed Request", detail, InvocationOutcomes.Cancelled);
        return signature == FunctionSignatures.Snippets ? SnippetResults.FromProblem(problem, 0) : problem;
    }

    public static ExecutionResult LoadFailed(CodeError error, double initMs) =>
        Problems.Result(500, "load-failed", "Function failed to load", error.Message, InvocationOutcomes.LoadError) with { Cold = true, InitMs = initMs };

    private static void Echo(ImmutableArray<LogLine> logs)
    {
        foreach (var line in logs)
        {
            (line.Level is "error" or "warn" ? Console.Error : Console.Out).WriteLine(line.Message);
        }
    }
}
