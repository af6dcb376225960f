using System.Collections;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Granary.Gateway.Apis;

/// <summary>The JSON conventions of the management API: camelCase, enums as camelCase strings, no nulls.</summary>
internal static class ApiJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
    }

    /// <summary>
    /// Strict reading of request bodies: unknown fields are errors, so typos do not pass silently, and a number sent
    /// as a string (<c>"timeoutSeconds":"20"</c>) is the wrong type, not a number.
    /// </summary>
    public static JsonSerializerOptions Strict { get; } = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
    };

    /// <summary>
    /// Reads a request body of type <typeparamref name="T"/> strictly, or says what is wrong in the user's terms: too
    /// large (413), missing, not JSON, an unknown field (naming the known ones) or a field of the wrong type (naming
    /// the type it must have). Never a .NET type name.
    /// </summary>
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpContext context, long limit)
        where T : class
    {
        var body = await BodyReader.ReadAsync(context, limit);
        if (body is null)
        {
            return (null, ApiProblems.TooLarge(limit));
        }

        return Read<T>(body);
    }

    /// <summary>Reads a body already in memory; see <see cref="ReadAsync{T}"/>.</summary>
    public static (T? Value, ProblemHttpResult? Problem) Read<T>(byte[] body)
        where T : class
    {
        if (body.Length == 0)
        {
            return (null, Invalid("The request needs a JSON body."));
        }

        try
        {
            return JsonSerializer.Deserialize<T>(body, Strict) is { } value ? (value, null) : (null, Invalid("The request body must be a JSON object, not null."));
        }
        catch (JsonException ex) when (ex.Message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            var (field, known) = Unknown<T>(ex);
            return (null, Invalid($"Unknown field '{field}'. Known fields: {string.Join(", ", known)}."));
        }
        catch (JsonException ex) when (ex.Path is { Length: > 1 } path && ex.Message.Contains("could not be converted", StringComparison.Ordinal))
        {
            var field = path.TrimStart('$', '.');
            return (null, Invalid(Expected(typeof(T), field) is { } expected
                ? $"The value of '{field}' has the wrong type: it must be {expected}."
                : $"The value of '{field}' has the wrong type."));
        }
        catch (JsonException ex) when (ex.Path is "$" && ex.Message.Contains("could not be converted", StringComparison.Ordinal))
        {
            return (null, Invalid("The request body must be a JSON object."));
        }
        catch (JsonException ex)
        {
            return (null, ApiProblems.Create(400, "malformed-json", "Malformed JSON", $"The request body is not valid JSON: {Clean(ex.Message)}"));
        }
    }

    private static ProblemHttpResult Invalid(string detail) => ApiProblems.Create(400, "invalid-request", "Invalid request", detail);

    // "'x' is an invalid start of a value. Path: $ | LineNumber: 0 | BytePositionInLine: 0." → the part before "Path:",
    // with the position in the user's terms.
    private static string Clean(string message)
    {
        var at = message.IndexOf(" Path:", StringComparison.Ordinal);
        var text = at < 0 ? message : message[..at];
        var line = Extract(message, "LineNumber: ");
        var column = Extract(message, "BytePositionInLine: ");
        return line is not null && column is not null ? $"{text} (line {line + 1}, byte {column + 1})" : text;

        static int? Extract(string message, string label)
        {
            var at = message.IndexOf(label, StringComparison.Ordinal);
            if (at < 0)
            {
                return null;
            }

            var digits = new string(message.AsSpan(at + label.Length).ToArray().TakeWhile(char.IsAsciiDigit).ToArray());
            return int.TryParse(digits, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
        }
    }

    // "The JSON property 'foo' could not be mapped to any .NET member contained in type …": the field, and the fields
    // of the object it was found in.
    private static (string Field, IEnumerable<string> Known) Unknown<T>(JsonException ex)
    {
        var message = ex.Message;
        var start = message.IndexOf('\'', StringComparison.Ordinal);
        var end = start < 0 ? -1 : message.IndexOf('\'', start + 1);
        var name = end > start ? message[(start + 1)..end] : "?";
        // The path ends with the unknown field itself: "$.timeout", "$.quotas.maxFunction".
        var path = (ex.Path ?? "$").TrimStart('$', '.');
        var dot = path.LastIndexOf('.');
        var parent = dot < 0 ? "" : path[..dot];
        var owner = parent.Length == 0 ? typeof(T) : TypeAt(typeof(T), parent);
        var field = path.Length == 0 ? name : path;
        return (field, owner is null ? [] : Properties(owner).Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)));
    }

    private static string? Expected(Type root, string path) => TypeAt(root, path) is { } type ? Describe(type) : null;

    private static Type? TypeAt(Type root, string path)
    {
        var type = root;
        foreach (var segment in path.Split('.'))
        {
            if (Dictionary(type) is { } valueType)
            {
                type = valueType;
                continue;
            }

            if (segment.EndsWith(']') && segment.IndexOf('[', StringComparison.Ordinal) is var bracket and > 0)
            {
                type = Properties(type).FirstOrDefault(p => string.Equals(p.Name, segment[..bracket], StringComparison.OrdinalIgnoreCase))?.PropertyType is { } list
                    ? Element(list) ?? list
                    : null;
            }
            else
            {
                type = Properties(type).FirstOrDefault(p => string.Equals(p.Name, segment, StringComparison.OrdinalIgnoreCase))?.PropertyType;
            }

            if (type is null)
            {
                return null;
            }
        }

        return type;
    }

    private static IEnumerable<PropertyInfo> Properties(Type type) => type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite);

    private static Type? Dictionary(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) ? type.GetGenericArguments()[1] : null;

    private static Type? Element(Type type) =>
        type.IsArray ? type.GetElementType() : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) ? type.GetGenericArguments()[^1] : null;

    private static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return "a string";
        }

        if (type == typeof(int) || type == typeof(long))
        {
            return "a whole number";
        }

        if (type == typeof(bool))
        {
            return "true or false";
        }

        if (Dictionary(type) is { } values)
        {
            return $"an object whose values are {Plural(values)}";
        }

        if (type != typeof(string) && Element(type) is { } element)
        {
            return $"an array of {Plural(element)}";
        }

        return "an object";

        static string Plural(Type type) => Describe(type) switch
        {
            "a string" => "strings",
            "a whole number" => "whole numbers",
            "true or false" => "true or false",
            var other => other,
        };
    }
}
