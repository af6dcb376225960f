using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Granary.Runtime.Signatures.FunctionsFramework;

/// <summary>
/// The conversions between Google Cloud Functions legacy (background) events and CloudEvents that the Functions
/// Framework performs before it calls an <c>event</c> or a <c>cloudevent</c> function, and the rewriting of raw
/// Pub/Sub push bodies into legacy events.
/// </summary>
/// <remarks>
/// The rules are those of functions-framework-nodejs (<c>background_event_to_cloud_event.ts</c>,
/// <c>cloud_event_to_background_event.ts</c>, <c>pubsub_middleware.ts</c>), checked against the conformance
/// suite's fixtures. A CloudEvent is represented in CloudEvents structured JSON form. JSON values are copied with
/// <see cref="JsonNode.DeepClone"/>: <c>null</c> members, empty objects, number spellings and timestamp strings are
/// kept as they were received.
/// </remarks>
public static partial class EventMapping
{
    private const string PubSubService = "pubsub.googleapis.com";
    private const string StorageService = "storage.googleapis.com";
    private const string FirestoreService = "firestore.googleapis.com";
    private const string FirebaseService = "firebase.googleapis.com";
    private const string FirebaseAuthService = "firebaseauth.googleapis.com";
    private const string FirebaseDatabaseService = "firebasedatabase.googleapis.com";
    private const string PubSubEventType = "google.pubsub.topic.publish";
    private const string PubSubMessageType = "type.googleapis.com/google.pubsub.v1.PubsubMessage";

