using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudNative.CloudEvents.Http;
using CloudNative.CloudEvents.SystemTextJson;
using Granary.Functions;

namespace Granary.Runtime.Signatures;

/// <summary>
/// Reads a CloudEvent out of a request for the signatures that take one (Kyma, the Functions Framework's
/// <c>cloudevent</c> and <c>event</c>): binary and structured mode, parsed and validated with the CloudNative.CloudEvents
/// SDK, handed on in structured JSON form; and the 400 a request gets when it is not a valid event.
/// </summary>
internal static class CloudEventRequests
{
    private static readonly JsonEventFormatter s_formatter = new();

    /// <summary>Parses a CloudEvent with the SDK and returns it in structured JSON form (data kept as JSON when it is JSON).</summary>
    /// <param name="request">The request, in binary or structured mode.</param>
    /// <param name="fill">Whether a structured event's missing <c>id</c> and <c>time</c> are filled in first.</param>
    public static async Task<JsonObject> ParseAsync(InvocationRequest request, bool fill)
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

    /// <summary>Gets whether the SDK refused the request as a CloudEvent (what <see cref="Malformed"/> answers).</summary>
    public static bool IsMalformed(Exception exception) =>
        exception is ArgumentException or InvalidOperationException or FormatException or JsonException or NotSupportedException;

    /// <summary>The 400 answer to a request the SDK refused as a CloudEvent.</summary>
    public static PreparedEvent Malformed(Exception exception) => Refuse("malformed-cloudevent", "Malformed CloudEvent", UserMessage(exception));

    /// <summary>The 400 answer to a request that is not a valid event.</summary>
    public static PreparedEvent Refuse(string slug, string title, string detail) =>
        PreparedEvent.Answered(Problems.Result(400, slug, title, detail, InvocationOutcomes.BadRequest));

    /// <summary>Gets whether the request is a binary-mode CloudEvent.</summary>
    public static bool IsBinary(InvocationRequest request) => Header(request, "ce-specversion") is not null;

    /// <summary>The body as JSON, or null when it is empty or not JSON.</summary>
    public static JsonNode? JsonBody(InvocationRequest request)
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

    /// <summary>The value of a request header (the first of that name), or null.</summary>
    public static string? Header(InvocationRequest request, string name)
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

    // The SDK's message in the user's terms: an ArgumentException ends with " (Parameter 'name')", which names a
    // parameter of the SDK's code, not anything the caller sent.
    private static string UserMessage(Exception exception) =>
        exception is ArgumentException { ParamName: { } parameter } argument
            ? argument.Message.Replace($" (Parameter '{parameter}')", "", StringComparison.Ordinal)
            : exception.Message;
}
