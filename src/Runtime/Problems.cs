using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;
using Granary.Functions;

namespace Granary.Runtime;

/// <summary>RFC 9457 problem-details responses for the failures Granary answers on a function's behalf.</summary>
public static class Problems
{
    /// <summary>The media type of a problem-details body.</summary>
    public const string ContentType = "application/problem+json";

    private static readonly ImmutableArray<HttpHeader> s_headers = [new HttpHeader("Content-Type", ContentType)];

    /// <summary>Builds a problem-details body.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="slug">The short name of the problem type; the type URI is <c>urn:granary:problem:{slug}</c>.</param>
    /// <param name="title">A short, fixed summary of the problem type.</param>
    /// <param name="detail">What happened this time.</param>
    /// <param name="quota">The quota that refused the request, written as <c>quota</c> with its value as <c>limit</c>.</param>
    public static byte[] Body(int status, string slug, string title, string detail, (string Name, long Limit)? quota = null)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "urn:granary:problem:" + slug);
            writer.WriteString("title", title);
            writer.WriteNumber("status", status);
            writer.WriteString("detail", detail);
            if (quota is { } q)
            {
                writer.WriteString("quota", q.Name);
                writer.WriteNumber("limit", q.Limit);
            }

            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>Builds an execution result that answers with a problem-details body.</summary>
    public static ExecutionResult Result(int status, string slug, string title, string detail, string outcome, ImmutableArray<HttpHeader> extraHeaders = default, (string Name, long Limit)? quota = null) => new()
    {
        StatusCode = status,
        Headers = extraHeaders.IsDefaultOrEmpty ? s_headers : s_headers.AddRange(extraHeaders),
        Body = Body(status, slug, title, detail, quota),
        Outcome = outcome,
        Error = detail,
    };
}
