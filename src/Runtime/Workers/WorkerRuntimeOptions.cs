using System.ComponentModel.DataAnnotations;
using Granary.Runtime.Egress;
using Granary.Runtime.Python;

namespace Granary.Runtime.Workers;

/// <summary>
/// How the silo runs functions in worker processes: Python's workers read these settings from <c>Granary:Python</c>
/// (<see cref="PythonLauncher.ConfigurationSection"/>), JavaScript's process mode the same keys from
/// <c>Granary:NodeProcess</c> (<see cref="NodeProcess.NodeLauncher.ConfigurationSection"/>).
/// </summary>
public sealed class WorkerRuntimeOptions : IValidatableObject
{
    /// <summary>
    /// The configuration section of Python's workers, where these options are bound first; process-mode JavaScript
    /// binds the same keys from <see cref="NodeSectionName"/>.
    /// </summary>
    public const string SectionName = PythonLauncher.ConfigurationSection;

    /// <summary>The configuration section of process-mode JavaScript's Node.js workers (the same keys).</summary>
    public const string NodeSectionName = NodeProcess.NodeLauncher.ConfigurationSection;

    /// <summary>The <see cref="Isolation"/> value that runs every worker in a sandbox (the default).</summary>
    public const string SandboxIsolation = "sandbox";

    /// <summary>The <see cref="Isolation"/> value that runs workers without a sandbox (single-tenant hosts only).</summary>
    public const string NoIsolation = "none";

    /// <summary>Gets or sets the program that runs the workers (Debian's <c>python3</c> by default; <c>node</c> for process mode).</summary>
    [Required]
    public string Interpreter { get; set; } = "/usr/bin/python3";

    /// <summary>
    /// Gets or sets how many blank workers (interpreter started, runtime imported, no function yet) the silo keeps
    /// ready, so that a cold start only loads the function's code.
    /// </summary>
    [Range(0, 64)]
    public int WarmWorkers { get; set; } = 2;

    /// <summary>
    /// Gets or sets the most blank workers the pool keeps ready after bursts of cold starts: its target is the most cold
    /// starts (workers taken) in any one second of the last minute together with the second before it, at least <see cref="WarmWorkers"/> and at most this.
    /// Workers beyond the target are stopped once a minute passes without a cold start.
    /// </summary>
    [Range(0, 256)]
    public int MaxWarmWorkers { get; set; } = 8;

    /// <summary>
    /// Gets or sets how long a queued invocation waits for a busy worker before a new worker is started for it (up to the
    /// function's <c>maxConcurrency</c>), in ms. Past the machine's core count a new worker starts only while the
    /// function's calls wait (sleeps, I/O) rather than compute: computing workers beyond the cores only take turns.
    /// </summary>
    [Range(0, 10000)]
    public int ScaleUpDelayMs { get; set; } = 2;

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
    /// Gets or sets where Kyma functions' <c>emitCloudEvent</c> posts (Kyma's eventing publisher proxy, an
    /// <c>http://</c> or <c>https://</c> URL). Only the operator sets it: a function's env
    /// (<c>PUBLISHER_PROXY_ADDRESS</c>) and secrets cannot redirect it. A sandboxed worker's egress proxy lets exactly
    /// this host and port through, whatever the egress policy says.
    /// </summary>
    public string? PublisherProxyAddress { get; set; }

    /// <summary>
    /// Gets or sets the user whose identity workers take when the silo runs as root and <see cref="Isolation"/> is
    /// <c>none</c> (<c>nobody</c> by default), so that a function cannot read what only the silo may: its
    /// environment, its data directory. Empty keeps the silo's own user. Ignored when the silo is not root, and when
    /// workers are sandboxed (they take their tenant's uid from <see cref="UidRangeStart"/>).
    /// </summary>
    public string? WorkerUser { get; set; } = "nobody";

    /// <summary>
    /// Gets or sets whether functions' log lines are also written to this process's stdout (log, info, debug) and
    /// stderr (warn, error), as single-function mode does for JavaScript.
    /// </summary>
    public bool EchoConsole { get; set; }

    /// <summary>
    /// Gets or sets the nice value (0–19) of worker processes and what they start. Workers run every invocation of
    /// their language, so this keeps a tenant whose functions compute for long from taking the CPU from the threads that serve
    /// other tenants' requests, as JavaScript isolates' threads are (<c>Granary:JavaScript:IsolateThreadNice</c>).
    /// Default 10; 0 turns it off.
    /// </summary>
    [Range(0, 19)]
    public int WorkerNice { get; set; } = 10;

    /// <summary>
    /// Gets or sets the slice, in ms of CPU time, after which an invocation's interpreter process is a long runner (looked at
    /// once a slice, from the end of its first): every process of its sandbox moves to an idle cpu group (cgroup v1: a
    /// <c>long</c> group marked <c>cpu.idle</c> inside the workers' cpu group; cgroup v2: <c>cpu.idle</c> of the worker's
    /// own group) until the invocation ends, and the function's next invocation starts there, as JavaScript's long runners do
    /// (<c>Granary:JavaScript:ScriptSliceMs</c>). Default 50; 0 turns it off. Needs the cpu controller.
    /// </summary>
    [Range(0, 60000)]
    public int LongRunnerSliceMs { get; set; } = 50;

