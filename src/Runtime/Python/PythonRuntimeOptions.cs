using System.ComponentModel.DataAnnotations;

namespace Granary.Runtime.Python;

/// <summary>How the silo runs Python functions in worker processes (configuration section <c>Granary:Python</c>).</summary>
public sealed class PythonRuntimeOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Granary:Python";

    /// <summary>Gets or sets the CPython interpreter that runs the workers (Debian's by default).</summary>
    [Required]
    public string Interpreter { get; set; } = "/usr/bin/python3";

    /// <summary>
    /// Gets or sets how many blank workers (interpreter started, runtime imported, no function yet) the silo keeps
    /// ready, so that a cold start only loads the function's code.
    /// </summary>
    [Range(0, 64)]
    public int WarmWorkers { get; set; } = 2;

    /// <summary>Gets or sets how long a new worker may take to start and report ready, in seconds.</summary>
    [Range(1, 300)]
    public int StartTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Gets or sets the address space a worker may use beyond its function's <c>memoryLimitMb</c>, in MiB. The worker's
    /// limit (<c>RLIMIT_AS</c>) is the blank interpreter's own address space, measured when the function loads (about
    /// 25 MiB for Debian's Python 3.11 with the runtime imported), plus <c>memoryLimitMb</c>, plus this headroom for
    /// the interpreter's growth and a thread stack or two. With the default, a function limited to 128 MiB can
    /// allocate 128 MiB of data but not 144 MiB.
    /// </summary>
    [Range(0, 4096)]
    public int MaxMemoryOverheadMb { get; set; } = 16;

    /// <summary>
    /// Gets or sets the largest frame a worker may send (a result with its logs), in MiB. A worker that sends a
    /// larger one is treated as broken and replaced.
    /// </summary>
    [Range(1, 2047)]
    public int MaxFrameMb { get; set; } = 64;

    /// <summary>
    /// Gets or sets where Kyma functions' <c>emitCloudEvent</c> posts when the function's own env has no
    /// <c>PUBLISHER_PROXY_ADDRESS</c> (Kyma's eventing publisher proxy).
    /// </summary>
    public string? PublisherProxyAddress { get; set; }

    /// <summary>
    /// Gets or sets the user whose identity workers take when the silo runs as root (<c>nobody</c> by default), so
    /// that a Python function cannot read what only the silo may: its environment, its data directory, other
    /// workers. Empty keeps the silo's own user. Ignored when the silo is not root.
    /// </summary>
    public string? WorkerUser { get; set; } = "nobody";

    /// <summary>
    /// Gets or sets whether functions' log lines are also written to this process's stdout (log, info, debug) and
    /// stderr (warn, error), as single-function mode does for JavaScript.
    /// </summary>
    public bool EchoConsole { get; set; }

    /// <summary>
    /// Gets or sets the nice value (0–19) of worker processes and what they start. Workers run every Python invocation,
    /// so this keeps a tenant whose Python functions compute for long from taking the CPU from the threads that serve
    /// other tenants' requests, as JavaScript isolates' threads are (<c>Granary:JavaScript:IsolateThreadNice</c>).
    /// Default 10; 0 turns it off.
    /// </summary>
    [Range(0, 19)]
    public int WorkerNice { get; set; } = 10;
}
