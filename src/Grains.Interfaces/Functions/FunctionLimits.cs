using System.ComponentModel.DataAnnotations;

namespace Granary.Functions;

/// <summary>
/// The bounds every deployment and invocation is held to (configuration section <c>Granary:Limits</c>).
/// The gateway refuses what falls outside them and the grains enforce them again for programmatic callers.
/// </summary>
public sealed class FunctionLimits
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Granary:Limits";

    /// <summary>Gets or sets the largest request body an invocation may carry, in bytes (larger → 413).</summary>
    [Range(1, 1L << 30)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Gets or sets the largest function source, in bytes.</summary>
    [Range(1, 64 * 1024 * 1024)]
    public int MaxCodeBytes { get; set; } = 1024 * 1024;

    /// <summary>Gets or sets the largest <c>timeoutSeconds</c> a function may ask for.</summary>
    [Range(1, 3600)]
    public int MaxTimeoutSeconds { get; set; } = 900;

    /// <summary>Gets or sets the largest <c>memoryLimitMb</c> a function may ask for.</summary>
    [Range(16, 65536)]
    public int MaxMemoryLimitMb { get; set; } = 2048;

    /// <summary>Gets or sets the largest <c>maxConcurrency</c> a function may ask for.</summary>
    [Range(1, 10000)]
    public int MaxConcurrency { get; set; } = 100;

    /// <summary>Gets or sets the largest <c>maxInstances</c> a function may ask for.</summary>
    [Range(1, 1000)]
    public int MaxInstances { get; set; } = 100;

    /// <summary>Gets or sets the largest <c>idleTimeoutSeconds</c> a function may ask for.</summary>
    [Range(1, 31 * 86400)]
    public int MaxIdleTimeoutSeconds { get; set; } = 86400;

    /// <summary>Gets or sets how many invocations may wait for a busy function on one silo before 429.</summary>
    [Range(0, 100000)]
    public int MaxQueueLength { get; set; } = 100;

    /// <summary>
    /// Gets or sets how many function activations one silo keeps warm; when one more activates, the least
    /// recently used is deactivated (the Custom Code service's <c>FUNCTIONS_WORKERS_MAX_LRU</c>).
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxActiveFunctions { get; set; } = 500;

    /// <summary>
    /// Gets or sets the memory one silo's warm functions may take, in MiB: when their isolates and workers (V8 heaps
    /// measured after load plus each isolate's native overhead; an estimate per worker process) add up to more, the
    /// least recently used activations without calls in flight are deactivated until they fit, as
    /// <see cref="MaxActiveFunctions"/> does by count. 0 (the default) means half the memory available to the process:
    /// its cgroup's limit, else the machine's.
    /// </summary>
    [Range(0, 16 * 1024 * 1024)]
    public int WarmMemoryBudgetMb { get; set; }

    /// <summary>Gets <see cref="WarmMemoryBudgetMb"/> in bytes, with 0 resolved to half the memory available to the process.</summary>
    public long WarmMemoryBudgetBytes() =>
        WarmMemoryBudgetMb > 0 ? (long)WarmMemoryBudgetMb << 20 : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2;

    /// <summary>Gets or sets how many invocation records are kept per function.</summary>
    [Range(1, 10000)]
    public int InvocationHistorySize { get; set; } = 100;

    /// <summary>Gets or sets how many earlier versions of a function are kept.</summary>
    [Range(0, 1000)]
    public int VersionHistorySize { get; set; } = 10;
}
