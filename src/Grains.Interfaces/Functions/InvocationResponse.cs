using System.Collections.Immutable;

namespace Granary.Functions;

/// <summary>The HTTP response a function produced, or the error Granary answered for it.</summary>
/// <param name="StatusCode">The HTTP status code.</param>
/// <param name="Headers">The response headers.</param>
/// <param name="Body">The response body.</param>
/// <param name="InvocationId">The id of the invocation record, also sent as <c>X-Granary-Invocation-Id</c>.</param>
/// <param name="ShardSet">
/// The version of the function's set of live instances as the answering instance knows it (0: never more than one).
/// A caller that routes among instances (<see cref="FunctionRouter"/>) reads the set again when this changes.
/// </param>
/// <param name="Busy">Whether the answering instance was full when it answered: a call sent to it now would queue.</param>
[GenerateSerializer, Immutable, Alias("granary.InvocationResponse")]
public sealed record InvocationResponse(
    [property: Id(0)] int StatusCode,
    [property: Id(1)] ImmutableArray<HttpHeader> Headers,
    [property: Id(2)] ReadOnlyMemory<byte> Body,
    [property: Id(3)] string InvocationId,
    [property: Id(4)] int ShardSet = 0,
    [property: Id(5)] bool Busy = false)
{
    /// <summary>Gets the body decoded as UTF-8.</summary>
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body.Span);

    /// <summary>Gets the first value of a header, matched case-insensitively.</summary>
    public string? GetHeader(string name) => HttpHeader.Find(Headers, name);
}
