using System.Buffers;
using System.Diagnostics;

namespace Granary.Runtime.Telemetry;

/// <summary>
/// The W3C trace context (<c>traceparent</c>, <c>tracestate</c>) as Granary carries it: from the gateway's span into the
/// function grain (<c>InvocationRequest.TraceParent</c>), and from the span an invocation runs in to the function (its
/// request's <c>traceparent</c> header) and to its outbound requests.
/// </summary>
public static class TraceContext
{
    /// <summary>The W3C header that carries the trace id, the parent span id and the sampled flag.</summary>
    public const string TraceParentHeader = "traceparent";

    /// <summary>The W3C header that carries vendors' trace state.</summary>
    public const string TraceStateHeader = "tracestate";

    // "00-" + 32 hex + "-" + 16 hex + "-" + 2 hex.
    private const int TraceParentLength = 55;

    // The W3C limit on tracestate is 32 members of at most 256 characters each; a longer one is dropped, not cut.
    private const int MaxTraceStateLength = 512;

    private static readonly SearchValues<char> s_lowerHex = SearchValues.Create("0123456789abcdef");

    /// <summary>
    /// Parses a <c>traceparent</c> strictly (version 00, lower-case hex, neither id all zeros) as a remote parent; false
    /// for anything else, which is then ignored rather than passed on.
    /// </summary>
    public static bool TryParse(string? traceParent, string? traceState, out ActivityContext context)
    {
        context = default;
        if (!IsValidTraceParent(traceParent))
        {
            return false;
        }

        return ActivityContext.TryParse(traceParent, ValidTraceState(traceState), isRemote: true, out context);
    }

    /// <summary>Gets whether <paramref name="traceParent"/> is a well-formed version-00 <c>traceparent</c> with non-zero ids.</summary>
    public static bool IsValidTraceParent(string? traceParent)
    {
        if (traceParent is not { Length: TraceParentLength } || !traceParent.StartsWith("00-", StringComparison.Ordinal)
            || traceParent[35] != '-' || traceParent[52] != '-')
        {
            return false;
        }

        var span = traceParent.AsSpan();
        return IsLowerHex(span[3..35]) && IsLowerHex(span[36..52]) && IsLowerHex(span[53..])
            && span[3..35].ContainsAnyExcept('0') && span[36..52].ContainsAnyExcept('0');
    }

    /// <summary>Gets <paramref name="traceState"/> if it is short enough to pass on, else null.</summary>
    public static string? ValidTraceState(string? traceState) =>
        traceState is { Length: > 0 and <= MaxTraceStateLength } ? traceState : null;

    /// <summary>
    /// Gets the <c>traceparent</c> of <paramref name="context"/> (its span as the parent), or null when it is not valid.
    /// </summary>
    public static string? Format(in ActivityContext context) =>
        context.TraceId == default
            ? null
            : string.Create(TraceParentLength, context, static (chars, c) =>
            {
                "00-".CopyTo(chars);
                c.TraceId.ToHexString().CopyTo(chars[3..]);
                chars[35] = '-';
                c.SpanId.ToHexString().CopyTo(chars[36..]);
                chars[52] = '-';
                chars[53] = '0';
                chars[54] = (c.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? '1' : '0';
            });

    /// <summary>
    /// Gets the trace context the caller runs in now: the current span's <c>traceparent</c> and <c>tracestate</c>, or
    /// nulls when there is no span (tracing is off).
    /// </summary>
    public static (string? TraceParent, string? TraceState) Current() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity
            ? (activity.Id, ValidTraceState(activity.TraceStateString))
            : (null, null);

    private static bool IsLowerHex(ReadOnlySpan<char> chars) => !chars.ContainsAnyExcept(s_lowerHex);
}
