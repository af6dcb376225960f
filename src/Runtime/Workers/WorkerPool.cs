using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Granary.Runtime.Egress;
using Granary.Runtime.Packages;
using Granary.Runtime.Python;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.Workers;

/// <summary>
/// The silo's supply of blank workers of one language (Python by default, Node.js for JavaScript's process mode; see
/// <see cref="WorkerLauncher"/>): processes started ahead of need, with the runtime and the adapters
/// imported, so that a cold start only loads the function's code. A worker leaves the pool for good: once it has
/// loaded a function it is never handed to another function, version or tenant, and it is discarded with them.
/// </summary>
public sealed partial class WorkerPool : IAsyncDisposable, IDisposable
{
    // The window of the cold-start rate (the target is the most rents in one second of the last minute), how many
    // workers start at once, and how long a burst's extra workers wait for another cold start.
    private const int RentWindowSeconds = 60;
    private static readonly int s_spawnConcurrency = Math.Clamp(Environment.ProcessorCount, 2, 8);
    private static readonly TimeSpan s_trimAfter = TimeSpan.FromMinutes(1);

    private readonly ConcurrentQueue<WorkerProcess> _ready = new();
    private readonly ConcurrentDictionary<WorkerProcess, byte> _live = new();
    private readonly WorkerRuntimeOptions _options;
    private readonly ILogger<WorkerPool> _logger;
    private readonly string _scriptsDirectory;
    private readonly string _workerScript;
    private readonly Action<WorkerProcess> _forget;
    private readonly CancellationTokenSource _stopping = new();
    private readonly WorkerSandbox? _sandbox;
    private readonly Exception? _unavailable;
    private readonly string? _packagesRoot;
    private readonly WorkerLauncher _launcher;
    // The pool's runtime, as its metrics' granary.runtime tag.
    private readonly KeyValuePair<string, object?> _runtimeTag;
    private readonly ConcurrentQueue<TaskCompletionSource<WorkerProcess>> _waiters = new();

    // How many workers were taken in each of the last RentWindowSeconds seconds (a ring of (second, count)), which sets
    // the pool's target, and when the last was; how many workers are starting for the pool now; and whether a trim of
    // a burst's extra ready workers is pending.
    private readonly (long Second, int Count)[] _rentSeconds = new (long, int)[RentWindowSeconds];
    private long _lastRent;
    private int _starting;
    private int _trimScheduled;
    private Exception? _refillError;
    private Task? _disposal;
    private volatile bool _disposed;

    /// <summary>
    /// Writes the worker scripts to a private directory, checks that workers can be sandboxed
    /// (the language's <c>Isolation</c> setting, <c>Granary:Python:Isolation</c> for Python), and starts filling the pool in the background.
    /// </summary>
    /// <param name="options">The runtime options.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="egress">The silo's egress policy, which sandboxed workers' proxies apply (the default policy when null).</param>
    /// <param name="launcher">The language of the workers (Python when null).</param>
    /// <param name="pip">The silo's pip installs, mounted read-only in every sandbox (functions with requirements cannot load without it).</param>
    public WorkerPool(IOptions<WorkerRuntimeOptions> options, ILogger<WorkerPool> logger, EgressPolicy? egress = null, WorkerLauncher? launcher = null, PipPackages? pip = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _packagesRoot = pip?.Root;
        _logger = logger;
        _launcher = launcher ?? PythonLauncher.Instance;
        _forget = worker => _live.TryRemove(worker, out _);
        _runtimeTag = new KeyValuePair<string, object?>(Telemetry.GranaryMetrics.RuntimeTag, _launcher.Language == "Python" ? "python" : "node");
        Telemetry.GranaryMetrics.Observe(this, "workers", static pool => [new System.Diagnostics.Metrics.Measurement<long>(pool.LiveCount, pool._runtimeTag)]);
        _scriptsDirectory = Directory.CreateTempSubdirectory(_launcher.DirectoryPrefix + "scripts-").FullName;
        _workerScript = Path.Combine(_scriptsDirectory, _launcher.WorkerScriptName);
        WriteScripts(_scriptsDirectory, _launcher);
        if (Path.IsPathFullyQualified(_options.Interpreter) && !File.Exists(_options.Interpreter))
        {
            // Said once, at start, in the operator's terms (not as a failed trial sandbox).
            _unavailable = new InvalidOperationException(
                $"{_launcher.Language} functions cannot run on this silo: {_options.Interpreter} ({_launcher.SectionName}:Interpreter) is not installed. Install it ({_launcher.InstallHint}) or point {_launcher.SectionName}:Interpreter at it.");
            LogNoSandbox(_launcher.Language, _unavailable.Message);
            return;
        }

        if (_options.Sandboxed)
        {
            try
            {
                // The sandbox mounts the scripts read-only: their bytecode is compiled here, once.
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(_scriptsDirectory, (UnixFileMode)0x1ED);
                }

                _launcher.PrepareScripts(_options.Interpreter, _scriptsDirectory);
                PreparePackagesRoot(_packagesRoot);
                _sandbox = WorkerSandbox.Create(_options, _scriptsDirectory, _packagesRoot, egress ?? EgressPolicy.Default, logger, _launcher);
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
            {
                _unavailable = ex is InvalidOperationException ? ex : new InvalidOperationException(ex.Message, ex);
                LogNoSandbox(_launcher.Language, ex.Message);
                return;
            }
        }

        Refill();
    }

