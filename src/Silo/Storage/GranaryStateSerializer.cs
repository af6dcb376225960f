using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Orleans.Storage;

namespace Granary.Silo.Storage;

/// <summary>
/// Grain state as JSON, the same in every storage provider: camelCase names, enums as strings, nulls left out.
/// The database rows of the <c>adonet</c> provider hold the same document as the files of the <c>file</c> provider.
/// </summary>
public sealed class GranaryStateSerializer : IGrainStorageSerializer
{
    /// <summary>Gets the JSON options of stored state.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <inheritdoc />
    public BinaryData Serialize<T>(T? input) => new(JsonSerializer.SerializeToUtf8Bytes(input, Options));

    /// <inheritdoc />
    public T Deserialize<T>(BinaryData input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return JsonSerializer.Deserialize<T>(input.ToMemory().Span, Options)!;
    }
}
