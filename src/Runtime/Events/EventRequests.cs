using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudNative.CloudEvents.Core;
using CloudNative.CloudEvents.Http;
using CloudNative.CloudEvents.SystemTextJson;
using Granary.Functions;

namespace Granary.Runtime.Events;

/// <summary>
/// Reads the event out of an invocation request before it reaches an isolate, for the signatures that take one:
/// CloudEvents (binary and structured mode) are parsed and validated with the CloudNative.CloudEvents SDK,
/// and legacy events and CloudEvents are converted into each other as the Functions Framework does.
/// </summary>
public static class EventRequests
{
    private static readonly JsonEventFormatter s_formatter = new();

    /// <summary>Prepares the event of one request for a function with the given signature.</summary>
    public static async ValueTask<PreparedEvent> PrepareAsync(string signature, InvocationRequest request, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(time);
        try
        {
            return signature switch
            {
                FunctionSignatures.CloudEvent => await ForCloudEventFunctionAsync(request, time),
                FunctionSignatures.Event => await ForEventFunctionAsync(request, time),
                FunctionSignatures.Kyma => await ForKymaAsync(request),
                _ => PreparedEvent.None,
            };
        }
        catch (EventConversionException ex)
        {
            return Refuse("malformed-event", "Malformed event", ex.Message);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException or JsonException or NotSupportedException)
        {
            return Refuse("malformed-cloudevent", "Malformed CloudEvent", UserMessage(ex));
        }
    }

    // The SDK's message in the user's terms: an ArgumentException ends with " (Parameter 'name')", which names a
    // parameter of the SDK's code, not anything the caller sent.
    internal static string UserMessage(Exception exception) =>
        exception is ArgumentException { ParamName: { } parameter } argument
            ? argument.Message.Replace($" (Parameter '{parameter}')", "", StringComparison.Ordinal)
            : exception.Message;

    private static async ValueTask<PreparedEvent> ForCloudEventFunctionAsync(InvocationRequest request, TimeProvider time)
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

        // The W3C trace context travels as the CloudEvent's distributed-tracing extension.
        if (Header(request, "traceparent") is { } traceparent)
        {
            cloudEvent["traceparent"] = traceparent;
        }

        return new PreparedEvent(cloudEvent.ToJsonString(), null);
    }

    private static async ValueTask<PreparedEvent> ForEventFunctionAsync(InvocationRequest request, TimeProvider time)
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

    // Kyma detects a CloudEvent by its content type or by ce-type and ce-source headers; its SDK fills a missing
    // id and time of a structured event.
    private static async ValueTask<PreparedEvent> ForKymaAsync(InvocationRequest request)
    {
        var contentType = Header(request, "content-type");
        var structured = contentType is not null && MimeUtilities.IsCloudEventsContentType(contentType);
        if (!structured && (Header(request, "ce-type") is null || Header(request, "ce-source") is null))
        {
            return PreparedEvent.None;
        }

        return new PreparedEvent((await ParseAsync(request, fill: structured)).ToJsonString(), null);
    }

    // Parses a CloudEvent with the SDK and returns it in structured JSON form (data kept as JSON when it is JSON).
    private static async Task<JsonObject> ParseAsync(InvocationRequest request, bool fill)
    {
        var body = request.Body;
        if (fill && JsonBody(request) is JsonObject structured)
        {
            structured["id"] ??= Guid.NewGuid().ToString();
            structured["time"] ??= DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
            body = Encoding.UTF8.GetBytes(structured.ToJsonString());
        }

        using var message = new HttpRequestMessage(HttpMethod.Post, "http://granary.local/") { Content = new ByteArrayContent(body.ToArray()) };
        foreach (var header in request.Headers)
        {
            if (header.Name.StartsWith("content-", StringComparison.OrdinalIgnoreCase))
            {
                message.Content.Headers.TryAddWithoutValidation(header.Name, header.Value);
            }
            else
            {
                message.Headers.TryAddWithoutValidation(header.Name, header.Value);
            }
        }

        var cloudEvent = await message.ToCloudEventAsync(s_formatter);
        var encoded = s_formatter.EncodeStructuredModeMessage(cloudEvent, out _);
        return JsonNode.Parse(encoded.Span) as JsonObject
            ?? throw new InvalidOperationException("The CloudEvent could not be encoded.");
    }

    private static bool IsBinary(InvocationRequest request) => Header(request, "ce-specversion") is not null;

    private static JsonNode? JsonBody(InvocationRequest request)
    {
        if (request.Body.IsEmpty)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(request.Body.Span);
        }
        catch (JsonException)
        {
            return null;
        }
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

    private static string? Header(InvocationRequest request, string name)
    {
        foreach (var header in request.Headers)
        {
            if (string.Equals(header.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return header.Value;
            }
        }

        return null;
    }

    private static PreparedEvent NotPost(InvocationRequest request) =>
        new(null, Problems.Result(404, "not-found", "Not found", $"An event function accepts POST only, not {request.Method}.", InvocationOutcomes.BadRequest));

    private static PreparedEvent Refuse(string slug, string title, string detail) =>
        new(null, Problems.Result(400, slug, title, detail, InvocationOutcomes.BadRequest));
}
