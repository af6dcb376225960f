using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Runtime.Signatures.FunctionsFramework;

namespace Granary.Runtime.Tests.Signatures.FunctionsFramework;

/// <summary>
/// The legacy event ↔ CloudEvent conversions against the Functions Framework conformance fixtures
/// (tests/ff-vectors), compared the way the conformance client compares them.
/// </summary>
public sealed class EventMappingTests
{
    private static readonly string[] s_names =
    [
        "firebase-auth",
        "firebase-db1",
        "firebase-db2",
        "firebase-db3",
        "firebase-db4",
        "firebase-db5",
        "firebase-db6",
        "firebase-db7",
        "firebase-db8",
        "firebase-dbdelete1",
        "firebase-dbdelete2",
        "firestore_complex",
        "firestore_simple",
        "legacy_pubsub",
        "pubsub_binary",
        "pubsub_text",
        "storage",
    ];

    private static readonly Lazy<string> s_vectorsDirectory = new(FindVectorsDirectory);

    /// <summary>The 17 event names of the conformance suite.</summary>
    public static TheoryData<string> EventNames => new(s_names);

    private static string VectorsDirectory => s_vectorsDirectory.Value;

    private static string DataDirectory => Path.Combine(VectorsDirectory, "events", "generate", "data");

    [Theory]
    [MemberData(nameof(EventNames))]
    public void ALegacyEventBecomesTheExpectedCloudEvent(string name)
    {
        var input = ReadFixture($"{name}-legacy-input.json");
        var before = input.ToJsonString();
        var expected = ReadFixture(ExpectedCloudEventFile(name));

        var actual = EventMapping.LegacyToCloudEvent(input);

        Assert.NotNull(actual);
        AssertCloudEventsMatch(expected, actual, name);
        Assert.Equal(before, input.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(EventNames))]
    public void ACloudEventBecomesTheExpectedLegacyEvent(string name)
    {
        var input = ReadFixture($"{name}-cloudevent-input.json");
        var before = input.ToJsonString();
        var expected = ReadFixture(ExpectedLegacyFile(name));

        var actual = EventMapping.CloudEventToLegacy(input);

        Assert.NotNull(actual);
        AssertLegacyEventsMatch(expected, actual, name);
        Assert.Equal(before, input.ToJsonString());
    }

    [Fact]
    public void TheFixtureFolderHoldsExactlyTheSeventeenEventNames()
    {
        var onDisk = Directory.GetFiles(DataDirectory, "*-legacy-input.json")
            .Select(path => Path.GetFileName(path)[..^"-legacy-input.json".Length])
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(s_names.Order(StringComparer.Ordinal), onDisk);
    }

    [Fact]
    public void TheExpectedFilesAreTheOnesTheConformanceClientUsesInTheMappingPhase()
    {
        var cases = JsonNode.Parse(File.ReadAllText(Path.Combine(VectorsDirectory, "cases.json")))!["event_cases"]!.AsArray();
        var mapping = cases.Select(c => c!.AsObject()).Where(c => (string?)c["input_type"] != (string?)c["output_type"]).ToArray();

        Assert.Equal(2 * s_names.Length, mapping.Length);
        foreach (var @case in mapping)
        {
            var name = (string)@case["name"]!;
            var toCloudEvent = (string?)@case["output_type"] == "cloudevent";
            var input = toCloudEvent ? $"{name}-legacy-input.json" : $"{name}-cloudevent-input.json";
            var expected = toCloudEvent ? ExpectedCloudEventFile(name) : ExpectedLegacyFile(name);
            Assert.StartsWith("mapping", (string?)@case["phase"], StringComparison.Ordinal);
            Assert.Equal("events/generate/data/" + input, (string?)@case["input_file"]);
            Assert.Equal("events/generate/data/" + expected, (string?)@case["expected_file"]);
        }
    }

