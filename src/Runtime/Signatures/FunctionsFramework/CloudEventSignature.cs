using Granary.Functions;

namespace Granary.Runtime.Signatures.FunctionsFramework;

/// <summary>
/// The Functions Framework's <c>cloudevent</c> signature, <c>(cloudevent)</c>: the host reads the CloudEvent (binary
/// or structured, or a legacy event converted) and refuses a request that is not one.
/// </summary>
/// <param name="time">The clock a converted Pub/Sub push takes its time from.</param>
public sealed class CloudEventSignature(TimeProvider time) : FunctionSignature
{
    /// <inheritdoc />
    public override string Name => FunctionSignatures.CloudEvent;

    /// <inheritdoc />
    public override ValueTask<PreparedEvent> PrepareAsync(InvocationRequest request, FunctionMetrics metrics, string functionName) =>
        EventRequests.ForCloudEventFunctionAsync(request, time);
}
