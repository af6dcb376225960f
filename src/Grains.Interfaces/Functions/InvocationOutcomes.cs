namespace Granary.Functions;

/// <summary>The outcomes an <see cref="InvocationRecord"/> can have.</summary>
public static class InvocationOutcomes
{
    /// <summary>The function answered (whatever status it chose).</summary>
    public const string Ok = "ok";

    /// <summary>The function threw or its promise was rejected.</summary>
    public const string Error = "error";

    /// <summary>The function ran past its timeout and was interrupted.</summary>
    public const string Timeout = "timeout";

    /// <summary>The function exceeded its memory limit; its isolate was discarded.</summary>
    public const string MemoryLimit = "memory-limit";

    /// <summary>The function could not be loaded.</summary>
    public const string LoadError = "load-error";

    /// <summary>
    /// The runtime answered without calling the function: a contract's own route (Kyma's /healthz, Kipper's
    /// /health), a CORS preflight, or /robots.txt and /favicon.ico of a Functions Framework http function.
    /// </summary>
    public const string Runtime = "runtime";

    /// <summary>The request was refused before the function ran (for example a malformed JSON body).</summary>
    public const string BadRequest = "bad-request";

    /// <summary>The function was busy and its queue full; the request was refused with 429.</summary>
    public const string Throttled = "throttled";

    /// <summary>
    /// The caller cancelled the invocation (its client disconnected, the gateway gave up on it): a queued call left the
    /// queue without running, a running one was interrupted as a timeout would interrupt it, and the host answered 499
    /// (Client Closed Request) on the function's behalf.
    /// </summary>
    public const string Cancelled = "cancelled";
}