    [Fact]
    public void ABodyThatIsNotALegacyEventIsNotConverted()
    {
        Assert.Null(EventMapping.LegacyToCloudEvent(Parse("""{"hello":"world"}""")));
        Assert.Null(EventMapping.LegacyToCloudEvent(Parse("""{"eventType":"google.storage.object.finalize","resource":"r"}""")));
        Assert.Null(EventMapping.LegacyToCloudEvent(Parse("""{"data":{},"resource":"projects/p/topics/t"}""")));
        Assert.Null(EventMapping.LegacyToCloudEvent(Parse("""{"data":{},"eventType":"google.pubsub.topic.publish"}""")));
        Assert.Null(EventMapping.LegacyToCloudEvent(Parse("""{"data":{},"context":{"eventType":"google.pubsub.topic.publish"}}""")));
        Assert.Null(EventMapping.LegacyToCloudEvent(Parse("""{"data":{},"context":"nope"}""")));
    }

    [Fact]
    public void AnUnknownEventTypeIsNotConverted()
    {
        var legacy = Parse("""
            {"eventId":"1","timestamp":"2020-09-29T11:32:00.123Z","eventType":"providers/example/eventTypes/thing.happen",
             "resource":"projects/p/things/t","data":{"a":1}}
            """);

        Assert.Null(EventMapping.LegacyToCloudEvent(legacy));
    }

    [Fact]
    public void ACloudEventTypeWithoutALegacyEquivalentIsNotConverted()
    {
        var cloudEvent = Parse("""
            {"specversion":"1.0","id":"1","source":"//example.com/things/t","type":"com.example.thing.v1.happened",
             "time":"2020-09-29T11:32:00.123Z","datacontenttype":"application/json","data":{"a":1}}
            """);

        Assert.Null(EventMapping.CloudEventToLegacy(cloudEvent));
        cloudEvent["type"] = "google.firebase.remoteconfig.remoteConfig.v1.updated";
        Assert.Null(EventMapping.CloudEventToLegacy(cloudEvent));
    }

    [Fact]
    public void APubSubPushBodyBecomesALegacyEventNamedAfterTheTopicInThePath()
    {
        var body = Parse("""
            {"subscription":"projects/p/subscriptions/s",
             "message":{"data":"SGVsbG8=","messageId":"m-1","publishTime":"2021-02-03T04:05:06.789Z","attributes":{"k":"v"}}}
            """);
        var before = body.ToJsonString();

        var legacy = EventMapping.PubSubPushToLegacy(body, "/projects/p/topics/t", DateTimeOffset.UnixEpoch);

        Assert.NotNull(legacy);
        AssertJsonEqual(Parse("""
            {"context":{"eventId":"m-1","timestamp":"2021-02-03T04:05:06.789Z","eventType":"google.pubsub.topic.publish",
                        "resource":{"service":"pubsub.googleapis.com","type":"type.googleapis.com/google.pubsub.v1.PubsubMessage",
                                    "name":"projects/p/topics/t"}},
             "data":{"@type":"type.googleapis.com/google.pubsub.v1.PubsubMessage","data":"SGVsbG8=","attributes":{"k":"v"}}}
            """), legacy, "push body");
        Assert.Equal(before, body.ToJsonString());

        // The Functions Framework then turns it into a CloudEvent for a cloudevent function.
        var cloudEvent = EventMapping.LegacyToCloudEvent(legacy);
        Assert.NotNull(cloudEvent);
        Assert.Equal("//pubsub.googleapis.com/projects/p/topics/t", (string?)cloudEvent["source"]);
        Assert.Equal("google.cloud.pubsub.topic.v1.messagePublished", (string?)cloudEvent["type"]);
        Assert.Equal("m-1", (string?)cloudEvent["data"]!["message"]!["messageId"]);
        Assert.Equal("2021-02-03T04:05:06.789Z", (string?)cloudEvent["data"]!["message"]!["publishTime"]);
    }

    [Fact]
    public void APubSubPushBodyOnARootPathHasANullTopicAndIsStampedWithNow()
    {
        var body = Parse("""{"subscription":"projects/p/subscriptions/s","message":{"data":"SGVsbG8=","messageId":"m-2"}}""");
        var now = new DateTimeOffset(2024, 5, 6, 9, 8, 9, 123, TimeSpan.FromHours(2));

        var legacy = EventMapping.PubSubPushToLegacy(body, "/", now);

        Assert.NotNull(legacy);
        var context = legacy["context"]!.AsObject();
        var resource = context["resource"]!.AsObject();
        Assert.True(resource.ContainsKey("name"));
        Assert.Null(resource["name"]);
        Assert.Equal("2024-05-06T07:08:09.123Z", (string?)context["timestamp"]);
        Assert.Equal("m-2", (string?)context["eventId"]);
        AssertJsonEqual(Parse("{}"), legacy["data"]!["attributes"], "attributes");
    }

