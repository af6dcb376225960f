using System.Diagnostics;
using System.Text.Json;
using Granary.Functions;
using Granary.Runtime.Execution;
using Granary.Runtime.Signatures;
using Granary.Runtime.Signatures.CustomCode;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Python;

/// <summary>
/// One version of a Python function on one silo: up to <see cref="FunctionSpec.MaxConcurrency"/> worker processes
/// that each run one invocation at a time, a bounded queue in front of them, and the timeout and memory rules.
/// Workers are rented from the <see cref="PythonWorkerPool"/> and loaded on demand, reused while healthy, and
/// discarded (never returned to the pool) when they time out, run out of memory, crash, or the version goes.
/// </summary>
/// <remarks>
/// An invocation that finds every worker busy is queued, and a new worker is started for it while there are fewer
/// than <c>maxConcurrency</c>. Whichever comes first serves it: a busy worker coming free, or the new one being
/// ready. The caller that frees a worker passes it the next queued invocation as a thread-pool work item.
/// </remarks>
public sealed partial class PythonFunction : IFunctionExecutor
{
    private readonly PythonWorkerPool _pool;
    private readonly string _name;
    private readonly string _metaJson;
    private readonly int _maxQueue;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    // Most recently used first: the hot workers stay warm and the ones at the end are trimmed.
    private readonly LinkedList<(PythonWorker Worker, long Since)> _idle = new();
    private readonly LinkedList<QueuedInvocation> _queue = new();
    private readonly FunctionMetrics _metrics = new();
    private readonly bool _echoConsole;
    private readonly ISnippetCache? _cache;
    private int _workers;

    // Whether the function's last invocation was a long runner (its next starts in the idle cpu group; see LongRunWatch).
    private volatile bool _lastRunWasLong;
    private int _starting;
    private int _inFlight;
    private bool _disposed;
    private string _signature;

    /// <summary>Creates the function; no worker is loaded until <see cref="WarmUpAsync"/> or the first invocation.</summary>
    /// <param name="definition">The version to run.</param>
    /// <param name="pool">The silo's worker pool.</param>
    /// <param name="limits">The silo's limits (queue length, body size).</param>
    /// <param name="logger">The logger.</param>
    /// <param name="cache">The workspace cache <c>cache.incr</c> calls go to (snippets), if any.</param>
    /// <param name="packagesRoot">Ignored: npm packages are for JavaScript functions.</param>
    public PythonFunction(FunctionDefinition definition, PythonWorkerPool pool, FunctionLimits limits, ILogger logger, ISnippetCache? cache = null, string? packagesRoot = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(limits);
        _ = packagesRoot;
        Definition = definition;
        _pool = pool;
        _name = definition.Id.Name;
        _metaJson = MetaJson(definition, limits, pool.Options);
        _maxQueue = limits.MaxQueueLength;
        _timeout = TimeSpan.FromSeconds(definition.Spec.TimeoutSeconds);
        _signature = definition.Spec.Signature;
        _echoConsole = pool.Options.EchoConsole;
        _logger = logger;
        _cache = cache;
    }

    /// <summary>Gets the version this instance runs.</summary>
    public FunctionDefinition Definition { get; }

    /// <summary>Gets whether the function's last invocation was a long runner.</summary>
    internal bool LastRunWasLong => _lastRunWasLong;

    /// <summary>Gets how many worker processes exist (loaded or loading).</summary>
    public int Instances => Volatile.Read(ref _workers);

