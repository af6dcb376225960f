using Granary.Functions;

namespace Granary.Runtime.Signatures.FunctionsFramework;

/// <summary>
/// The Functions Framework's legacy <c>event</c> signature (background functions), <c>(data, context)</c>: the host
/// reads the legacy event (or converts a CloudEvent) and refuses a request that is not one.
/// </summary>
/// <param name="time">The clock a converted Pub/Sub push takes its time from.</param>
public sealed class EventSignature(TimeProvider time) : FunctionSignature
{
    /// <inheritdoc />
    public override string Name => FunctionSignatures.Event;

    /// <inheritdoc />
    public override ValueTask<PreparedEvent> PrepareAsync(InvocationRequest request, FunctionMetrics metrics, string functionName) =>
        EventRequests.ForEventFunctionAsync(request, time);
}
