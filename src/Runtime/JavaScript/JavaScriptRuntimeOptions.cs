using System.ComponentModel.DataAnnotations;
using Granary.Runtime.Egress;

namespace Granary.Runtime.JavaScript;

/// <summary>How the silo runs JavaScript (configuration section <c>Granary:JavaScript</c>).</summary>
public sealed class JavaScriptRuntimeOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Granary:JavaScript";

    /// <summary>
    /// Gets or sets how many blank isolates (bootstrap loaded, no function yet) the silo keeps ready per
    /// memory-limit size in use, so that a cold start only loads the function's code.
    /// </summary>
    [Range(0, 64)]
    public int WarmIsolates { get; set; } = 2;

    /// <summary>Gets or sets how often a running isolate's heap is checked against its memory limit, in ms.</summary>
    [Range(1, 1000)]
    public int HeapSampleIntervalMs { get; set; } = 10;

    /// <summary>
    /// Gets or sets how long an invocation waits for one of its function's busy isolates to come free before
    /// it gets a new isolate of its own (up to the function's <c>maxConcurrency</c>), in ms.
    /// </summary>
    [Range(0, 10000)]
    public int ScaleUpDelayMs { get; set; } = 2;

    /// <summary>
    /// Gets or sets the Node built-in modules functions may <c>require</c> (the Custom Code service's
    /// <c>NODE_BUILTIN_MODULES</c>); a module brings its subpaths (<c>stream</c> allows <c>stream/promises</c>). One
    /// Granary's isolate does not implement fails saying so, listed or not, and names process isolation; an
    /// implemented one off the list fails as not allowed. <c>fs</c> always loads (without a file system its calls
    /// fail). Comma-separated, as that service's variable is.
    /// </summary>
    public string AllowedBuiltinModules { get; set; } = "assert,buffer,crypto,dns,events,http,http2,https,module,net,os,path,process,punycode,querystring,stream,string_decoder,timers,tls,tty,url,util,zlib";

    /// <summary>Gets <see cref="AllowedBuiltinModules"/> as a list (names trimmed, a <c>node:</c> prefix removed).</summary>
    public IEnumerable<string> BuiltinModuleList() => (AllowedBuiltinModules ?? "")
        .Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(name => name.StartsWith("node:", StringComparison.Ordinal) ? name[5..] : name)
        .Distinct(StringComparer.Ordinal);

    /// <summary>Gets the limits of functions' <c>fetch</c> from the <c>Fetch*</c> settings.</summary>
    public FetchLimits ToFetchLimits() =>
        new(FetchMaxConcurrentRequests, FetchMaxResponseBytes, FetchMaxRequestBytes, TimeSpan.FromSeconds(FetchTimeoutSeconds));

    /// <summary>
    /// Gets or sets where Kyma functions' <c>emitCloudEvent</c> and <c>publishCloudEvent</c> post (Kyma's eventing
    /// publisher proxy, an absolute http or https URL). It is the platform's setting, never the function's: a
    /// <c>PUBLISHER_PROXY_ADDRESS</c> in a function's own env is ignored, and functions see this value under that
    /// name instead. The publisher is trusted as the operator's: its posts may reach it where the egress policy would
    /// refuse the function's own connections (an in-cluster address), and nothing else.
    /// </summary>
    public string? PublisherProxyAddress { get; set; }

    /// <summary>
    /// Gets or sets how many <c>fetch</c> requests one invocation may have in flight at once (from the request until
    /// its response body is read or dropped). Further calls fail with <c>TypeError: fetch failed</c>.
    /// </summary>
    [Range(1, 1024)]
    public int FetchMaxConcurrentRequests { get; set; } = 16;

    /// <summary>
    /// Gets or sets the largest response body one <c>fetch</c> may read, in bytes (after decompression); a larger
    /// one fails the fetch (when its Content-Length says so) or the body read.
    /// </summary>
    [Range(1024, 1L << 30)]
    public long FetchMaxResponseBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Gets or sets the largest request body one <c>fetch</c> may send, in bytes.</summary>
    [Range(0, 1L << 30)]
    public long FetchMaxRequestBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Gets or sets how long one <c>fetch</c> may take, response body included, in seconds. Never longer than the
    /// function's own timeout: a fetch still in flight when its invocation ends is aborted.
    /// </summary>
    [Range(1, 3600)]
    public int FetchTimeoutSeconds { get; set; } = 60;

    /// <summary>
    /// Gets or sets the directory that <c>require('fs')</c> is confined to. Unset (the default) means functions
    /// have no file system; single-function mode (<c>serve</c>) sets it to its working directory.
    /// </summary>
    public string? FileSystemRoot { get; set; }

    /// <summary>
    /// Gets or sets whether functions' console lines are also written to this process's stdout (log, info,
    /// debug) and stderr (warn, error), as the Functions Framework contract asks of single-function mode.
    /// </summary>
    public bool EchoConsole { get; set; }

    /// <summary>
    /// Gets or sets how many invocations may run inline on thread-pool threads at once on the silo; 0 (the default)
    /// means as many as the machine has cores. Others run on their isolates' own threads, so functions that spin can
    /// never hold the threads every other request needs.
    /// </summary>
    [Range(0, 1024)]
    public int MaxInlineRuns { get; set; }

    /// <summary>
    /// Gets or sets the nice value (0–19) of isolates' own threads, where functions that are not quick run (and every
    /// function until it has proved quick). Quick functions run inline at the process's own priority, as do the gateway
    /// and the silo; so a tenant whose functions compute for long cannot take the CPU from other tenants' requests.
    /// (A cold start's own work runs at the process's priority: making the isolate, loading the function's module and
    /// the isolate's first run after it, each bounded by <see cref="ScriptSliceMs"/> like any run.) Default 10; 0 turns
    /// it off. Only Linux applies it.
    /// </summary>
    [Range(0, 19)]
    public int IsolateThreadNice { get; set; } = 10;

    /// <summary>
    /// Gets or sets how many isolate threads may run script at once on the silo at the priority of ordinary work
    /// (loading, invocations that do not run inline, timer callbacks, promise jobs); others wait, blocked, for a slot.
    /// 0 (the default) means as many as the machine has cores. See <see cref="ScriptSliceMs"/> for long runners.
    /// </summary>
    [Range(0, 4096)]
    public int MaxRunningScripts { get; set; }

    /// <summary>
    /// Gets or sets how many isolate threads of one tenant may run script at once (as <see cref="MaxRunningScripts"/>);
    /// 0 (the default) means half the machine's cores, at least 1. A tenant's spinning functions then hold at most this
    /// many cores at ordinary priority, whatever their number.
    /// </summary>
    [Range(0, 4096)]
    public int MaxRunningScriptsPerTenant { get; set; }

    /// <summary>
    /// Gets or sets how long, in ms of its thread's CPU time, a run of script may run while it holds its slot before it
    /// counts as a long runner (a run waiting for a core on a busy machine is not one): its thread is
    /// demoted to <see cref="LongRunnerNice"/> and its slot goes to the next waiting run, until the run returns to its
    /// event loop. Default 50; 0 turns demotion off (a run holds its slot until it ends).
    /// </summary>
    [Range(0, 60000)]
    public int ScriptSliceMs { get; set; } = 50;

    /// <summary>
    /// Gets or sets the nice value (0–19) a long runner's thread is demoted to (see <see cref="ScriptSliceMs"/>).
    /// Default 19. Only Linux applies it. Restoring the thread's priority afterwards needs <c>CAP_SYS_NICE</c> or a
    /// <c>RLIMIT_NICE</c> of at least 20 minus <see cref="IsolateThreadNice"/>; without either, the isolate's event loop
    /// moves to a fresh thread when the long run ends (the isolate and its state are kept).
    /// </summary>
    [Range(0, 19)]
    public int LongRunnerNice { get; set; } = 19;

    /// <summary>
    /// Gets or sets whether a long runner's thread also moves to Linux's <c>SCHED_IDLE</c> class (see
    /// <see cref="ScriptSliceMs"/>), where any ordinary thread that wakes preempts it at once instead of waiting for the
    /// end of its time slice. Default true.
    /// </summary>
    public bool LongRunnerIdleClass { get; set; } = true;

    /// <summary>
    /// Gets or sets whether long runners' threads move into a cgroup v1 <c>cpu</c> group of their own marked
    /// <c>cpu.idle</c> (made under the process's cpu cgroup; needs write access there, as root has) instead of the
    /// <c>SCHED_IDLE</c> class: the kernel then schedules them as one idle entity, and a waking request thread takes
    /// the CPU at once. Default true; where the group cannot be made (cgroup v2, no permission) the silo says so at
    /// start and uses <see cref="LongRunnerIdleClass"/>.
    /// </summary>
    public bool LongRunnerGroup { get; set; } = true;

    /// <summary>
    /// Gets or sets whether long runners are kept off the first of the process's CPUs when it has two or more, so that
    /// one CPU is always free of them for requests. Default true.
    /// </summary>
    public bool LongRunnersSpareFirstCpu { get; set; } = true;

    /// <summary>
    /// Gets or sets how many functions of one tenant may share one V8 runtime, each in a V8 context of its own (own globals,
    /// own module state, own thread): a function on a shared runtime costs about 0.65 MiB against 2.2 MiB for a runtime of
    /// its own. Functions of different tenants never share. Only a function's first instance shares; a function whose run
    /// outlasted <see cref="ScriptSliceMs"/> or that broke its memory limit gets runtimes of its own from then on. The
    /// functions on one runtime run one at a time and share its heap limit (their memory limit). Default 1 (every instance
    /// a runtime of its own): sharing is opt-in until its neighbours' waits are proven under load; 8 is what was measured.
    /// </summary>
    [Range(1, 64)]
    public int FunctionsPerRuntime { get; set; } = 1;

    /// <summary>Gets or sets the memory limit whose warm isolates are made at start-up, in MiB.</summary>
    [Range(16, 65536)]
    public int DefaultMemoryLimitMb { get; set; } = 128;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(PublisherProxyAddress) && PublisherAddress.Problem(PublisherProxyAddress) is { } error)
        {
            yield return new ValidationResult(error, [nameof(PublisherProxyAddress)]);
        }
    }
}