    /// <summary>Gets whether workers run sandboxed and their sandbox has cgroups (memory and process limits over all of a worker's processes).</summary>
    public bool HasCgroups => _sandbox?.HasCgroups == true;

    /// <summary>Gets the language of the pool's workers.</summary>
    public WorkerLauncher Launcher => _launcher;

    /// <summary>Gets the runtime options the pool was made with.</summary>
    public WorkerRuntimeOptions Options => _options;

    /// <summary>Gets how many blank workers are ready.</summary>
    public int ReadyCount => _ready.Count;

    /// <summary>Gets how many worker processes the pool has started that are still alive (ready or rented).</summary>
    public int LiveCount => _live.Count;

    /// <summary>
    /// Gets the path a worker sees a pip set's packages at (its <see cref="PipPackages.SitePackages"/>), from the set's
    /// directory on the host; null for none. Fails when the set is not under the pip directory the pool mounts.
    /// </summary>
    public string? PackagesPath(string? setDirectory)
    {
        if (setDirectory is null)
        {
            return null;
        }

        if (_sandbox is null)
        {
            return Path.Combine(setDirectory, PipPackages.SitePackages);
        }

        var relative = _packagesRoot is null ? null : Path.GetRelativePath(_packagesRoot, setDirectory);
        if (relative is null || relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            throw new InvalidOperationException($"The pip set '{setDirectory}' is not under the directory the Python sandbox mounts ({_packagesRoot ?? "none"}).");
        }

        return WorkerSandbox.PackagesMount + "/" + relative.Replace('\\', '/') + "/" + PipPackages.SitePackages;
    }

    /// <summary>
    /// Gets how many blank workers the pool aims to keep ready now: the most cold starts (workers taken) in any one
    /// second of the last minute together with the second before it, at least <see cref="WorkerRuntimeOptions.WarmWorkers"/> and at most
    /// <see cref="WorkerRuntimeOptions.MaxWarmWorkers"/>.
    /// </summary>
    public int Target
    {
        get
        {
            var floor = _options.WarmWorkers;
            if (floor == 0)
            {
                return 0;
            }

            // A burst is counted with the second before it: the seconds are the clock's, and a burst that straddles a
            // second's end (six cold starts at once, under load) was counted as four.
            var now = Environment.TickCount64 / 1000;
            var most = 0;
            lock (_rentSeconds)
            {
                foreach (var (second, count) in _rentSeconds)
                {
                    if (count == 0 || second < 1 || now - second >= RentWindowSeconds)
                    {
                        continue;
                    }

                    var before = _rentSeconds[(second - 1) % RentWindowSeconds];
                    most = Math.Max(most, count + (before.Second == second - 1 ? before.Count : 0));
                }
            }

            return Math.Clamp(most, floor, Math.Max(floor, _options.MaxWarmWorkers));
        }
    }