    /// <summary>
    /// Gets or sets how workers are isolated: <c>sandbox</c> (default) runs each worker in a bubblewrap sandbox (its
    /// own network, PID, IPC and mount namespaces, a uid of its tenant's own, cgroup memory and process limits, no
    /// network but Granary's egress proxy); <c>none</c> runs workers as plain processes of <see cref="WorkerUser"/>,
    /// for single-tenant hosts only. With <c>sandbox</c>, a machine that cannot isolate (no bubblewrap, no
    /// namespaces) refuses to start the language's functions and says why.
    /// </summary>
    [Required]
    public string Isolation { get; set; } = SandboxIsolation;

    /// <summary>Gets or sets the bubblewrap program that builds the sandbox (<c>apt-get install -y bubblewrap</c>).</summary>
    [Required]
    public string Bubblewrap { get; set; } = "/usr/bin/bwrap";

    /// <summary>
    /// Gets or sets the first uid of the range sandboxed workers run as: a tenant's workers take
    /// <c>UidRangeStart + hash(tenant) mod UidRangeSize</c> (probing on, so that two tenants never share a uid in
    /// one silo). The uids need no <c>/etc/passwd</c> entries; the range must not overlap the host's own users.
    /// Used when the silo runs as root; a silo that is not root (the rootless sandbox) runs every worker as one fixed
    /// uid in a user namespace of its own, and tenants are apart by namespaces.
    /// </summary>
    [Range(65536, int.MaxValue)]
    public int UidRangeStart { get; set; } = 1_000_000_000;

    /// <summary>Gets or sets how many uids the range of <see cref="UidRangeStart"/> holds.</summary>
    [Range(16, 1_000_000_000)]
    public int UidRangeSize { get; set; } = 1_000_000;

    /// <summary>
    /// Gets or sets how many processes (threads included) one sandboxed worker and everything it starts may have at
    /// once (the cgroup's <c>pids.max</c>).
    /// </summary>
    [Range(4, 4096)]
    public int MaxProcesses { get; set; } = 64;

    /// <summary>Gets or sets the largest file a sandboxed function may write, in MiB (<c>RLIMIT_FSIZE</c>).</summary>
    [Range(1, 65536)]
    public int MaxFileSizeMb { get; set; } = 64;

    /// <summary>
    /// Gets or sets the size of a sandboxed function's own directory (its working directory, a private tmpfs), in
    /// MiB. What it holds counts against the function's memory too.
    /// </summary>
    [Range(1, 65536)]
    public int DirectoryQuotaMb { get; set; } = 64;

    /// <summary>Gets or sets the size of a sandboxed function's private <c>/tmp</c> (and <c>/dev/shm</c>), in MiB.</summary>
    [Range(1, 65536)]
    public int TmpQuotaMb { get; set; } = 64;

    /// <summary>
    /// Gets or sets the memory a sandboxed worker's cgroup may use beyond its function's <c>memoryLimitMb</c> and
    /// <see cref="MaxMemoryOverheadMb"/>, in MiB: the interpreter itself (about 15 MiB resident) and page cache.
    /// </summary>
    [Range(8, 4096)]
    public int CgroupBaseMb { get; set; } = 48;

    /// <summary>
    /// Gets or sets the CPU weight of all of the silo's sandboxed workers of the language together, in cgroup v2 units (1–10000;
    /// an ordinary process group is 100; on cgroup v1 it becomes <c>cpu.shares</c> of weight × 1024 / 100). At the default
    /// of 100, however many workers spin, together they weigh what one busy thread of the gateway or the silo weighs,
    /// and take all idle CPU otherwise; lower values protect the host further but starve functions on a busy machine
    /// (10 made 1 s functions time out before their first line under the test suite's load). Needs the cpu controller;
    /// without it the workers' nice value (<see cref="WorkerNice"/>) still applies.
    /// </summary>
    [Range(1, 10000)]
    public int WorkersCpuWeight { get; set; } = 100;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.Equals(Isolation, SandboxIsolation, StringComparison.Ordinal) && !string.Equals(Isolation, NoIsolation, StringComparison.Ordinal))
        {
            yield return new ValidationResult($"'{Isolation}' is not an isolation mode: use '{SandboxIsolation}' (default) or '{NoIsolation}' (single-tenant hosts only).", [nameof(Isolation)]);
        }

        if (!string.IsNullOrWhiteSpace(PublisherProxyAddress) && PublisherAddress.Problem(PublisherProxyAddress) is { } publisher)
        {
            yield return new ValidationResult(publisher, [nameof(PublisherProxyAddress)]);
        }

        if ((long)UidRangeStart + UidRangeSize > int.MaxValue)
        {
            yield return new ValidationResult($"UidRangeStart + UidRangeSize ({(long)UidRangeStart + UidRangeSize}) must stay below 2^31.", [nameof(UidRangeSize)]);
        }
    }

    /// <summary>
    /// Gets or sets whether the sandbox takes its rootless form (an unprivileged user namespace, one fixed uid inside)
    /// even when the silo is root: a seam for tests, which run as root. A silo that is not root always takes it.
    /// </summary>
    internal bool RootlessEvenAsRoot { get; set; }

    /// <summary>Gets whether workers run sandboxed.</summary>
    internal bool Sandboxed => string.Equals(Isolation, SandboxIsolation, StringComparison.Ordinal);
}
