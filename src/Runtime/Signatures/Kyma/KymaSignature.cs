using CloudNative.CloudEvents.Core;
using Granary.Functions;

namespace Granary.Runtime.Signatures.Kyma;

/// <summary>
/// Kyma's signature, <c>main(event, context)</c>: the host serves the function's <c>GET /metrics</c> as Kyma's
/// runtime does, hands a CloudEvent request (binary or structured) to the adapter parsed, and answers a timeout with
/// Kyma's 408. The adapters (kyma.js, kyma.py) build the event and the Express or bottle response.
/// </summary>
public sealed class KymaSignature : FunctionSignature
{
    /// <inheritdoc />
    public override string Name => FunctionSignatures.Kyma;

    /// <inheritdoc />
    public override async ValueTask<PreparedEvent> PrepareAsync(InvocationRequest request, FunctionMetrics metrics, string functionName)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (KymaMetrics.IsRequest(request))
        {
            return PreparedEvent.Answered(KymaMetrics.Respond(metrics, functionName));
        }

        // Kyma detects a CloudEvent by its content type or by ce-type and ce-source headers; its SDK fills a missing
        // id and time of a structured event.
        var contentType = CloudEventRequests.Header(request, "content-type");
        var structured = contentType is not null && MimeUtilities.IsCloudEventsContentType(contentType);
        if (!structured && (CloudEventRequests.Header(request, "ce-type") is null || CloudEventRequests.Header(request, "ce-source") is null))
        {
            return PreparedEvent.None;
        }

        try
        {
            return new PreparedEvent((await CloudEventRequests.ParseAsync(request, fill: structured)).ToJsonString(), null);
        }
        catch (Exception ex) when (CloudEventRequests.IsMalformed(ex))
        {
            return CloudEventRequests.Malformed(ex);
        }
    }

    /// <inheritdoc />
    public override ExecutionResult Finish(ExecutionResult result, FunctionMetrics metrics, double durationMs)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(metrics);

        // Kyma counts what its runtime served; a failure of Granary's runtime is not the function's call.
        if (result.Outcome != InvocationOutcomes.Runtime)
        {
            metrics.Record(durationMs, failed: result.Outcome is not (InvocationOutcomes.Ok or InvocationOutcomes.BadRequest));
        }

        return result;
    }

    /// <inheritdoc />
    public override ExecutionResult TimedOut(int timeoutSeconds) =>
        // Kyma answers a timeout with 408 Request Timeout (its CORS header set before the function ran).
        Problems.Result(408, "timeout", "Request Timeout", TimeoutDetail(timeoutSeconds), InvocationOutcomes.Timeout, [new HttpHeader("Access-Control-Allow-Origin", "*")]);
}
