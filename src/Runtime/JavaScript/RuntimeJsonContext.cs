using System.Text.Json.Serialization;

namespace Granary.Runtime.JavaScript;

/// <summary>What an isolate answers for one invocation: <c>{r, l, x, o}</c>.</summary>
internal sealed class JsInvokeResult
{
    [JsonPropertyName("r")] public JsResponse? Response { get; set; }

    [JsonPropertyName("l")] public List<JsLogLine>? Logs { get; set; }

    [JsonPropertyName("x")] public JsError? Error { get; set; }

    [JsonPropertyName("o")] public string? Outcome { get; set; }
}

/// <summary>A response as the bootstrap serializes it: status, headers, body and its encoding.</summary>
internal sealed class JsResponse
{
    [JsonPropertyName("s")] public int Status { get; set; }

    [JsonPropertyName("h")] public List<string[]>? Headers { get; set; }

    [JsonPropertyName("b")] public string? Body { get; set; }

    [JsonPropertyName("e")] public string? Encoding { get; set; }
}

/// <summary>One console line: level, message, epoch milliseconds.</summary>
internal sealed class JsLogLine
{
    [JsonPropertyName("v")] public string Level { get; set; } = "log";

    [JsonPropertyName("m")] public string Message { get; set; } = "";

    [JsonPropertyName("t")] public double Time { get; set; }
}

/// <summary>An error thrown by script, as the bootstrap describes it.</summary>
internal sealed class JsError
{
    [JsonPropertyName("kind")] public string? Kind { get; set; }

    [JsonPropertyName("name")] public string? Name { get; set; }

    [JsonPropertyName("message")] public string Message { get; set; } = "";

    [JsonPropertyName("stack")] public string? Stack { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(JsInvokeResult))]
[JsonSerializable(typeof(JsError))]
[JsonSerializable(typeof(List<JsLogLine>))]
[JsonSerializable(typeof(FunctionMeta))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;
