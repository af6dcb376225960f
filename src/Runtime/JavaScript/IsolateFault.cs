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
}
