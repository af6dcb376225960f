using System.Text.Json.Nodes;
using CloudNative.CloudEvents.Core;
using Granary.Functions;
using Granary.Runtime.Telemetry;
using static Granary.Runtime.Signatures.CloudEventRequests;

namespace Granary.Runtime.Signatures.FunctionsFramework;

/// <summary>
/// Reads the event out of a request for the Functions Framework's event signatures before it reaches the runtime:
/// CloudEvents (binary and structured mode) are parsed and validated with the CloudNative.CloudEvents SDK, and
/// legacy events and CloudEvents are converted into each other as the Functions Framework does.
/// </summary>
internal static class EventRequests
{
    /// <summary>The event of a <c>cloudevent</c> function's request: a CloudEvent in structured form.</summary>
    public static ValueTask<PreparedEvent> ForCloudEventFunctionAsync(InvocationRequest request, TimeProvider time) =>
        GuardAsync(request, time, ReadCloudEventAsync);

    /// <summary>The event of an <c>event</c> function's request: a legacy event as <c>{data, context}</c>.</summary>
    public static ValueTask<PreparedEvent> ForEventFunctionAsync(InvocationRequest request, TimeProvider time) =>
        GuardAsync(request, time, ReadLegacyEventAsync);

    private static async ValueTask<PreparedEvent> GuardAsync(InvocationRequest request, TimeProvider time, Func<InvocationRequest, TimeProvider, Task<PreparedEvent>> read)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(time);
        try
        {
            return await read(request, time);
        }
        catch (EventConversionException ex)
        {
            return Refuse("malformed-event", "Malformed event", ex.Message);
        }
        catch (Exception ex) when (IsMalformed(ex))
        {
            return Malformed(ex);
        }
    }

    private static async Task<PreparedEvent> ReadCloudEventAsync(InvocationRequest request, TimeProvider time)
    {
        if (request.Method != "POST")
        {
            return NotPost(request);
        }

        var contentType = Header(request, "content-type");
        if (contentType is not null && MimeUtilities.IsCloudEventsBatchContentType(contentType))
        {
            return Refuse("malformed-cloudevent", "Malformed CloudEvent", "Batch mode (application/cloudevents-batch+json) is not supported; send one CloudEvent per request.");
        }

        JsonObject cloudEvent;
        if (IsBinary(request) || (contentType is not null && MimeUtilities.IsCloudEventsContentType(contentType)))
        {
            cloudEvent = await ParseAsync(request, fill: false);
        }
        else if (JsonBody(request) is JsonObject body)
        {
            // A legacy event (or a raw Pub/Sub push) becomes a CloudEvent; any other JSON object is passed on
            // unchanged, as the Node framework does with a structured event sent as application/json.
            var legacy = EventMapping.PubSubPushToLegacy(body, request.Path, time.GetUtcNow()) ?? body;
            cloudEvent = EventMapping.LegacyToCloudEvent(legacy) ?? body;
        }
        else
        {
            return Refuse("malformed-cloudevent", "Malformed CloudEvent", "The request is neither a CloudEvent (binary or structured mode) nor a JSON legacy event.");
        }

        // The W3C trace context travels as the CloudEvent's distributed-tracing extension (the Node framework copies the
        // traceparent header there): the span the invocation runs in when tracing is on, else a well-formed header.
        if ((TraceContext.Current().TraceParent ?? ValidHeader(request)) is { } traceparent)
        {
            cloudEvent["traceparent"] = traceparent;
        }

        return new PreparedEvent(cloudEvent.ToJsonString(), null);
    }

    private static string? ValidHeader(InvocationRequest request) =>
        Header(request, TraceContext.TraceParentHeader) is { } header && TraceContext.IsValidTraceParent(header) ? header : null;

    private static async Task<PreparedEvent> ReadLegacyEventAsync(InvocationRequest request, TimeProvider time)
    {
        if (request.Method != "POST")
        {
            return NotPost(request);
        }

        JsonObject legacy;
        if (IsBinary(request))
        {
            var cloudEvent = await ParseAsync(request, fill: false);
            legacy = EventMapping.CloudEventToLegacy(cloudEvent) ?? ContextAndData(cloudEvent);
        }
        else if (JsonBody(request) is JsonObject body)
        {
            var pubsub = EventMapping.PubSubPushToLegacy(body, request.Path, time.GetUtcNow());
            legacy = pubsub is not null || body["context"] is JsonObject ? Nested(pubsub ?? body) : ContextAndData(body);
        }
        else
        {
            return Refuse("malformed-event", "Malformed event", "An event function expects a JSON event body or a binary-mode CloudEvent.");
        }

        return new PreparedEvent(legacy.ToJsonString(), null);
    }

    // {data, context} from a legacy event in nested form ({context, data}).
    private static JsonObject Nested(JsonObject legacy) => new()
    {
        ["data"] = legacy["data"]?.DeepClone(),
        ["context"] = legacy["context"]?.DeepClone(),
    };

    // {data, context} where the context is every member but data (flat legacy events, unconvertible CloudEvents).
    private static JsonObject ContextAndData(JsonObject source)
    {
        var context = new JsonObject();
        JsonNode? data = null;
        foreach (var (key, value) in source)
        {
            if (key == "data")
            {
                data = value?.DeepClone();
            }
            else if (key != "data_base64")
            {
                context[key] = value?.DeepClone();
            }
        }

        return new JsonObject { ["data"] = data, ["context"] = context };
    }

    private static PreparedEvent NotPost(InvocationRequest request) =>
        PreparedEvent.Answered(Problems.Result(404, "not-found", "Not found", $"An event function accepts POST only, not {request.Method}.", InvocationOutcomes.BadRequest));
}
