using System.Collections.Concurrent;
using Granary.Runtime.Egress;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.JavaScript;

/// <summary>
/// The silo's supply of blank isolates: created ahead of need (bootstrap already run) so that a cold
/// start only compiles and runs the function's own code. Isolates are grouped by memory limit because
/// V8 fixes the ArrayBuffer limit when an isolate is made. An isolate leaves the pool for good: once it
/// has run a function's code it is never handed to another function.
/// </summary>
public sealed partial class IsolatePool : IDisposable
{
    private static readonly TimeSpan s_unusedBucketLifetime = TimeSpan.FromMinutes(10);

    // How long an invocation waits for a V8 runtime it shares while a neighbour's run holds it, before it moves to a new
    // isolate (and the neighbour, if an invocation holds it, is retired): five of the scheduler's default slices.
    private static readonly TimeSpan s_longRun = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<int, Bucket> _buckets = new();

    // Per tenant and memory limit, the V8 runtime its next function joins (see SharedRuntime), while it has room.
    private readonly ConcurrentDictionary<(string Tenant, int MemoryLimitMb), SharedRuntime> _shared = new();
    private readonly JavaScriptRuntimeOptions _options;
    private readonly ILogger<IsolatePool> _logger;
    private readonly Timer _trimTimer;
    private volatile bool _disposed;