    /// <summary>
    /// Takes a blank worker. When none is ready, the call waits for the next one the pool's refill starts (several
    /// start at once during a burst, and the target rises with it) rather than starting a private one on its path; only
    /// a pool that keeps no warm workers, or whose refill is failing, starts one for the call.
    /// </summary>
    public async Task<WorkerProcess> RentAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_unavailable is not null)
        {
            throw new InvalidOperationException(_unavailable.Message, _unavailable);
        }

        NoteRent();
        if (TryTakeReady(out var ready))
        {
            Refill();
            return ready;
        }

        if (_options.WarmWorkers == 0 || Volatile.Read(ref _refillError) is not null)
        {
            Refill();
            return await StartWorkerAsync(cancellationToken);
        }

        var waiter = new TaskCompletionSource<WorkerProcess>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Enqueue(waiter);
        Refill();

        // One may have become ready between the look above and the queueing.
        if (TryTakeReady(out ready))
        {
            if (waiter.TrySetCanceled(CancellationToken.None))
            {
                return ready;
            }

            // The refill handed this call one meanwhile: the other goes back.
            _ready.Enqueue(ready);
        }

        using var registration = cancellationToken.UnsafeRegister(static (state, token) => ((TaskCompletionSource<WorkerProcess>)state!).TrySetCanceled(token), waiter);
        try
        {
            return await waiter.Task;
        }
        catch (InvalidOperationException) when (!_disposed)
        {
            // The refill failed: this call tries a start of its own, which fails with its own reason or succeeds.
            return await StartWorkerAsync(cancellationToken);
        }
    }

    /// <summary>Waits until <see cref="WorkerRuntimeOptions.WarmWorkers"/> blank workers are ready (start-up and tests).</summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken = default)
    {
        if (_unavailable is not null)
        {
            throw new InvalidOperationException($"The {_launcher.Language} worker pool could not start its warm workers: " + _unavailable.Message, _unavailable);
        }

        Refill();
        while (_ready.Count < _options.WarmWorkers && !_disposed)
        {
            if (Volatile.Read(ref _starting) == 0 && Volatile.Read(ref _refillError) is { } error)
            {
                throw new InvalidOperationException($"The {_launcher.Language} worker pool could not start its warm workers: " + error.Message, error);
            }

            await Task.Delay(5, cancellationToken);
        }
    }

    /// <summary>Kills every worker the pool started, rented ones included, and removes the scripts directory.</summary>
    public ValueTask DisposeAsync()
    {
        Telemetry.GranaryMetrics.Forget(this, "workers");
        lock (_ready)
        {
            _disposal ??= DisposeCoreAsync();
        }

        return new ValueTask(_disposal);
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task DisposeCoreAsync()
    {
        _disposed = true;
        await _stopping.CancelAsync();
        FailWaiters(new ObjectDisposedException(nameof(WorkerPool)));
        while (_ready.TryDequeue(out _))
        {
            // Every worker is also in _live, disposed below.
        }

        await Task.WhenAll(_live.Keys.Select(worker =>
        {
            worker.Kill();
            return worker.DisposeAsync().AsTask();
        }));

        // A worker that was starting when the pool stopped is disposed by its start: wait for it, so that the
        // sandbox's cgroups are empty when they are removed.
        for (var waited = 0; Volatile.Read(ref _starting) != 0 && waited < 100; waited++)
        {
            await Task.Delay(50);
        }

        await Task.WhenAll(_live.Keys.Select(worker => worker.DisposeAsync().AsTask()));
        _stopping.Dispose();
        _sandbox?.Dispose();
        try
        {
            Directory.Delete(_scriptsDirectory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogCleanupFailed(_scriptsDirectory, ex);
        }
    }

    private async Task<WorkerProcess> StartWorkerAsync(CancellationToken cancellationToken)
    {
        var worker = await WorkerProcess.StartAsync(_options, _launcher, _workerScript, _logger, _forget, _sandbox, cancellationToken);
        _live.TryAdd(worker, 0);
        Telemetry.GranaryMetrics.PoolSpawns.Add(1, _runtimeTag);
        if (_disposed)
        {
            // The pool was disposed while this one started.
            await worker.DisposeAsync();
            throw new ObjectDisposedException(nameof(WorkerPool));
        }

        return worker;
    }

    // Starts workers until those ready and starting cover the target and the calls waiting, at most SpawnConcurrency at
    // once (each start is a process that imports the runtime: mostly CPU).
    private void Refill()
    {
        if (_disposed || _unavailable is not null || _options.WarmWorkers == 0)
        {
            return;
        }

        while (true)
        {
            var starting = Volatile.Read(ref _starting);
            var wanted = Target + _waiters.Count - _ready.Count;
            if (starting >= wanted || starting >= s_spawnConcurrency)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _starting, starting + 1, starting) == starting)
            {
                _ = StartForPoolAsync();
            }
        }
    }

    private async Task StartForPoolAsync()
    {
        var started = false;
        try
        {
            var worker = await StartWorkerAsync(_stopping.Token);
            Volatile.Write(ref _refillError, null);
            started = true;
            Deliver(worker);
        }
        catch (Exception ex) when (_disposed && ex is ObjectDisposedException or OperationCanceledException)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            Volatile.Write(ref _refillError, ex);
            LogRefillFailed(_launcher.Language, ex);
            FailWaiters(new InvalidOperationException($"The {_launcher.Language} worker pool could not start a worker: {ex.Message}", ex));
        }
        finally
        {
            Interlocked.Decrement(ref _starting);
        }

        if (started)
        {
            Refill();
        }
    }

    // A new worker goes to the oldest call still waiting, else to the ready queue.
    private void Deliver(WorkerProcess worker)
    {
        while (_waiters.TryDequeue(out var waiter))
        {
            if (waiter.TrySetResult(worker))
            {
                return;
            }
        }

        _ready.Enqueue(worker);
    }

    private void FailWaiters(Exception error)
    {
        while (_waiters.TryDequeue(out var waiter))
        {
            waiter.TrySetException(error);
        }
    }

    private bool TryTakeReady([NotNullWhen(true)] out WorkerProcess? worker)
    {
        while (_ready.TryDequeue(out worker))
        {
            if (worker.IsUsable)
            {
                return true;
            }

            worker.Dispose();
        }

        return false;
    }

    // Records a cold start's rent (the target follows their rate); a burst that raised the target past the floor gets
    // a trim a minute after its last rent (when the target is back at the floor), which stops the extra ready workers.
    private void NoteRent()
    {
        var now = Environment.TickCount64;
        var second = now / 1000;
        lock (_rentSeconds)
        {
            ref var slot = ref _rentSeconds[second % RentWindowSeconds];
            slot = slot.Second == second ? (second, slot.Count + 1) : (second, 1);
        }

        Volatile.Write(ref _lastRent, now);
        if (_options.MaxWarmWorkers > _options.WarmWorkers && Interlocked.CompareExchange(ref _trimScheduled, 1, 0) == 0)
        {
            _ = TrimLaterAsync();
        }
    }

    private async Task TrimLaterAsync()
    {
        try
        {
            while (!_disposed)
            {
                var idle = TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastRent));
                if (idle >= s_trimAfter)
                {
                    break;
                }

                await Task.Delay(s_trimAfter - idle, _stopping.Token);
            }

            while (!_disposed && _ready.Count > Target && _ready.TryDequeue(out var extra))
            {
                await extra.DisposeAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        finally
        {
            Volatile.Write(ref _trimScheduled, 0);
        }
    }

    private static void WriteScripts(string directory, WorkerLauncher launcher)
    {
        var assembly = typeof(WorkerPool).Assembly;
        var prefix = launcher.ScriptResourcePrefix;
        foreach (var name in assembly.GetManifestResourceNames())
        {
            string relative;
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                relative = name[prefix.Length..];
            }
            else if (!launcher.SharedScripts.TryGetValue(name, out relative!))
            {
                continue;
            }

            var path = Path.GetFullPath(Path.Combine(directory, relative.Replace('\\', '/')));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var resource = assembly.GetManifestResourceStream(name)!;
            // The directory is private (0700), so the files need no mode of their own.
            using var file = File.Create(path);
            resource.CopyTo(file);
        }
    }

    // The sets' parent exists before bubblewrap mounts it; tenants' uids may enter it but not list it.
    private static void PreparePackagesRoot(string? root)
    {
        if (root is null)
        {
            return;
        }

        Directory.CreateDirectory(root);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(root, (UnixFileMode)0x1C9);
        }
    }

    [LoggerMessage(EventId = 1314, Level = LogLevel.Error, Message = "{Language} workers cannot run on this silo: {Reason}")]
    private partial void LogNoSandbox(string language, string reason);

    [LoggerMessage(EventId = 1310, Level = LogLevel.Error, Message = "Could not start warm {Language} workers")]
    private partial void LogRefillFailed(string language, Exception exception);

    [LoggerMessage(EventId = 1311, Level = LogLevel.Warning, Message = "Could not remove the worker scripts directory {Directory}")]
    private partial void LogCleanupFailed(string directory, Exception exception);
}
