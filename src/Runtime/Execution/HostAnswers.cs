using System.Collections.Immutable;
using Granary.Functions;
using Granary.Runtime.Signatures;
using Granary.Runtime.Telemetry;

namespace Granary.Runtime.Execution;

/// <summary>
/// The parts of an invocation that do not depend on the runtime (V8 isolate or Python worker): the request as the
/// runtime reads it (or the answer the function's signature gives without running it), and the finishing of a result.
/// </summary>
internal static class HostAnswers
{
    /// <summary>
    /// Returns the request as the runtime reads it, or the answer the signature gives without running the function
    /// (Kyma's metrics endpoint, an event that does not parse).
    /// </summary>
    public static async ValueTask<(string? Json, ExecutionResult? Answer)> PrepareAsync(IFunctionSignature signature, InvocationRequest request, string? stateJson, FunctionMetrics metrics, string function)
    {
        var prepared = await signature.PrepareAsync(request, metrics, function);
        if (prepared.Answer is { } answer)
        {
            return (null, answer);
        }

        // The span the invocation runs in (the function grain's), as the function's traceparent.
        var (traceParent, traceState) = TraceContext.Current();
        return (InvocationJson.Write(request, prepared.Json, stateJson, traceParent, traceState), null);
    }

    /// <summary>Echoes the logs, lets the signature count and shape the result, and adds the timings.</summary>
    public static ExecutionResult Finish(ExecutionResult result, IFunctionSignature signature, FunctionMetrics metrics, bool echoConsole, bool cold, double initMs, double waitMs, double durationMs)
    {
        if (echoConsole)
        {
            Echo(result.Logs);
        }

        return signature.Finish(result, metrics, durationMs) with
        {
            Cold = cold,
            InitMs = initMs,
            WaitMs = Math.Max(0, waitMs),
            DurationMs = durationMs,
        };
    }

    private static void Echo(ImmutableArray<LogLine> logs)
    {
        foreach (var line in logs)
        {
            (line.Level is "error" or "warn" ? Console.Error : Console.Out).WriteLine(line.Message);
        }
    }
}
