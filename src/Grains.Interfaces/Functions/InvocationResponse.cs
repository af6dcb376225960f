using System.Collections.Immutable;

namespace Granary.Functions;

/// <summary>The HTTP response a function produced, or the error Granary answered for it.</summary>
/// <param name="StatusCode">The HTTP status code.</param>
/// <param name="Headers">The response headers.</param>
/// <param name="Body">The response body.</param>
/// <param name="InvocationId">The id of the invocation record, also sent as <c>X-Granary-Invocation-Id</c>.</param>
[GenerateSerializer, Immutable, Alias("granary.InvocationResponse")]
public sealed record InvocationResponse(
    [property: Id(0)] int StatusCode,
    [property: Id(1)] ImmutableArray<HttpHeader> Headers,
    [property: Id(2)] ReadOnlyMemory<byte> Body,
    [property: Id(3)] string InvocationId)
{
    /// <summary>Gets the body decoded as UTF-8.</summary>
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body.Span);

    /// <summary>Gets the first value of a header, matched case-insensitively.</summary>
    public string? GetHeader(string name) => HttpHeader.Find(Headers, name);
}
