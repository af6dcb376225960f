using System.ComponentModel.DataAnnotations;

namespace Granary.Workspaces;

/// <summary>
/// How workspaces run their Custom Code snippets (configuration section <c>Granary:Workspaces</c>). The defaults
/// are the Custom Code service's: <c>FUNCTIONS_RUN_TIMEOUT</c>, <c>NODE_WORKER_MAX_OLD_GENERATION_SIZE_MB</c> and
/// <c>INACTIVE_NODE_WORKER_DELETION_TIMEOUT</c> set the first three.
/// </summary>
public sealed class WorkspaceOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Granary:Workspaces";

    /// <summary>Gets or sets how long one snippet run may take, in ms (rounded up to whole seconds).</summary>
    [Range(1, 3_600_000)]
    public int RunTimeoutMs { get; set; } = 20_000;

    /// <summary>Gets or sets how long one Python snippet run may take, in ms; unset means <see cref="RunTimeoutMs"/>.</summary>
    [Range(1, 3_600_000)]
    public int? PythonRunTimeoutMs { get; set; }

    /// <summary>Gets or sets the V8 heap limit of the isolates that run a workspace's snippets, in MiB.</summary>
    [Range(16, 65536)]
    public int MemoryLimitMb { get; set; } = 100;

    /// <summary>Gets or sets how long a workspace's snippets stay loaded without runs, in seconds.</summary>
    [Range(1, 31 * 86400)]
    public int IdleTimeoutSeconds { get; set; } = 3600;

    /// <summary>Gets or sets how many runs of one workspace's snippets may execute at once on one silo.</summary>
    [Range(1, 10000)]
    public int MaxConcurrency { get; set; } = 10;

    /// <summary>Gets or sets the largest a workspace's <c>cache</c> may grow, in bytes of JSON.</summary>
    [Range(1024, 1L << 30)]
    public long MaxCacheBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Gets or sets how long cache changes may wait before they are written to storage, in ms; they are always
    /// written when the workspace deactivates or the silo stops. 0 writes after every change.
    /// </summary>
    [Range(0, 60_000)]
    public int CacheFlushDelayMs { get; set; } = 100;
}
