using Granary.Functions;

namespace Granary.Runtime.Signatures.FunctionsFramework;

/// <summary>
/// The Functions Framework's event signatures: <c>cloudevent</c>, <c>(cloudevent)</c>, and the legacy <c>event</c>
/// of background functions, <c>(data, context)</c>. The host reads the event before the function runs (a CloudEvent
/// in binary or structured mode, a legacy event, each converted into the other as the framework converts them) and
/// refuses a request that is not one.
/// </summary>
public sealed class EventSignature : FunctionSignature
{
    private readonly Func<InvocationRequest, TimeProvider, ValueTask<PreparedEvent>> _read;
    private readonly TimeProvider _time;

    private EventSignature(string name, Func<InvocationRequest, TimeProvider, ValueTask<PreparedEvent>> read, TimeProvider time)
    {
        Name = name;
        _read = read;
        _time = time;
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <summary>The <c>cloudevent</c> signature.</summary>
    /// <param name="time">The clock a converted Pub/Sub push takes its time from.</param>
    public static EventSignature CloudEvent(TimeProvider time) => new(FunctionSignatures.CloudEvent, EventRequests.ForCloudEventFunctionAsync, time);

    /// <summary>The legacy <c>event</c> signature.</summary>
    /// <param name="time">The clock a converted Pub/Sub push takes its time from.</param>
    public static EventSignature Legacy(TimeProvider time) => new(FunctionSignatures.Event, EventRequests.ForEventFunctionAsync, time);

    /// <inheritdoc />
    public override ValueTask<PreparedEvent> PrepareAsync(InvocationRequest request, FunctionMetrics metrics, string functionName) =>
        _read(request, _time);
}
