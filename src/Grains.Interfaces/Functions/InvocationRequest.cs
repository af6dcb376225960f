using System.Collections.Immutable;

namespace Granary.Functions;

/// <summary>
/// One call of a function, shaped like the HTTP request that reaches it. Programmatic callers
/// build it directly; the gateway builds it from the request under <c>/fn/{tenant}/{workspace}/{name}</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.InvocationRequest")]
public sealed record InvocationRequest
{
    /// <summary>Gets the HTTP method.</summary>
    [Id(0)] public string Method { get; init; } = "POST";

    /// <summary>Gets the path below the function's URL, starting with <c>/</c>.</summary>
    [Id(1)] public string Path { get; init; } = "/";

    /// <summary>Gets the raw query string, including the leading <c>?</c>, or empty.</summary>
    [Id(2)] public string QueryString { get; init; } = "";

    /// <summary>Gets the request headers, in arrival order.</summary>
    [Id(3)] public ImmutableArray<HttpHeader> Headers { get; init; } = [];

    /// <summary>Gets the request body, unmodified.</summary>
    [Id(4)] public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>Creates a JSON request, the usual shape of a programmatic call.</summary>
    public static InvocationRequest Json(string json, string path = "/") => new()
    {
        Path = path,
        Headers = [new HttpHeader("content-type", "application/json")],
        Body = System.Text.Encoding.UTF8.GetBytes(json),
    };

    /// <summary>
    /// Gets an id the caller chose for this call, or null. While the call runs, <see cref="IFunctionGrain.IsRunningAsync"/>
    /// answers true for it: a gateway whose silo connection broke asks so as to tell a call that is still running
    /// from one that was lost with its silo.
    /// </summary>
    [Id(5)] public string? CallId { get; init; }

    /// <summary>
    /// Gets the W3C <c>traceparent</c> of the span that made this call (the gateway's), or null: the function grain
    /// continues that trace even when Orleans' own activity propagation made no span for the call (a trace that was not
    /// sampled). Set by the host, never from the request's headers.
    /// </summary>
    [Id(6)] public string? TraceParent { get; init; }

    /// <summary>Gets the W3C <c>tracestate</c> that goes with <see cref="TraceParent"/>, or null.</summary>
    [Id(7)] public string? TraceState { get; init; }
}
