using System.Text.Json.Serialization;

namespace Granary.Runtime.JavaScript;

/// <summary>An error thrown by script, as the bootstrap describes it.</summary>
internal sealed class JsError
{
    [JsonPropertyName("kind")] public string? Kind { get; set; }

    [JsonPropertyName("name")] public string? Name { get; set; }

    [JsonPropertyName("message")] public string Message { get; set; } = "";

    [JsonPropertyName("stack")] public string? Stack { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(JsError))]
[JsonSerializable(typeof(FunctionMeta))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;
