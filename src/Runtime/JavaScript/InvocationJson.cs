using System.Buffers;
using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Granary.Functions;

namespace Granary.Runtime.JavaScript;

/// <summary>
/// The wire between .NET and the bootstrap: requests go in as <c>{m, p, q, h, b, e}</c>, results come
/// back as <c>{r, l, x, o}</c>. JSON strings cross the boundary once; no host objects are handed to script.
/// </summary>
internal static class InvocationJson
{
    public static string Write(InvocationRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + request.Body.Length);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("m", request.Method);
            writer.WriteString("p", request.Path);
            writer.WriteString("q", request.QueryString);
            writer.WriteStartArray("h");
            foreach (var header in request.Headers)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(header.Name);
                writer.WriteStringValue(header.Value);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
            var body = request.Body.Span;
            if (Utf8.IsValid(body))
            {
                writer.WriteString("b", body);
                writer.WriteString("e", "utf8");
            }
            else
            {
                writer.WriteBase64String("b", body);
                writer.WriteString("e", "base64");
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static ExecutionResult Read(string json)
    {
        var result = JsonSerializer.Deserialize(json, RuntimeJsonContext.Default.JsInvokeResult)
            ?? throw new InvalidOperationException("The isolate returned no result.");
        var response = result.Response ?? throw new InvalidOperationException("The isolate returned no response.");
        var headers = ImmutableArray.CreateBuilder<HttpHeader>(response.Headers?.Count ?? 0);
        foreach (var pair in response.Headers ?? [])
        {
            if (pair.Length == 2)
            {
                headers.Add(new HttpHeader(pair[0], pair[1]));
            }
        }

        var body = response.Body is null or ""
            ? ReadOnlyMemory<byte>.Empty
            : response.Encoding == "base64" ? Convert.FromBase64String(response.Body) : Encoding.UTF8.GetBytes(response.Body);
        var outcome = result.Outcome switch
        {
            "bad-request" => InvocationOutcomes.BadRequest,
            _ when result.Error is not null => InvocationOutcomes.Error,
            _ => InvocationOutcomes.Ok,
        };
        return new ExecutionResult
        {
            StatusCode = response.Status,
            Headers = headers.MoveToImmutable(),
            Body = body,
            Outcome = outcome,
            Error = result.Error is { } error ? (error.Name is null or "" ? error.Message : $"{error.Name}: {error.Message}") : null,
            Logs = ReadLogs(result.Logs),
        };
    }

    public static ImmutableArray<LogLine> ReadLogs(string json) =>
        ReadLogs(JsonSerializer.Deserialize(json, RuntimeJsonContext.Default.ListJsLogLine));

    private static ImmutableArray<LogLine> ReadLogs(List<JsLogLine>? lines)
    {
        if (lines is null or { Count: 0 })
        {
            return [];
        }

        var builder = ImmutableArray.CreateBuilder<LogLine>(lines.Count);
        foreach (var line in lines)
        {
            builder.Add(new LogLine(line.Level, line.Message, DateTimeOffset.FromUnixTimeMilliseconds((long)line.Time)));
        }

        return builder.MoveToImmutable();
    }
}
