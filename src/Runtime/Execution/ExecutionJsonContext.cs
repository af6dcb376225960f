using System.Text.Json.Serialization;

namespace Granary.Runtime.Execution;

/// <summary>Serializes what every runtime hands its loader: the function's meta.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(FunctionMeta))]
internal sealed partial class ExecutionJsonContext : JsonSerializerContext;
