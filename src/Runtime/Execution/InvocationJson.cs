using System.Buffers;
using System.Buffers.Text;
using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Granary.Functions;
using Granary.Runtime.Telemetry;

namespace Granary.Runtime.Execution;

/// <summary>
/// The wire between .NET and the script that runs a function (the V8 bootstrap, <c>50-module.js</c>, and the Python
/// worker, <c>granary_worker.py</c>): one JSON string each way per invocation; no host object is handed to script.
/// <para>A request goes in as</para>
/// <code>
/// {"method": "POST", "path": "/a/b", "query": "?x=1",        // query: the raw query string, "" or starting with "?"
///  "headers": [["Content-Type", "application/json"], ...],    // in arrival order, repeats kept
///  "body": "...", "encoding": "utf8" | "base64",              // a body that is not UTF-8 travels as base64
///  "event": {...}?,                                           // the event the host prepared (a CloudEvent or {data, context})
///  "state": {...}?}                                           // state the host keeps for the function (a workspace's cache)
/// </code>
/// <para>and a result comes back as</para>
/// <code>
/// {"response": {"status": 200, "headers": [[name, value], ...], "body": "...", "encoding": "utf8" | "base64"},
///  "logs": [{"level": "log" | "info" | "warn" | "error" | "debug", "message": "...", "time": unix ms}, ...],
///  "error": {"name": "TypeError", "message": "...", "stack": "..."?}?,   // what the function threw (the response says so)
///  "outcome": "bad-request" | "health" | "preflight" | "ignored" | "memory-limit"?,  // answered without the function's own result
///  "changes": "{...}"?}                                     // what the run changed in that state, as a JSON string
/// </code>
/// <para>Where a request and a result mean the same thing they use the same key (<c>headers</c>, <c>body</c>,
/// <c>encoding</c>). Timed-out invocations hand over their log lines alone, as the <c>logs</c> array (<see cref="ReadLogs"/>).</para>
/// </summary>
internal static class InvocationJson
{
    // Property names encoded once: the writer then copies them instead of validating and escaping them per request.
    private static readonly JsonEncodedText s_method = JsonEncodedText.Encode("method");
    private static readonly JsonEncodedText s_path = JsonEncodedText.Encode("path");
    private static readonly JsonEncodedText s_query = JsonEncodedText.Encode("query");
    private static readonly JsonEncodedText s_headers = JsonEncodedText.Encode("headers");
    private static readonly JsonEncodedText s_body = JsonEncodedText.Encode("body");
    private static readonly JsonEncodedText s_encoding = JsonEncodedText.Encode("encoding");
    private static readonly JsonEncodedText s_event = JsonEncodedText.Encode("event");
    private static readonly JsonEncodedText s_state = JsonEncodedText.Encode("state");
    private static readonly JsonEncodedText s_utf8 = JsonEncodedText.Encode("utf8");
    private static readonly JsonEncodedText s_base64 = JsonEncodedText.Encode("base64");

    /// <summary>Writes the request object the script reads (see the format above).</summary>
    /// <remarks>
    /// With a <paramref name="traceParent"/> (the span the invocation runs in), the request's own <c>traceparent</c> and
    /// <c>tracestate</c> headers are replaced by it: the function sees the trace it runs in, as a server behind a
    /// traced proxy does, never a malformed or foreign one.
    /// </remarks>
    public static string Write(InvocationRequest request, string? eventJson = null, string? stateJson = null, string? traceParent = null, string? traceState = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + request.Body.Length);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString(s_method, request.Method);
            writer.WriteString(s_path, request.Path);
            writer.WriteString(s_query, request.QueryString);
            writer.WriteStartArray(s_headers);
            foreach (var header in request.Headers)
            {
                if (traceParent is not null && IsTraceHeader(header.Name))
                {
                    continue;
                }

                writer.WriteStartArray();
                writer.WriteStringValue(header.Name);
                writer.WriteStringValue(header.Value);
                writer.WriteEndArray();
            }