    /// <summary>CloudEvent type → legacy event type: the reversible rows of the mapping table.</summary>
    private static readonly FrozenDictionary<string, string> s_cloudEventToLegacyType = new Dictionary<string, string>
    {
        ["google.cloud.pubsub.topic.v1.messagePublished"] = PubSubEventType,
        ["google.cloud.storage.object.v1.finalized"] = "google.storage.object.finalize",
        ["google.cloud.storage.object.v1.deleted"] = "google.storage.object.delete",
        ["google.cloud.storage.object.v1.archived"] = "google.storage.object.archive",
        ["google.cloud.storage.object.v1.metadataUpdated"] = "google.storage.object.metadataUpdate",
        ["google.cloud.firestore.document.v1.written"] = "providers/cloud.firestore/eventTypes/document.write",
        ["google.cloud.firestore.document.v1.created"] = "providers/cloud.firestore/eventTypes/document.create",
        ["google.cloud.firestore.document.v1.updated"] = "providers/cloud.firestore/eventTypes/document.update",
        ["google.cloud.firestore.document.v1.deleted"] = "providers/cloud.firestore/eventTypes/document.delete",
        ["google.firebase.auth.user.v1.created"] = "providers/firebase.auth/eventTypes/user.create",
        ["google.firebase.auth.user.v1.deleted"] = "providers/firebase.auth/eventTypes/user.delete",
        ["google.firebase.analytics.log.v1.written"] = "providers/google.firebase.analytics/eventTypes/event.log",
        ["google.firebase.database.ref.v1.created"] = "providers/google.firebase.database/eventTypes/ref.create",
        ["google.firebase.database.ref.v1.written"] = "providers/google.firebase.database/eventTypes/ref.write",
        ["google.firebase.database.ref.v1.updated"] = "providers/google.firebase.database/eventTypes/ref.update",
        ["google.firebase.database.ref.v1.deleted"] = "providers/google.firebase.database/eventTypes/ref.delete",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Legacy event type → CloudEvent type: the inverse of the table above plus the two one-way rows.</summary>
    private static readonly FrozenDictionary<string, string> s_legacyToCloudEventType = s_cloudEventToLegacyType
        .Select(pair => KeyValuePair.Create(pair.Value, pair.Key))
        .Append(KeyValuePair.Create("providers/cloud.storage/eventTypes/object.change", "google.cloud.storage.object.v1.finalized"))
        .Append(KeyValuePair.Create("providers/cloud.pubsub/eventTypes/topic.publish", "google.cloud.pubsub.topic.v1.messagePublished"))
        .ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Legacy event type prefix → CloudEvent service, used when the resource does not name its service.</summary>
    private static readonly (string Prefix, string Service)[] s_servicesByEventTypePrefix =
    [
        ("providers/cloud.firestore/", FirestoreService),
        ("providers/google.firebase.analytics/", FirebaseService),
        ("providers/firebase.auth/", FirebaseAuthService),
        ("providers/google.firebase.database/", FirebaseDatabaseService),
        ("providers/cloud.pubsub/", PubSubService),
        ("providers/cloud.storage/", StorageService),
        ("google.pubsub", PubSubService),
        ("google.storage", StorageService),
    ];

    /// <summary>
    /// Converts a legacy (GCF background) event body into the CloudEvent the Functions Framework gives a
    /// <c>cloudevent</c> function.
    /// </summary>
    /// <param name="legacy">
    /// The request body, flat (<c>{eventId, timestamp, eventType, resource, data, ...}</c>) or nested
    /// (<c>{context: {eventId, timestamp, eventType, resource}, data}</c>). It is not modified.
    /// </param>
    /// <returns>
    /// The CloudEvent in structured JSON form, or <see langword="null"/> when the body is not a convertible legacy
    /// event (no <c>data</c>, no <c>eventType</c> or <c>resource</c>, or an event type not in the table); the caller
    /// then passes the body through unchanged.
    /// </returns>
    /// <exception cref="EventConversionException">The event is recognised but cannot be converted.</exception>
    public static JsonObject? LegacyToCloudEvent(JsonObject legacy)
    {
        ArgumentNullException.ThrowIfNull(legacy);

        JsonObject context;
        if (legacy.TryGetPropertyValue("context", out var contextNode))
        {
            if (contextNode is not JsonObject contextObject)
            {
                return null;
            }
            context = contextObject;
        }
        else
        {
            context = legacy;
        }

        if (!legacy.ContainsKey("data")
            || !context.ContainsKey("resource")
            || !TryGetString(context, "eventType", out var eventType)
            || !s_legacyToCloudEventType.TryGetValue(eventType, out var cloudEventType))
        {
            return null;
        }

        var (service, resource, subject) = SplitResource(context, eventType);
        var data = legacy["data"]?.DeepClone();

        switch (service)
        {
            case PubSubService:
                data = WrapPubSubMessage(data, context);
                break;
            case FirebaseAuthService:
                if (data is JsonObject authData)
                {
                    RenameMetadataKeys(authData, "createdAt", "createTime", "lastSignedInAt", "lastSignInTime");
                    if (authData["uid"] is JsonValue uid && uid.GetValueKind() is JsonValueKind.String or JsonValueKind.Number)
                    {
                        subject = "users/" + (uid.GetValueKind() == JsonValueKind.String ? uid.GetValue<string>() : uid.ToJsonString());
                    }
                }
                break;
            case FirebaseDatabaseService:
                resource = $"projects/_/locations/{DatabaseLocation(legacy)}/{resource}";
                break;
            default:
                break;
        }

        var cloudEvent = new JsonObject { ["specversion"] = "1.0" };
        CopyIfPresent(context, "eventId", cloudEvent, "id");
        cloudEvent["source"] = $"//{service}/{resource}";
        cloudEvent["type"] = cloudEventType;
        if (!string.IsNullOrEmpty(subject))
        {
            cloudEvent["subject"] = subject;
        }
        CopyIfPresent(context, "timestamp", cloudEvent, "time");
        cloudEvent["datacontenttype"] = "application/json";
        cloudEvent["data"] = data;
        return cloudEvent;
    }

    /// <summary>
    /// Converts a CloudEvent (received in binary mode and already parsed into structured form) into the
    /// <c>{"data": ..., "context": {"eventId", "timestamp", "eventType", "resource"}}</c> body the Functions
    /// Framework gives an <c>event</c> function.
    /// </summary>
    /// <param name="cloudEvent">The CloudEvent in structured JSON form. It is not modified.</param>
    /// <returns>
    /// The legacy event, or <see langword="null"/> when the CloudEvent's type has no legacy equivalent; the caller
    /// then builds <c>{context: &lt;CloudEvent attributes&gt;, data}</c> itself.
    /// </returns>
    /// <exception cref="EventConversionException">The type is known but the <c>source</c> is missing or malformed.</exception>
    public static JsonObject? CloudEventToLegacy(JsonObject cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);

        if (!TryGetString(cloudEvent, "type", out var type) || !s_cloudEventToLegacyType.TryGetValue(type, out var legacyType))
        {
            return null;
        }
        if (!TryGetString(cloudEvent, "source", out var source))
        {
            throw new EventConversionException($"Failed to convert CloudEvent of type \"{type}\": it has no source.");
        }
        var sourceMatch = SourcePattern().Match(source);
        if (!sourceMatch.Success)
        {
            throw new EventConversionException($"Failed to convert CloudEvent with invalid source: \"{source}\".");
        }
        var service = sourceMatch.Groups[1].Value;
        var name = sourceMatch.Groups[2].Value;
        TryGetString(cloudEvent, "subject", out var subject);
        var nameAndSubject = string.IsNullOrEmpty(subject) ? name : $"{name}/{subject}";
        var data = cloudEvent["data"]?.DeepClone();

        JsonNode resource = nameAndSubject;
        switch (service)
        {
            case PubSubService:
                resource = new JsonObject
                {
                    ["service"] = service,
                    ["name"] = name,
                    ["type"] = PubSubMessageType,
                };
                if (data is JsonObject envelope && envelope.TryGetPropertyValue("message", out var message))
                {
                    data = message?.DeepClone();
                }
                if (data is JsonObject pubSubMessage)
                {
                    pubSubMessage.Remove("messageId");
                    pubSubMessage.Remove("publishTime");
                }
                break;
            case FirebaseAuthService:
                resource = name;
                if (data is JsonObject authData)
                {
                    RenameMetadataKeys(authData, "createTime", "createdAt", "lastSignInTime", "lastSignedInAt");
                }
                break;
            case FirebaseDatabaseService:
                resource = LocationSegmentPattern().Replace(nameAndSubject, "", 1);
                break;
            case StorageService:
                var storageResource = new JsonObject
                {
                    ["name"] = nameAndSubject,
                    ["service"] = service,
                };
                if (data is JsonObject storageData && storageData.TryGetPropertyValue("kind", out var kind))
                {
                    storageResource["type"] = kind?.DeepClone();
                }
                resource = storageResource;
                break;
            default:
                break;
        }

        var context = new JsonObject();
        CopyIfPresent(cloudEvent, "id", context, "eventId");
        CopyIfPresent(cloudEvent, "time", context, "timestamp");
        context["eventType"] = legacyType;
        context["resource"] = resource;
        return new JsonObject
        {
            ["data"] = data,
            ["context"] = context,
        };
    }