    [Fact]
    public void ABodyThatIsNotAPubSubPushIsNotRewritten()
    {
        var now = DateTimeOffset.UnixEpoch;

        Assert.Null(EventMapping.PubSubPushToLegacy(Parse("""{"hello":"world"}"""), "/", now));
        Assert.Null(EventMapping.PubSubPushToLegacy(Parse("""{"message":{"data":"x","messageId":"1"}}"""), "/", now));
        Assert.Null(EventMapping.PubSubPushToLegacy(Parse("""{"subscription":"s","message":{"data":"x"}}"""), "/", now));
        Assert.Null(EventMapping.PubSubPushToLegacy(Parse("""{"subscription":"s","message":{"data":"","messageId":"1"}}"""), "/", now));
        Assert.Null(EventMapping.PubSubPushToLegacy(
            Parse("""{"context":{"eventId":"1"},"subscription":"s","message":{"data":"x","messageId":"1"}}"""), "/", now));
    }

    [Fact]
    public void AnRtdbEventWithoutADomainCannotBeConverted()
    {
        var legacy = ReadFixture("firebase-db1-legacy-input.json");
        legacy.Remove("domain");

        var error = Assert.Throws<EventConversionException>(() => EventMapping.LegacyToCloudEvent(legacy));
        Assert.Contains("domain", error.Message, StringComparison.Ordinal);

        legacy["domain"] = "example.com";
        Assert.Throws<EventConversionException>(() => EventMapping.LegacyToCloudEvent(legacy));
    }

    [Fact]
    public void AResourceThatDoesNotMatchTheServicePatternCannotBeConverted()
    {
        var legacy = ReadFixture("storage-legacy-input.json");
        legacy["context"]!["resource"]!["name"] = "projects/_/buckets/some-bucket";

        var error = Assert.Throws<EventConversionException>(() => EventMapping.LegacyToCloudEvent(legacy));
        Assert.Contains("projects/_/buckets/some-bucket", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NumbersNullsAndEmptyObjectsAreCopiedExactlyAsWritten()
    {
        var legacy = Parse("""
            {"eventId":"1","timestamp":"2020-09-29T11:32:00.123+00:00","eventType":"providers/cloud.firestore/eventTypes/document.write",
             "resource":"projects/p/databases/(default)/documents/c/d",
             "data":{"a":1.50,"b":12345678901234567890123,"c":null,"d":{},"e":-0.9781,"f":1e3}}
            """);

        var cloudEvent = EventMapping.LegacyToCloudEvent(legacy);

        Assert.NotNull(cloudEvent);
        Assert.Equal("""{"a":1.50,"b":12345678901234567890123,"c":null,"d":{},"e":-0.9781,"f":1e3}""", cloudEvent["data"]!.ToJsonString());
        Assert.Equal("2020-09-29T11:32:00.123+00:00", (string?)cloudEvent["time"]);
        Assert.Equal("documents/c/d", (string?)cloudEvent["subject"]);
    }

    private static string FindVectorsDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "ff-vectors");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException($"No tests/ff-vectors folder above {AppContext.BaseDirectory}.");
    }

    private static string ExpectedCloudEventFile(string name) =>
        File.Exists(Path.Combine(DataDirectory, $"{name}-cloudevent-output-converted.json"))
            ? $"{name}-cloudevent-output-converted.json"
            : $"{name}-cloudevent-output.json";

    private static string ExpectedLegacyFile(string name) =>
        File.Exists(Path.Combine(DataDirectory, $"{name}-legacy-output-converted.json"))
            ? $"{name}-legacy-output-converted.json"
            : $"{name}-legacy-output.json";

