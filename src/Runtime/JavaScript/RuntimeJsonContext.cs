using System.Text.Json.Serialization;
using Granary.Functions;

namespace Granary.Runtime.JavaScript;

/// <summary>What loading a module gave: an error (kind, name, message, stack) or the signature in force.</summary>
internal sealed class JsError
{
    [JsonPropertyName("kind")] public string? Kind { get; set; }

    [JsonPropertyName("name")] public string? Name { get; set; }

    [JsonPropertyName("message")] public string Message { get; set; } = "";

    [JsonPropertyName("stack")] public string? Stack { get; set; }

    [JsonPropertyName("signature")] public string? Signature { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(JsError))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(IReadOnlyList<ModuleRequest>))]
[JsonSerializable(typeof(CodeError))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;