    /// <summary>
    /// Rewrites the body of a request sent directly by a Pub/Sub push subscription into a legacy event in nested form,
    /// as the Functions Framework does for both event signatures.
    /// </summary>
    /// <param name="body">
    /// The request body: <c>{"subscription": ..., "message": {"data", "messageId", "publishTime"?, "attributes"?}}</c>
    /// with no <c>context</c>. It is not modified. The caller must not pass a binary-mode CloudEvent.
    /// </param>
    /// <param name="path">The request path; the topic name <c>projects/X/topics/Y</c> is taken from it when present.</param>
    /// <param name="now">The timestamp used when the message has no <c>publishTime</c>.</param>
    /// <returns>
    /// <c>{context: {eventId, timestamp, eventType: "google.pubsub.topic.publish", resource: {service, type, name}},
    /// data: {"@type", data, attributes}}</c>, or <see langword="null"/> when the body is not a Pub/Sub push body
    /// (it has a <c>context</c>, or lacks <c>subscription</c>, <c>message</c>, <c>message.data</c> or
    /// <c>message.messageId</c>).
    /// </returns>
    public static JsonObject? PubSubPushToLegacy(JsonObject body, string path, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(path);

        if (IsTruthy(body["context"])
            || !IsTruthy(body["subscription"])
            || body["message"] is not JsonObject message
            || !IsTruthy(message["data"])
            || !IsTruthy(message["messageId"]))
        {
            return null;
        }

        var topic = TopicPattern().Match(path);
        JsonNode timestamp = IsTruthy(message["publishTime"])
            ? message["publishTime"]!.DeepClone()
            : now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var attributes = message["attributes"];

        return new JsonObject
        {
            ["context"] = new JsonObject
            {
                ["eventId"] = message["messageId"]!.DeepClone(),
                ["timestamp"] = timestamp,
                ["eventType"] = PubSubEventType,
                ["resource"] = new JsonObject
                {
                    ["service"] = PubSubService,
                    ["type"] = PubSubMessageType,
                    ["name"] = topic.Success ? topic.Value : null,
                },
            },
            ["data"] = new JsonObject
            {
                ["@type"] = PubSubMessageType,
                ["data"] = message["data"]!.DeepClone(),
                ["attributes"] = IsTruthy(attributes) ? attributes!.DeepClone() : new JsonObject(),
            },
        };
    }