    /// <summary>
    /// Creates the pool and starts filling it for the default memory limit. Functions' <c>fetch</c> connects through
    /// <paramref name="egress"/> (<see cref="EgressPolicy.Default"/> when null: public addresses only).
    /// </summary>
    public IsolatePool(IOptions<JavaScriptRuntimeOptions> options, ILogger<IsolatePool> logger, EgressPolicy? egress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        Egress = egress ?? EgressPolicy.Default;
        _logger = logger;
        InlineRuns = new InlineRuns(_options.MaxInlineRuns > 0 ? _options.MaxInlineRuns : Environment.ProcessorCount);
        Scheduler = new ScriptScheduler(
            _options.MaxRunningScripts > 0 ? _options.MaxRunningScripts : Environment.ProcessorCount,
            _options.MaxRunningScriptsPerTenant > 0 ? _options.MaxRunningScriptsPerTenant : Math.Max(1, Environment.ProcessorCount / 2),
            TimeSpan.FromMilliseconds(_options.ScriptSliceMs),
            _options.LongRunnerNice,
            _options.IsolateThreadNice,
            _options.LongRunnerIdleClass,
            LongRunners(_options, logger),
            _options.LongRunnersSpareFirstCpu);
        Refill(GetBucket(_options.DefaultMemoryLimitMb, pinned: true));
        _trimTimer = new Timer(_ => Trim(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    // The idle cpu group for demoted long runners, when the setting asks for it and the machine offers it.
    private static LongRunnerGroup? LongRunners(JavaScriptRuntimeOptions options, ILogger logger)
    {
        if (!options.LongRunnerGroup || options.ScriptSliceMs == 0 || !OperatingSystem.IsLinux())
        {
            return null;
        }

        var group = LongRunnerGroup.Create(out var why);
        if (group is null)
        {
            LogNoLongRunnerGroup(logger, why);
        }

        return group;
    }

    [LoggerMessage(EventId = 1330, Level = LogLevel.Information, Message = "Long-running JavaScript runs use the SCHED_IDLE class instead of an idle cpu cgroup (Granary:JavaScript:LongRunnerGroup): {Reason}")]
    private static partial void LogNoLongRunnerGroup(ILogger logger, string reason);

    /// <summary>Gets the bound on invocations running inline on thread-pool threads, shared by every function of the silo.</summary>
    internal InlineRuns InlineRuns { get; }

    /// <summary>Gets the silo's bound on isolate threads running script at once, overall and per tenant.</summary>
    internal ScriptScheduler Scheduler { get; }

    /// <summary>Gets how many invocations run inline on thread-pool threads now, across the silo.</summary>
    public int InlineRunsNow => InlineRuns.Running;

    /// <summary>Gets the egress policy functions' outbound connections go through.</summary>
    public EgressPolicy Egress { get; }

    /// <summary>Gets the runtime options the pool was made with.</summary>
    public JavaScriptRuntimeOptions Options => _options;

    /// <summary>Gets how long a queued invocation waits for a busy isolate before it gets a new one.</summary>
    public TimeSpan ScaleUpDelay => TimeSpan.FromMilliseconds(_options.ScaleUpDelayMs);

    /// <summary>Gets how many blank isolates are ready for a memory limit.</summary>
    public int ReadyCount(int memoryLimitMb) => _buckets.TryGetValue(memoryLimitMb, out var bucket) ? bucket.Ready.Count : 0;

    /// <summary>
    /// Takes a blank isolate for a memory limit, making one now if none is ready; one made for a
    /// <paramref name="tenant"/> takes a slot of that tenant for its bootstrap.
    /// </summary>
    public Task<V8Isolate> RentAsync(int memoryLimitMb, string? tenant = null) => RentAsync(memoryLimitMb, tenant, null);

    /// <summary>
    /// Takes a blank isolate for a function (see <see cref="RentAsync(int, string?)"/>). A function whose last run was a
    /// long runner (<paramref name="history"/>) leaves the warm isolates to others and makes its own at long-runner
    /// priority: it would otherwise make the pool refill at ordinary priority each time its isolates time out.
    /// </summary>
    /// <remarks>
    /// With <paramref name="share"/> (a function's first instance), the isolate is a context on a V8 runtime shared with
    /// other functions of <paramref name="tenant"/> (see <see cref="JavaScriptRuntimeOptions.FunctionsPerRuntime"/>): it
    /// joins the tenant's open runtime, or takes a warm isolate whose runtime then opens to the tenant. A function whose
    /// history says it ran long or broke its memory limit on a shared runtime gets a runtime of its own.
    /// </remarks>
    internal async Task<V8Isolate> RentAsync(int memoryLimitMb, string? tenant, ScriptScheduler.RunHistory? history, bool share = false)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var settings = Settings(memoryLimitMb);
        if (history is { LastRunWasLong: true } or { OwnRuntime: true } && tenant is not null)
        {
            return await V8Isolate.StartAsync(settings, Scheduler, tenant, history);
        }

        share &= tenant is not null && _options.FunctionsPerRuntime > 1;
        if (share && _shared.TryGetValue((tenant!, memoryLimitMb), out var open))
        {
            if (open.TakeSpare(tenant!) is { } spare)
            {
                if (spare.IsUsable)
                {
                    MakeSpare(open);
                    return spare;
                }

                spare.Dispose();
            }

            if (open.TryJoin(tenant!))
            {
                var joined = await V8Isolate.StartAsync(settings, Scheduler, tenant, history, open);
                MakeSpare(open);
                return joined;
            }
        }

        var bucket = GetBucket(memoryLimitMb, pinned: false);
        bucket.LastUsed = Environment.TickCount64;
        while (bucket.Ready.TryDequeue(out var ready))
        {
            Refill(bucket);
            if (ready.IsUsable)
            {
                return share ? OpenTo(ready, tenant!) : ready;
            }

            ready.Dispose();
        }

        Refill(bucket);
        var made = await V8Isolate.StartAsync(settings, Scheduler, tenant, history, NewRuntime(settings));
        return share ? OpenTo(made, tenant!) : made;
    }

    // The isolate's runtime becomes the one the tenant's next functions of its memory limit join.
    private V8Isolate OpenTo(V8Isolate isolate, string tenant)
    {
        isolate.Runtime.Open(tenant);
        if (_shared.TryGetValue((tenant, isolate.Runtime.MemoryLimitMb), out var previous) && previous.TakeLeftoverSpare() is { } leftover)
        {
            leftover.Dispose();
        }

        _shared[(tenant, isolate.Runtime.MemoryLimitMb)] = isolate.Runtime;
        MakeSpare(isolate.Runtime);
        return isolate;
    }

    // Makes the runtime's next member ahead of need, as the warm isolates are, so that a function joining it only loads its
    // own code: a context made on the request's path cost a cold start several milliseconds more.
    private void MakeSpare(SharedRuntime runtime)
    {
        if (_disposed || _options.WarmIsolates == 0 || runtime.Tenant is not { } tenant || !runtime.TryJoin(tenant))
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                var spare = await V8Isolate.StartAsync(Settings(runtime.MemoryLimitMb), null, null, null, runtime);
                if (_disposed || !runtime.TryKeepSpare(spare))
                {
                    spare.Dispose();
                }
            }
            catch (Exception ex)
            {
                LogRefillFailed(runtime.MemoryLimitMb, ex);
            }
        });
    }

    private SharedRuntime NewRuntime(IsolateSettings settings) =>
        V8Isolate.NewRuntime(settings, _options.FunctionsPerRuntime, s_longRun);

    /// <summary>Waits until the warm isolates for a memory limit are made (start-up and tests).</summary>
    public async Task WarmUpAsync(int memoryLimitMb, CancellationToken cancellationToken = default)
    {
        var bucket = GetBucket(memoryLimitMb, pinned: false);
        Refill(bucket);
        while (bucket.Ready.Count < _options.WarmIsolates && !_disposed)
        {
            await Task.Delay(5, cancellationToken);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        _trimTimer.Dispose();
        Scheduler.Dispose();
        foreach (var bucket in _buckets.Values)
        {
            while (bucket.Ready.TryDequeue(out var isolate))
            {
                isolate.Dispose();
            }
        }

        foreach (var runtime in _shared.Values)
        {
            runtime.TakeLeftoverSpare()?.Dispose();
        }
    }

    private IsolateSettings Settings(int memoryLimitMb) =>
        new(memoryLimitMb, TimeSpan.FromMilliseconds(_options.HeapSampleIntervalMs), _options.IsolateThreadNice);

    private Bucket GetBucket(int memoryLimitMb, bool pinned)
    {
        var bucket = _buckets.GetOrAdd(memoryLimitMb, static m => new Bucket(m));
        bucket.Pinned |= pinned;
        return bucket;
    }

    private void Refill(Bucket bucket)
    {
        if (_disposed || _options.WarmIsolates == 0 || Interlocked.CompareExchange(ref bucket.Filling, 1, 0) != 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                while (!_disposed && bucket.Ready.Count < _options.WarmIsolates)
                {
                    var settings = Settings(bucket.MemoryLimitMb);
                    bucket.Ready.Enqueue(await V8Isolate.StartAsync(settings, null, null, null, NewRuntime(settings)));
                }
            }
            catch (Exception ex)
            {
                LogRefillFailed(bucket.MemoryLimitMb, ex);
            }
            finally
            {
                Volatile.Write(ref bucket.Filling, 0);
            }

            if (_disposed)
            {
                while (bucket.Ready.TryDequeue(out var isolate))
                {
                    isolate.Dispose();
                }
            }
        });
    }

    private void Trim()
    {
        foreach (var (key, runtime) in _shared)
        {
            if (runtime.IsClosed && _shared.TryRemove(KeyValuePair.Create(key, runtime)))
            {
                runtime.TakeLeftoverSpare()?.Dispose();
            }
        }

        var now = Environment.TickCount64;
        foreach (var bucket in _buckets.Values)
        {
            if (!bucket.Pinned && now - bucket.LastUsed > s_unusedBucketLifetime.TotalMilliseconds)
            {
                while (bucket.Ready.TryDequeue(out var isolate))
                {
                    isolate.Dispose();
                }

                _buckets.TryRemove(bucket.MemoryLimitMb, out _);
            }
        }
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Error, Message = "Could not make warm isolates for memory limit {MemoryLimitMb} MiB")]
    private partial void LogRefillFailed(int memoryLimitMb, Exception exception);

    private sealed class Bucket(int memoryLimitMb)
    {
        public readonly ConcurrentQueue<V8Isolate> Ready = new();
        public int Filling;

        public int MemoryLimitMb { get; } = memoryLimitMb;

        public bool Pinned { get; set; }

        public long LastUsed { get; set; } = Environment.TickCount64;
    }
}