            if (traceParent is not null)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(TraceContext.TraceParentHeader);
                writer.WriteStringValue(traceParent);
                writer.WriteEndArray();
                if (traceState is not null)
                {
                    writer.WriteStartArray();
                    writer.WriteStringValue(TraceContext.TraceStateHeader);
                    writer.WriteStringValue(traceState);
                    writer.WriteEndArray();
                }
            }

            writer.WriteEndArray();
            var body = request.Body.Span;
            if (Utf8.IsValid(body))
            {
                writer.WriteString(s_body, body);
                writer.WriteString(s_encoding, s_utf8);
            }
            else
            {
                writer.WriteBase64String(s_body, body);
                writer.WriteString(s_encoding, s_base64);
            }

            if (eventJson is not null)
            {
                // The event the host prepared (a CloudEvent or a legacy {data, context}), kept as written.
                writer.WritePropertyName(s_event);
                writer.WriteRawValue(eventJson, skipInputValidation: true);
            }

            if (stateJson is not null)
            {
                // State the host keeps for the function (a workspace's cache), handed in for this invocation.
                writer.WritePropertyName(s_state);
                writer.WriteRawValue(stateJson, skipInputValidation: true);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static bool IsTraceHeader(string name) =>
        name.Equals(TraceContext.TraceParentHeader, StringComparison.OrdinalIgnoreCase) || name.Equals(TraceContext.TraceStateHeader, StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads a result (see the format above): its response, log lines, error, outcome and state changes.</summary>
    // Hand-rolled over Utf8JsonReader: the result of every invocation passes here, and this reads it in a
    // single pass without the serializer's metadata (measured 2% of the hot path with JsonSerializer). The UTF-8 copy
    // is pooled: nothing read from it keeps a reference to it.
    public static ExecutionResult Read(string json)
    {
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetByteCount(json));
        try
        {
            return Read(rented.AsSpan(0, Encoding.UTF8.GetBytes(json, rented)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static ExecutionResult Read(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        int? status = null;
        var headers = ImmutableArray<HttpHeader>.Empty;
        ReadOnlyMemory<byte> body = ReadOnlyMemory<byte>.Empty;
        var logs = ImmutableArray<LogLine>.Empty;
        string? error = null;
        string? outcome = null;
        string? changes = null;
        Expect(ref reader, JsonTokenType.StartObject);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("response"u8))
            {
                (status, headers, body) = ReadResponse(ref reader);
            }
            else if (reader.ValueTextEquals("logs"u8))
            {
                logs = ReadLogLines(ref reader);
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                error = ReadError(ref reader);
            }
            else if (reader.ValueTextEquals("outcome"u8))
            {
                Next(ref reader);
                outcome = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("changes"u8))
            {
                Next(ref reader);
                changes = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }

        return new ExecutionResult
        {
            StatusCode = status ?? throw new InvalidOperationException("The isolate returned no response."),
            Headers = headers,
            Body = body,
            Outcome = outcome switch
            {
                "bad-request" => InvocationOutcomes.BadRequest,
                "health" or "preflight" or "ignored" => InvocationOutcomes.Runtime,
                _ when error is not null => InvocationOutcomes.Error,
                _ => InvocationOutcomes.Ok,
            },
            Error = error,
            Logs = logs,
            StateChanges = changes,
        };
    }

    private static (int Status, ImmutableArray<HttpHeader> Headers, ReadOnlyMemory<byte> Body) ReadResponse(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        var status = 0;
        var headers = ImmutableArray.CreateBuilder<HttpHeader>();

        // The body's UTF-8 bytes, read where they lie (or unescaped into a pooled buffer): copied once, into the body
        // itself, when the encoding is known (it may come after the body).
        ReadOnlySpan<byte> text = default;
        byte[]? unescaped = null;
        var base64 = false;
        try
        {
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("status"u8))
                {
                    Next(ref reader);
                    status = reader.GetInt32();
                }
                else if (reader.ValueTextEquals("headers"u8))
                {
                    Expect(ref reader, JsonTokenType.StartArray);
                    while (Next(ref reader) == JsonTokenType.StartArray)
                    {
                        Next(ref reader);
                        var name = reader.GetString()!;
                        Next(ref reader);
                        headers.Add(new HttpHeader(name, reader.GetString()!));
                        Expect(ref reader, JsonTokenType.EndArray);
                    }
                }
                else if (reader.ValueTextEquals("body"u8))
                {
                    Next(ref reader);
                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        text = default;
                    }
                    else if (reader.TokenType != JsonTokenType.String)
                    {
                        throw new InvalidOperationException($"The isolate returned malformed JSON: the body is a {reader.TokenType}.");
                    }
                    else if (!reader.ValueIsEscaped)
                    {
                        text = reader.ValueSpan;
                    }
                    else
                    {
                        // Escaped (a JSON body's quotes, control characters): unescaped is never longer.
                        if (unescaped is not null)
                        {
                            ArrayPool<byte>.Shared.Return(unescaped);
                        }

                        unescaped = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
                        text = unescaped.AsSpan(0, reader.CopyString(unescaped));
                    }
                }
                else if (reader.ValueTextEquals("encoding"u8))
                {
                    Next(ref reader);
                    base64 = reader.ValueTextEquals("base64"u8);
                }
                else
                {
                    Next(ref reader);
                    reader.Skip();
                }
            }

            var body = text.IsEmpty ? ReadOnlyMemory<byte>.Empty : base64 ? FromBase64(text) : text.ToArray();
            return (status, headers.DrainToImmutable(), body);
        }
        finally
        {
            if (unescaped is not null)
            {
                ArrayPool<byte>.Shared.Return(unescaped);
            }
        }
    }

    // Decodes into an array of the exact length (the scripts write base64 without line breaks).
    private static byte[] FromBase64(ReadOnlySpan<byte> utf8)
    {
        var padding = utf8.EndsWith("=="u8) ? 2 : utf8.EndsWith("="u8) ? 1 : 0;
        if (utf8.Length % 4 == 0)
        {
            var bytes = new byte[(utf8.Length / 4 * 3) - padding];
            if (Base64.DecodeFromUtf8(utf8, bytes, out _, out var written) == OperationStatus.Done && written == bytes.Length)
            {
                return bytes;
            }
        }

        throw new FormatException("The isolate returned a body that is not valid base64.");
    }

    private static ImmutableArray<LogLine> ReadLogLines(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartArray);
        var lines = ImmutableArray.CreateBuilder<LogLine>();
        while (Next(ref reader) == JsonTokenType.StartObject)
        {
            string level = "log", message = "";
            double time = 0;
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("level"u8))
                {
                    Next(ref reader);
                    level = reader.GetString()!;
                }
                else if (reader.ValueTextEquals("message"u8))
                {
                    Next(ref reader);
                    message = reader.GetString()!;
                }
                else if (reader.ValueTextEquals("time"u8))
                {
                    Next(ref reader);
                    time = reader.GetDouble();
                }
                else
                {
                    Next(ref reader);
                    reader.Skip();
                }
            }

            lines.Add(new LogLine(level, message, DateTimeOffset.FromUnixTimeMilliseconds((long)time)));
        }

        return lines.DrainToImmutable();
    }

    private static string ReadError(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        string? name = null;
        var message = "";
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                Next(ref reader);
                name = reader.GetString();
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                Next(ref reader);
                message = reader.GetString() ?? "";
            }
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }

        return name is null or "" ? message : $"{name}: {message}";
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new InvalidOperationException("The isolate returned truncated JSON.");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token)
    {
        if (Next(ref reader) != token)
        {
            throw new InvalidOperationException($"The isolate returned malformed JSON: expected {token}, found {reader.TokenType}.");
        }
    }

    /// <summary>Reads a bare <c>logs</c> array: the lines a timed-out invocation handed over.</summary>
    public static ImmutableArray<LogLine> ReadLogs(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        return ReadLogLines(ref reader);
    }
}