    /// <summary>Splits a legacy context's resource into the CloudEvent service, source resource and subject.</summary>
    private static (string Service, string Resource, string Subject) SplitResource(JsonObject context, string eventType)
    {
        string resource;
        var service = "";
        switch (context["resource"])
        {
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                resource = value.GetValue<string>();
                break;
            case JsonObject resourceObject:
                var name = resourceObject["name"];
                if (name is null)
                {
                    resource = "";
                }
                else if (name is JsonValue nameValue && nameValue.GetValueKind() == JsonValueKind.String)
                {
                    resource = nameValue.GetValue<string>();
                }
                else
                {
                    throw new EventConversionException($"The resource name of the {eventType} event is not a string.");
                }
                if (TryGetString(resourceObject, "service", out var named))
                {
                    service = named;
                }
                break;
            default:
                throw new EventConversionException($"The resource of the {eventType} event is neither a string nor an object.");
        }

        if (service.Length == 0)
        {
            // The last matching prefix wins, as in the Node.js framework (the prefixes do not overlap).
            foreach (var (prefix, candidate) in s_servicesByEventTypePrefix)
            {
                if (eventType.StartsWith(prefix, StringComparison.Ordinal))
                {
                    service = candidate;
                }
            }
        }
        if (service.Length == 0)
        {
            throw new EventConversionException($"Unable to find equivalent CloudEvent service for {eventType}.");
        }

        var pattern = service switch
        {
            FirebaseService => FirebaseResourcePattern(),
            FirebaseDatabaseService => FirebaseDatabaseResourcePattern(),
            FirestoreService => FirestoreResourcePattern(),
            StorageService => StorageResourcePattern(),
            _ => null,
        };
        if (pattern is null)
        {
            return (service, resource, "");
        }
        var match = pattern.Match(resource);
        if (!match.Success)
        {
            throw new EventConversionException($"Resource string did not match expected format for {service}: {resource}.");
        }
        return (service, match.Groups[1].Value, match.Groups[2].Value);
    }

    /// <summary>Nests legacy Pub/Sub data under <c>message</c>, filling <c>messageId</c> and <c>publishTime</c> from the context.</summary>
    private static JsonObject WrapPubSubMessage(JsonNode? data, JsonObject context)
    {
        if (data is not JsonObject message)
        {
            throw new EventConversionException("Unable to convert a Pub/Sub event whose data is not an object.");
        }
        if (!IsTruthy(message["publishTime"]))
        {
            SetOrRemove(message, "publishTime", context, "timestamp");
        }
        if (!IsTruthy(message["messageId"]))
        {
            SetOrRemove(message, "messageId", context, "eventId");
        }
        return new JsonObject { ["message"] = message };
    }

