using System.Net.Mime;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;

namespace Granary.Gateway.Tests.Conformance;

/// <summary>
/// Compares a function's output with the expected fixture the way the conformance client does
/// (functions-framework-conformance events/validators.go): CloudEvents are parsed with a CloudEvents SDK (so an
/// output the Go SDK would refuse fails here too) and compared field by field, time as an instant and data by
/// deep JSON equality; legacy events by eventId, eventType, a Z-suffixed timestamp, resource and data.
/// </summary>
public static class ConformanceComparer
{
    private static readonly JsonEventFormatter s_formatter = new();

    public static void Compare(string comparator, string got, string expected)
    {
        switch (comparator)
        {
            case "validateCloudEvent":
                AssertCloudEvent(got, expected);
                break;
            case "validateLegacyEvent":
                AssertLegacyEvent(got, expected);
                break;
            default:
                throw new ArgumentException($"Unknown comparator '{comparator}'.", nameof(comparator));
        }
    }

    public static void AssertCloudEvent(string got, string expected)
    {
        var actual = Decode(got, "output");
        var wanted = Decode(expected, "expected");
        Assert.Equal(wanted.Id, actual.Id);
        Assert.Equal(wanted.Source, actual.Source);
        Assert.Equal(string.IsNullOrEmpty(wanted.Subject) ? null : wanted.Subject, string.IsNullOrEmpty(actual.Subject) ? null : actual.Subject);
        Assert.Equal(wanted.Type, actual.Type);
        Assert.Equal(wanted.Time, actual.Time);
        Assert.Equal(wanted.DataContentType ?? "", actual.DataContentType ?? "");
        Assert.Equal("application/json", actual.DataContentType);
        var gotData = Assert.IsType<JsonElement>(actual.Data);
        var wantedData = Assert.IsType<JsonElement>(wanted.Data);
        Assert.Equal(JsonValueKind.Object, gotData.ValueKind);
        AssertJsonEqual(wantedData, gotData, "data");
    }

    public static void AssertLegacyEvent(string got, string expected)
    {
        using var actual = JsonDocument.Parse(got);
        using var wanted = JsonDocument.Parse(expected);
        var gotContext = actual.RootElement.GetProperty("context");
        var wantedContext = wanted.RootElement.GetProperty("context");
        Assert.Equal(Either(wantedContext, "eventId", "event_id"), Either(gotContext, "eventId", "event_id"));
        Assert.Equal(Either(wantedContext, "eventType", "event_type"), Either(gotContext, "eventType", "event_type"));

        // Go's time.Parse gives UTC only for a Z suffix; DeepEqual then needs the same instant and location.
        var gotTimestamp = gotContext.GetProperty("timestamp").GetString()!;
        Assert.EndsWith("Z", gotTimestamp, StringComparison.Ordinal);
        Assert.Equal(DateTimeOffset.Parse(wantedContext.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse(gotTimestamp, System.Globalization.CultureInfo.InvariantCulture));
        AssertJsonEqual(wantedContext.GetProperty("resource"), gotContext.GetProperty("resource"), "context.resource");
        AssertJsonEqual(wanted.RootElement.GetProperty("data"), actual.RootElement.GetProperty("data"), "data");
    }

    /// <summary>Deep JSON equality: numbers as doubles, key presence significant, key order irrelevant.</summary>
    public static void AssertJsonEqual(JsonElement expected, JsonElement actual, string path)
    {
        Assert.True(expected.ValueKind == actual.ValueKind, $"{path}: expected a {expected.ValueKind}, got a {actual.ValueKind} ({actual.GetRawText()})");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var wantedKeys = expected.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
                var gotKeys = actual.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
                Assert.True(wantedKeys.SequenceEqual(gotKeys), $"{path}: expected keys [{string.Join(", ", wantedKeys)}], got [{string.Join(", ", gotKeys)}]");
                foreach (var property in expected.EnumerateObject())
                {
                    AssertJsonEqual(property.Value, actual.GetProperty(property.Name), $"{path}.{property.Name}");
                }

                break;
            case JsonValueKind.Array:
                Assert.True(expected.GetArrayLength() == actual.GetArrayLength(), $"{path}: expected {expected.GetArrayLength()} items, got {actual.GetArrayLength()}");
                for (var i = 0; i < expected.GetArrayLength(); i++)
                {
                    AssertJsonEqual(expected[i], actual[i], $"{path}[{i}]");
                }

                break;
            case JsonValueKind.Number:
                Assert.True(expected.GetDouble() == actual.GetDouble(), $"{path}: expected {expected.GetRawText()}, got {actual.GetRawText()}");
                break;
            case JsonValueKind.String:
                Assert.True(expected.GetString() == actual.GetString(), $"{path}: expected \"{expected.GetString()}\", got \"{actual.GetString()}\"");
                break;
        }
    }

    private static CloudEvent Decode(string json, string what)
    {
        try
        {
            return s_formatter.DecodeStructuredModeMessage(Encoding.UTF8.GetBytes(json), new ContentType("application/cloudevents+json"), null);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException or JsonException)
        {
            Assert.Fail($"The {what} is not a CloudEvent a CloudEvents SDK accepts ({ex.Message}): {json}");
            throw;
        }
    }

    private static string? Either(JsonElement context, string name, string fallback) =>
        context.TryGetProperty(name, out var value) ? value.GetString() : context.TryGetProperty(fallback, out value) ? value.GetString() : null;
}
