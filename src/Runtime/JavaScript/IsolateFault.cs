namespace Granary.Runtime.JavaScript;

/// <summary>Why an isolate can no longer be used.</summary>
public enum IsolateFault
{
    /// <summary>The isolate is healthy.</summary>
    None,

    /// <summary>The heap outgrew the function's memory limit; V8 refuses further work in it.</summary>
    MemoryLimit,

    /// <summary>Script was interrupted by the host (a timeout).</summary>
    Interrupted,

    /// <summary>The isolate was disposed.</summary>
    Disposed,

    /// <summary>
    /// The V8 runtime the isolate shares with other functions of its tenant can no longer run it: a neighbour broke the
    /// runtime's heap limit, or held it with a long run when an invocation was due.
    /// </summary>
    Unavailable,
}
