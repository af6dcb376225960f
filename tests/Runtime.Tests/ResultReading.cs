using System.Collections.Immutable;
using System.Text;
using System.Text.Json;

namespace Granary.Runtime.Tests;

/// <summary>Reads an <see cref="ExecutionResult"/> of either runtime: its body as text or JSON, a header, its log lines.</summary>
internal static class ResultReading
{
    public static string Text(this ExecutionResult result) => Encoding.UTF8.GetString(result.Body.Span);

    public static JsonElement JsonBody(this ExecutionResult result) => JsonDocument.Parse(result.Body).RootElement.Clone();

    public static string? Header(this ExecutionResult result, string name) =>
        result.Headers.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    public static ImmutableArray<string> Messages(this ExecutionResult result) => [.. result.Logs.Select(l => l.Message)];
}