    /// <summary>The RTDB location derived from the event's top-level <c>domain</c>.</summary>
    private static string DatabaseLocation(JsonObject legacy)
    {
        var domainNode = legacy["domain"];
        if (!IsTruthy(domainNode))
        {
            throw new EventConversionException($"Unable to convert to a {FirebaseDatabaseService} CloudEvent: the event has no domain.");
        }
        if (!TryGetString(legacy, "domain", out var domain))
        {
            throw new EventConversionException($"Unable to convert to a {FirebaseDatabaseService} CloudEvent: invalid domain {domainNode!.ToJsonString()}.");
        }
        if (domain == "firebaseio.com")
        {
            return "us-central1";
        }
        var match = DatabaseDomainPattern().Match(domain);
        if (!match.Success)
        {
            throw new EventConversionException($"Unable to convert to a {FirebaseDatabaseService} CloudEvent: invalid domain \"{domain}\".");
        }
        return match.Groups[1].Value;
    }

    /// <summary>Renames two keys of <c>data.metadata</c> in place, keeping the order of the members.</summary>
    private static void RenameMetadataKeys(JsonObject data, string from1, string to1, string from2, string to2)
    {
        if (data["metadata"] is not JsonObject metadata)
        {
            return;
        }
        var renamed = new JsonObject();
        foreach (var (key, value) in metadata)
        {
            var newKey = key == from1 ? to1 : key == from2 ? to2 : key;
            renamed[newKey] = value?.DeepClone();
        }
        data["metadata"] = renamed;
    }

    private static void CopyIfPresent(JsonObject from, string fromKey, JsonObject to, string toKey)
    {
        if (from.TryGetPropertyValue(fromKey, out var value))
        {
            to[toKey] = value?.DeepClone();
        }
    }

    private static void SetOrRemove(JsonObject target, string key, JsonObject from, string fromKey)
    {
        if (from.TryGetPropertyValue(fromKey, out var value))
        {
            target[key] = value?.DeepClone();
        }
        else
        {
            target.Remove(key);
        }
    }

    private static bool TryGetString(JsonObject obj, string key, out string value)
    {
        if (obj.TryGetPropertyValue(key, out var node) && node is JsonValue jsonValue && jsonValue.GetValueKind() == JsonValueKind.String)
        {
            value = jsonValue.GetValue<string>();
            return true;
        }
        value = "";
        return false;
    }

    /// <summary>JavaScript truthiness of a JSON value: absent, null, false, 0 and "" are false.</summary>
    private static bool IsTruthy(JsonNode? node) => node switch
    {
        null => false,
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.Null or JsonValueKind.False or JsonValueKind.Undefined => false,
            JsonValueKind.String => value.GetValue<string>().Length > 0,
            JsonValueKind.Number => double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number != 0,
            _ => true,
        },
        _ => true,
    };

    /// <summary>Splits a CloudEvent source into service and name (unanchored, as in the Node.js framework).</summary>
    [GeneratedRegex("//([^/]+)/(.+)", RegexOptions.CultureInvariant)]
    private static partial Regex SourcePattern();

    [GeneratedRegex("/locations/[^/]+", RegexOptions.CultureInvariant)]
    private static partial Regex LocationSegmentPattern();

    [GeneratedRegex("projects/[^/?]+/topics/[^/?]+", RegexOptions.CultureInvariant)]
    private static partial Regex TopicPattern();

    [GeneratedRegex(@"^([A-Za-z0-9_-]+)\.firebasedatabase\.app\z", RegexOptions.CultureInvariant)]
    private static partial Regex DatabaseDomainPattern();

    [GeneratedRegex(@"^(projects/[^/]+)/(events/[^/]+)\z", RegexOptions.CultureInvariant)]
    private static partial Regex FirebaseResourcePattern();

    [GeneratedRegex(@"^projects/[^/]/(instances/[^/]+)/(refs/.+)\z", RegexOptions.CultureInvariant)]
    private static partial Regex FirebaseDatabaseResourcePattern();

    [GeneratedRegex(@"^(projects/[^/]+/databases/\(default\))/(documents/.+)\z", RegexOptions.CultureInvariant)]
    private static partial Regex FirestoreResourcePattern();

    [GeneratedRegex(@"^(projects/[^/]/buckets/[^/]+)/(objects/.+)\z", RegexOptions.CultureInvariant)]
    private static partial Regex StorageResourcePattern();
}
