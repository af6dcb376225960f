using System.Text.Encodings.Web;
using System.Text.Json;

namespace Granary.Runtime.Signatures.CustomCode;

/// <summary>How the Custom Code answers are written: as a Node service writes JSON, without escaping quotes, <c>+</c> or non-ASCII text.</summary>
public static class SnippetJson
{
    /// <summary>Options for <c>JsonNode.ToJsonString</c>.</summary>
    public static JsonSerializerOptions Options { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