    /// <summary>Gets how many invocations are running or queued.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Loads the code in a scratch worker and discards it: the deploy-time check that the code compiles (a syntax
    /// error comes back with its line and column), loads within the timeout and memory limit, and has the handler.
    /// </summary>
    public static async Task<CodeError?> ValidateAsync(FunctionDefinition definition, PythonWorkerPool pool, FunctionLimits limits)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(limits);
        var worker = await pool.RentAsync();
        try
        {
            return await worker.LoadAsync(definition.Spec.Code, MetaJson(definition, limits, pool.Options), definition.Spec.MemoryLimitMb, TimeSpan.FromSeconds(definition.Spec.TimeoutSeconds), definition.Id.Tenant);
        }
        finally
        {
            await worker.DisposeAsync();
        }
    }

    /// <summary>Loads the first worker so that the function is ready before its first request is served.</summary>
    public async Task<CodeError?> WarmUpAsync()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_workers > 0)
            {
                return null;
            }

            _workers++;
        }

        var (worker, error) = await CreateLoadedWorkerAsync();
        if (worker is null)
        {
            lock (_gate)
            {
                _workers--;
            }

            return error;
        }

        Park(worker, 0);
        return null;
    }

    /// <summary>
    /// Runs one invocation. Failures of the function (exception, timeout, memory, crash, load error, full queue) come
    /// back as results with the matching status and problem body; <see cref="ObjectDisposedException"/> means this
    /// version was replaced while the call waited, and the caller should retry on the new one.
    /// </summary>
    public async Task<ExecutionResult> InvokeAsync(InvocationRequest request, string? stateJson = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var arrived = Stopwatch.GetTimestamp();
        var (requestJson, answer) = await HostAnswers.PrepareAsync(SignatureRegistry.Get(Volatile.Read(ref _signature)), request, stateJson, _metrics, _name);
        if (requestJson is null)
        {
            return answer!;
        }

        PythonWorker? worker = null;
        QueuedInvocation? queued = null;
        var start = false;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            while (_idle.First is { } dead && !dead.Value.Worker.IsUsable)
            {
                // Ended while idle (killed from outside, the OOM killer): not this request's problem.
                _idle.RemoveFirst();
                _workers--;
                dead.Value.Worker.Dispose();
            }

            if (_idle.First is { } first)
            {
                _idle.RemoveFirst();
                worker = first.Value.Worker;
                _inFlight++;
            }
            else if (_workers == 0)
            {
                _workers++;
                _inFlight++;
            }
            else if (_inFlight >= Definition.Spec.MaxConcurrency + _maxQueue)
            {
                // Invocations beyond maxConcurrency queue; past the queue bound they are refused.
                return Throttled();
            }
            else
            {
                _inFlight++;
                queued = new QueuedInvocation(requestJson, arrived);
                queued.Node = _queue.AddLast(queued);

                // Every worker is busy: start one more for this invocation, unless enough are starting already.
                if (_workers < Definition.Spec.MaxConcurrency && _starting < _queue.Count)
                {
                    _workers++;
                    _starting++;
                    start = true;
                }
            }
        }

        if (queued is not null)
        {
            if (start)
            {
                _ = StartWorkerForQueueAsync();
            }

            return await WaitForTurnAsync(queued);
        }

        return worker is not null
            ? await RunAsync(worker, requestJson, arrived, cold: false, initMs: 0)
            : await RunOnNewWorkerAsync(requestJson, arrived);
    }

    /// <summary>
    /// Discards workers that have not been used for <paramref name="unusedFor"/>, keeping one: after a burst the
    /// function shrinks back without waiting for its idle timeout. Returns how many were discarded.
    /// </summary>
    public int TrimIdle(TimeSpan unusedFor)
    {
        var trimmed = 0;
        lock (_gate)
        {
            while (_idle.Count > 1 && _idle.Last is { } last && Stopwatch.GetElapsedTime(last.Value.Since) >= unusedFor)
            {
                _idle.RemoveLast();
                _workers--;
                last.Value.Worker.Dispose();
                trimmed++;
            }
        }

        return trimmed;
    }

    /// <summary>Ends idle workers now (their processes are gone when this completes); running ones end when their invocation does.</summary>
    public async ValueTask DisposeAsync()
    {
        List<QueuedInvocation> queued;
        List<PythonWorker> idle;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            idle = [.. _idle.Select(entry => entry.Worker)];
            _workers -= idle.Count;
            _idle.Clear();
            queued = [.. _queue];
            _queue.Clear();
            _inFlight -= queued.Count;
        }

        foreach (var waiting in queued)
        {
            waiting.Result.TrySetException(new ObjectDisposedException(nameof(PythonFunction)));
        }

        await Task.WhenAll(idle.Select(worker => worker.DisposeAsync().AsTask()));
    }

    private static string MetaJson(FunctionDefinition definition, FunctionLimits limits, PythonRuntimeOptions options)
    {
        // The JavaScript meta, with nothing of Node: no built-in module list, no file system, no npm packages.
        return JsonSerializer.Serialize(FunctionMeta.From(definition, limits, options.PublisherProxyAddress), ExecutionJsonContext.Default.FunctionMeta);
    }

    private async Task<ExecutionResult> WaitForTurnAsync(QueuedInvocation queued)
    {
        try
        {
            return await queued.Result.Task.WaitAsync(_timeout);
        }
        catch (TimeoutException)
        {
            lock (_gate)
            {
                if (queued.Node!.List is not null)
                {
                    // Never started: it waited a whole timeout for a worker.
                    _queue.Remove(queued.Node);
                    _inFlight--;
                    return Throttled();
                }
            }

            // Started at the last moment: it has its own run timeout.
            return await queued.Result.Task;
        }
    }

    // Runs an invocation on a worker this call holds, then frees the worker (which may pass it on).
    private async Task<ExecutionResult> RunAsync(PythonWorker worker, string requestJson, long arrived, bool cold, double initMs)
    {
        var running = Stopwatch.GetTimestamp();
        var waitMs = Stopwatch.GetElapsedTime(arrived, running).TotalMilliseconds - initMs;
        ExecutionResult result;
        try
        {
            try
            {
                result = InvocationJson.Read(await worker.InvokeAsync(requestJson, _timeout, _lastRunWasLong));
            }
            finally
            {
                _lastRunWasLong = worker.LastCallWasLong;
            }
        }
        catch (PythonWorkerException ex) when (ex.Fault == PythonWorkerFault.Timeout)
        {
            result = TimedOut() with { Logs = ex.Logs };
        }
        catch (PythonWorkerException ex) when (ex.Fault == PythonWorkerFault.MemoryLimit)
        {
            result = Problems.Result(500, "memory-limit-exceeded", "Memory limit exceeded", ex.Message, InvocationOutcomes.MemoryLimit) with { Logs = ex.Logs };
        }
        catch (PythonWorkerException ex) when (ex.Fault is PythonWorkerFault.Crashed or PythonWorkerFault.Protocol)
        {
            result = Problems.Result(500, "worker-crashed", "Worker crashed", ex.Message + " The next request gets a fresh worker.", InvocationOutcomes.Error) with { Logs = ex.Logs };
        }
        catch (Exception ex)
        {
            LogInvocationFailed(_name, ex);
            worker.Kill();
            result = Problems.Result(500, "function-failed", "Function failed", ex.Message, InvocationOutcomes.Error);
        }
        finally
        {
            Release(worker);
        }

        return HostAnswers.Finish(result, SignatureRegistry.Get(Volatile.Read(ref _signature)), _metrics, _echoConsole, cold, initMs, waitMs, Stopwatch.GetElapsedTime(running).TotalMilliseconds);
    }

    // Called with one worker slot already counted in _workers for this invocation.
    private async Task<ExecutionResult> RunOnNewWorkerAsync(string requestJson, long arrived)
    {
        var (worker, error) = await CreateLoadedWorkerAsync();
        var initMs = Stopwatch.GetElapsedTime(arrived).TotalMilliseconds;
        if (worker is null)
        {
            lock (_gate)
            {
                _workers--;
                _inFlight--;
            }

            return LoadFailed(error!, initMs);
        }

        return await RunAsync(worker, requestJson, arrived, cold: true, initMs);
    }

    // Starts a worker for the queue (its slot is counted in _workers and _starting). When it is ready it serves the
    // oldest queued invocation, unless a busy worker came free first; then it waits idle.
    private async Task StartWorkerForQueueAsync()
    {
        var started = Stopwatch.GetTimestamp();
        var (worker, error) = await CreateLoadedWorkerAsync();
        var initMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        QueuedInvocation? failed = null;
        lock (_gate)
        {
            _starting--;
            if (worker is null)
            {
                _workers--;
                if (_queue.First is { } first)
                {
                    // The load failed: the oldest queued invocation hears why.
                    _queue.RemoveFirst();
                    _inFlight--;
                    failed = first.Value;
                }
            }
        }

        if (worker is null)
        {
            failed?.Result.TrySetResult(LoadFailed(error!, initMs));
            return;
        }

        Park(worker, initMs);
    }

    // The caller has finished with a worker: pass it to the next queued invocation, or park it.
    private void Release(PythonWorker worker)
    {
        QueuedInvocation? next = null;
        var replace = false;
        lock (_gate)
        {
            _inFlight--;
            if (!worker.IsUsable || _disposed)
            {
                // Timed out, out of memory, crashed, or this version is gone: the worker is discarded, never pooled.
                _workers--;
                worker.Dispose();
                if (!_disposed && _queue.First is { } first)
                {
                    // The slot is free again: the oldest queued invocation loads a replacement.
                    _queue.RemoveFirst();
                    _workers++;
                    next = first.Value;
                    replace = true;
                }
            }
            else if (_queue.First is { } first)
            {
                _queue.RemoveFirst();
                next = first.Value;
            }
            else
            {
                _idle.AddFirst((worker, Stopwatch.GetTimestamp()));
                return;
            }
        }

        if (next is null)
        {
            return;
        }

        if (replace)
        {
            next.CompleteWith(RunOnNewWorkerAsync(next.Json, next.Arrived));
        }
        else
        {
            // A work item rather than a direct call keeps the freeing caller's own response from waiting.
            ThreadPool.UnsafeQueueUserWorkItem(
                static state => state.Queued.CompleteWith(state.Function.RunAsync(state.Worker, state.Queued.Json, state.Queued.Arrived, cold: false, initMs: 0)),
                (Function: this, Worker: worker, Queued: next),
                preferLocal: true);
        }
    }

    // Puts a freshly loaded worker to work: the oldest queued invocation takes it (as a cold start), or it waits idle.
    private void Park(PythonWorker worker, double initMs)
    {
        QueuedInvocation? next;
        lock (_gate)
        {
            if (_disposed)
            {
                _workers--;
                worker.Dispose();
                return;
            }

            if (_queue.First is not { } first)
            {
                _idle.AddFirst((worker, Stopwatch.GetTimestamp()));
                return;
            }

            _queue.RemoveFirst();
            next = first.Value;
        }

        next.CompleteWith(RunAsync(worker, next.Json, next.Arrived, cold: true, Math.Min(initMs, Stopwatch.GetElapsedTime(next.Arrived).TotalMilliseconds)));
    }

    private ExecutionResult LoadFailed(CodeError error, double initMs) => SignatureRegistry.Get(Volatile.Read(ref _signature)).LoadFailed(error, initMs);

    private ExecutionResult TimedOut() => SignatureRegistry.Get(Volatile.Read(ref _signature)).TimedOut(Definition.Spec.TimeoutSeconds);

    private ExecutionResult Throttled() => SignatureRegistry.Get(Volatile.Read(ref _signature)).Throttled(Definition.Spec.MaxConcurrency, _maxQueue);

    private async Task<(PythonWorker? Worker, CodeError? Error)> CreateLoadedWorkerAsync()
    {
        PythonWorker worker;
        try
        {
            worker = await _pool.RentAsync();
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            LogWorkerUnavailable(_name, ex);
            return (null, new CodeError(CodeErrorKinds.Load, ex.Message));
        }

        worker.SnippetCache = _cache;
        var error = await worker.LoadAsync(Definition.Spec.Code, _metaJson, Definition.Spec.MemoryLimitMb, _timeout, Definition.Id.Tenant);
        if (error is not null)
        {
            worker.Dispose();
            return (null, error);
        }

        // Code registered with the Functions Framework's declarative API chose its own signature.
        Volatile.Write(ref _signature, worker.Signature ?? Definition.Spec.Signature);
        return (worker, null);
    }

    [LoggerMessage(EventId = 1320, Level = LogLevel.Error, Message = "Invocation of Python function {Function} failed in the runtime")]
    private partial void LogInvocationFailed(string function, Exception exception);

    [LoggerMessage(EventId = 1321, Level = LogLevel.Error, Message = "No Python worker could be started for function {Function}")]
    private partial void LogWorkerUnavailable(string function, Exception exception);
}
