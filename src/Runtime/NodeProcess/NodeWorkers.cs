using Granary.Runtime.Egress;
using Granary.Runtime.Packages;
using Granary.Runtime.Workers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.NodeProcess;

/// <summary>
/// The silo's Node.js worker pool for JavaScript's process mode, made on first use: a silo whose functions all run in
/// isolates starts no Node.js process. Its settings are <see cref="WorkerRuntimeOptions"/> read from
/// <c>Granary:NodeProcess</c> (the worker settings every language shares), with <c>/usr/bin/node</c> as the program.
/// </summary>
public sealed class NodeWorkers : IAsyncDisposable
{
    private readonly Lazy<WorkerPool> _pool;

    /// <summary>Creates the holder; the pool starts when a process-mode function first needs it.</summary>
    public NodeWorkers(IOptionsMonitor<WorkerRuntimeOptions> options, ILogger<WorkerPool> logger, EgressPolicy egress, IOptions<NpmOptions> npm)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(npm);
        _pool = new Lazy<WorkerPool>(
            () => new WorkerPool(Options.Create(options.Get(NodeLauncher.ConfigurationSection)), logger, egress, new NodeLauncher(npm.Value.Directory)),
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Gets the pool, starting it (and its warm workers) on first use.</summary>
    public WorkerPool Pool => _pool.Value;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_pool.IsValueCreated)
        {
            await _pool.Value.DisposeAsync();
        }
    }
}
