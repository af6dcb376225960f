namespace Granary.Runtime.Workers;

/// <summary>Why a worker process could not answer a load or an invocation.</summary>
public enum WorkerFault
{
    /// <summary>The worker process exited or was killed by a signal (a crash, <c>os._exit</c>, the OOM killer).</summary>
    Crashed,

    /// <summary>The invocation ran past its timeout; the worker process was killed.</summary>
    Timeout,

    /// <summary>The function ran out of its memory limit (<c>MemoryError</c> under the worker's <c>RLIMIT_AS</c>); the worker exits.</summary>
    MemoryLimit,

    /// <summary>The worker broke the framing protocol (an oversized or malformed frame); it was killed.</summary>
    Protocol,

    /// <summary>The worker was disposed while the call waited.</summary>
    Disposed,

    /// <summary>The invocation was interrupted by its caller (a cancelled call); the worker process was killed.</summary>
    Interrupted,
}