    private static JsonObject ReadFixture(string file) => Parse(File.ReadAllText(Path.Combine(DataDirectory, file)));

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    /// <summary>As validateCloudEvent: id, source, subject, type, time (an instant), datacontenttype and data (an object).</summary>
    private static void AssertCloudEventsMatch(JsonObject expected, JsonObject actual, string name)
    {
        // The attribute set must be exactly the fixture's (no stray extensions, subject only when expected).
        Assert.Equal(expected.Select(p => p.Key).Order(StringComparer.Ordinal), actual.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("1.0", StringMember(actual, "specversion"));
        Assert.Equal(StringMember(expected, "id"), StringMember(actual, "id"));
        Assert.Equal(StringMember(expected, "source"), StringMember(actual, "source"));
        Assert.Equal(StringMember(expected, "subject") ?? "", StringMember(actual, "subject") ?? "");
        Assert.Equal(StringMember(expected, "type"), StringMember(actual, "type"));
        Assert.Equal(Instant(StringMember(expected, "time")), Instant(StringMember(actual, "time")));
        Assert.Equal("application/json", StringMember(actual, "datacontenttype"));
        Assert.Equal(StringMember(expected, "datacontenttype"), StringMember(actual, "datacontenttype"));
        Assert.IsType<JsonObject>(actual["data"]);
        AssertJsonEqual(expected["data"], actual["data"], name + " data");
    }

    /// <summary>As validateLegacyEvent: eventId, eventType, timestamp (Z and the same instant), resource and data.</summary>
    private static void AssertLegacyEventsMatch(JsonObject expected, JsonObject actual, string name)
    {
        Assert.Equal(["context", "data"], actual.Select(p => p.Key).Order(StringComparer.Ordinal));
        var expectedContext = expected["context"]!.AsObject();
        var actualContext = Assert.IsType<JsonObject>(actual["context"]);
        Assert.Equal(["eventId", "eventType", "resource", "timestamp"], actualContext.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(StringMember(expectedContext, "eventId"), StringMember(actualContext, "eventId"));
        Assert.Equal(StringMember(expectedContext, "eventType"), StringMember(actualContext, "eventType"));
        var timestamp = StringMember(actualContext, "timestamp");
        Assert.NotNull(timestamp);
        Assert.EndsWith("Z", timestamp, StringComparison.Ordinal);
        Assert.Equal(Instant(StringMember(expectedContext, "timestamp")), Instant(timestamp));
        AssertJsonEqual(expectedContext["resource"], actualContext["resource"], name + " resource");
        AssertJsonEqual(expected["data"], actual["data"], name + " data");
    }

    private static string? StringMember(JsonObject obj, string key) =>
        obj.TryGetPropertyValue(key, out var node) && node is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : null;

    private static DateTimeOffset Instant(string? rfc3339)
    {
        Assert.NotNull(rfc3339);
        return DateTimeOffset.Parse(rfc3339, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
    }

    private static void AssertJsonEqual(JsonNode? expected, JsonNode? actual, string what) =>
        Assert.True(
            JsonEqual(expected, actual),
            $"{what} differs.\nExpected: {expected?.ToJsonString() ?? "null"}\nActual:   {actual?.ToJsonString() ?? "null"}");

    /// <summary>Deep equality as Go's reflect.DeepEqual on decoded JSON: numbers as doubles, key presence significant, key order irrelevant.</summary>
    private static bool JsonEqual(JsonNode? a, JsonNode? b)
    {
        switch (a, b)
        {
            case (null, null):
                return true;
            case (JsonObject x, JsonObject y):
                return x.Count == y.Count
                    && x.All(p => y.TryGetPropertyValue(p.Key, out var other) && JsonEqual(p.Value, other));
            case (JsonArray x, JsonArray y):
                return x.Count == y.Count && x.Zip(y).All(pair => JsonEqual(pair.First, pair.Second));
            case (JsonValue x, JsonValue y):
                var kind = x.GetValueKind();
                if (kind != y.GetValueKind())
                {
                    return false;
                }
                return kind switch
                {
                    JsonValueKind.String => x.GetValue<string>() == y.GetValue<string>(),
                    JsonValueKind.Number => AsDouble(x) == AsDouble(y),
                    _ => true,
                };
            default:
                return false;
        }
    }

    private static double AsDouble(JsonValue value) => double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
}
