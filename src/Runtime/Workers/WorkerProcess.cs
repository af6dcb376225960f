using System.Buffers.Binary;
using System.Buffers.Text;
using System.Buffers;
using System.Collections.Immutable;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text;
using System.Threading.Tasks.Sources;
using Granary.Functions;
using Granary.Runtime.Execution;
using Granary.Runtime.Signatures.CustomCode;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Workers;

/// <summary>
/// One worker process and the framed protocol to it: CPython's <c>granary_worker.py</c>, or Node.js's
/// <c>granary_node_worker.js</c> for JavaScript's process mode (the language is its <see cref="WorkerLauncher"/>, the
/// protocol is the same): 4-byte big-endian length,
/// then UTF-8 JSON, on the process's stdin and stdout. This file is the process and the calls (start, load, invoke,
/// timeout, exit, disposal); WorkerProcess.Protocol.cs is what the worker sends (the reader loop, frame dispatch, the
/// worker's calls to the host). A worker runs one call at a time. It is started blank by
/// <see cref="WorkerPool"/>, bound to one function version by <see cref="LoadAsync"/>, and never bound again.
/// </summary>
/// <remarks>
/// A dedicated reader loop reads every frame the worker sends. The reply to the call in progress completes a
/// reusable <see cref="IValueTaskSource{TResult}"/>, so an invocation costs one frame each way and no task
/// allocation. A timer stops a call at its timeout by killing the process group; the process's exit fails the call
/// in progress with how it ended (exit code or signal).
/// </remarks>
public sealed partial class WorkerProcess : IValueTaskSource<string>, IFunctionInstance, IAsyncDisposable
{
    private const int InitialReadBuffer = 64 * 1024;

    // The reader thread's stack: it parses frames and runs the calls' continuations, never script.
    private const int ReaderStackBytes = 256 * 1024;

    // Frames up to this size are written synchronously (a Linux pipe holds 64 KiB).
    private const int SyncWriteBytes = 16 * 1024;
    private const int Idle = 0;
    private const int Waiting = 1;
    private const int TimingOut = 2;

    private static readonly TimeSpan s_exitGrace = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_logCollectionWait = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan s_stderrDrainWait = TimeSpan.FromSeconds(1);
    private static readonly string[] s_signalNames =
    [
        "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV",
        "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN",
        "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    ];

    private readonly Process _process;
    private readonly Stream _input;
    private readonly Stream _output;
    private readonly Stream _errors;
    private readonly ILogger _logger;
    private readonly Timer _timer;
    private readonly Lock _timerGate = new();
    private readonly LongRunWatch? _watch;
    private readonly int _maxFrameBytes;
    private readonly int _memoryOverheadMb;
    private readonly Action<WorkerProcess>? _onDisposed;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _exited;
    private readonly Task _stderrLoop;
    private readonly Task _framesLoop;
    private readonly Lock _stderrGate = new();
    private readonly StringBuilder _stderrTail = new();

    // The call in progress: its completion, its state (Idle, Waiting, TimingOut) and what it waits for.
    private ManualResetValueTaskSourceCore<string> _core;
    private int _state;
    private bool _loading;
    private long _seq;
    private TimeSpan _callTimeout;
    private long _deadline;
    private TaskCompletionSource<string>? _logsWaiter;

    private WorkerException? _death;
    private volatile bool _broken;
    private readonly Lock _disposeGate = new();
    private Task? _disposal;
    private volatile bool _reaped;
    private volatile bool _exitSeen;
    private int _memoryLimitMb;
    private readonly WorkerRuntimeOptions _options;
    private readonly SandboxedWorker? _box;
    private readonly int _logsSignal;
    private readonly string _language;

    private WorkerProcess(Process process, string workingDirectory, WorkerRuntimeOptions options, ILogger logger, Action<WorkerProcess>? onDisposed, SandboxedWorker? box, WorkerLauncher launcher)
    {
        _logsSignal = launcher.LogsSignal;
        _language = launcher.Language;
        _process = process;
        _options = options;
        _box = box;
        ProcessId = process.Id;
        WorkingDirectory = workingDirectory;
        _input = process.StandardInput.BaseStream;
        _output = process.StandardOutput.BaseStream;
        _errors = process.StandardError.BaseStream;
        _logger = logger;
        _onDisposed = onDisposed;
        _maxFrameBytes = options.MaxFrameMb * 1024 * 1024;
        _memoryOverheadMb = options.MaxMemoryOverheadMb;
        _core.RunContinuationsAsynchronously = false;
        _timer = new Timer(static state => ((WorkerProcess)state!).OnTimer(), this, Timeout.Infinite, Timeout.Infinite);
        if (options.LongRunnerSliceMs > 0 && box?.Cgroups is { CanDemote: true } cgroups)
        {
            _watch = new LongRunWatch(cgroups, TimeSpan.FromMilliseconds(options.LongRunnerSliceMs));
        }

        _stderrLoop = ReadErrorsAsync();
        _framesLoop = StartReadingFrames(this);
        _exited = WatchExitAsync();
    }

    /// <summary>Gets the id of the process the host started: the worker's interpreter, or bubblewrap when sandboxed.</summary>
    public int ProcessId { get; }

    /// <summary>Gets the host pid of the worker's interpreter (inside the sandbox when sandboxed), once it reported ready.</summary>
    public int InterpreterProcessId => _box is null ? ProcessId : _box.InterpreterPid;

    /// <summary>
    /// Gets the uid the function runs as once loaded in a sandbox (its tenant's; in a rootless sandbox the fixed
    /// <see cref="WorkerSandbox.RootlessUid"/> inside, which is every worker's), or null.
    /// </summary>
    public int? SandboxUid { get; private set; }

    /// <summary>Gets the interpreter's version the worker reported (Python's, for example <c>3.11.2</c>, or Node.js's).</summary>
    public string InterpreterVersion { get; private set; } = "";

    /// <summary>
    /// Gets the worker's private host directory (mode 0700), removed when the worker is disposed: the function's
    /// working directory, or, when sandboxed, where its egress socket lives (the function's directory is then a tmpfs
    /// inside the sandbox).
    /// </summary>
    public string WorkingDirectory { get; }

    /// <summary>Gets the signature the loaded function is served with (the adapters may choose another than declared).</summary>
    public string? Signature { get; private set; }

    /// <summary>Gets whether the worker has been loaded with a function.</summary>
    public bool IsLoaded { get; private set; }

    /// <summary>Gets whether the worker can take a call: alive, not timed out, not out of memory, not disposed.</summary>
    public bool IsUsable => !_broken;

    /// <summary>Gets or sets the workspace cache that <c>cache.incr</c> calls of the worker go to.</summary>
    public ISnippetCache? SnippetCache { get; set; }

    /// <summary>Starts a blank worker of <paramref name="launcher"/>'s language and waits for it to report ready.</summary>
    internal static async Task<WorkerProcess> StartAsync(WorkerRuntimeOptions options, WorkerLauncher launcher, string workerScript, ILogger logger, Action<WorkerProcess>? onDisposed, WorkerSandbox? sandbox, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory(launcher.DirectoryPrefix).FullName;
        var start = new ProcessStartInfo(options.Interpreter)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };

        SandboxedWorker? box = null;
        if (sandbox is not null)
        {
            try
            {
                box = sandbox.Prepare(start, directory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SocketException)
            {
                TryDeleteDirectory(directory);
                throw new InvalidOperationException($"The sandbox of a {launcher.Language} worker could not be prepared: " + ex.Message, ex);
            }

            workerScript = WorkerSandbox.ScriptsMount + "/" + launcher.WorkerScriptName;
        }

        launcher.AddArguments(start, workerScript, options);

        // Nothing of the host's environment reaches the worker; the function's own env replaces this at load.
        start.Environment.Clear();
        if (box is not null)
        {
            start.Environment["GRANARY_SANDBOX"] = "1";
        }

        start.Environment["PATH"] = "/usr/bin:/bin";
        start.Environment["GRANARY_WORKER_NICE"] = options.WorkerNice.ToString(CultureInfo.InvariantCulture);
        start.Environment["LANG"] = "C.UTF-8";
        launcher.AddEnvironment(start.Environment);

        // One malloc arena: thread arenas reserve 64 MiB of address space each, which RLIMIT_AS would count.
        start.Environment["MALLOC_ARENA_MAX"] = "1";

        // As root, the worker drops to an unprivileged user once it is ready (see granary_worker.py); sandboxed, it
        // drops to its tenant's uid when it loads a function (rootless: it has nothing to drop).
        if (box is null && WorkerIdentity.Resolve(options.WorkerUser) is { } identity)
        {
            start.Environment["GRANARY_WORKER_UID"] = identity.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture);
            start.Environment["GRANARY_WORKER_GID"] = identity.Gid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"The {launcher.Language} program {options.Interpreter} did not start.");
        }
        catch (Win32Exception ex)
        {
            box?.Dispose();
            TryDeleteDirectory(directory);
            throw new InvalidOperationException(
                $"The {launcher.Language} program {options.Interpreter} could not be started ({ex.Message}); install it ({launcher.InstallHint}) or set {launcher.SectionName}:Interpreter.",
                ex);
        }

        // Below the priority of the threads that serve requests, from its first instruction (starting the interpreter
        // costs more CPU than most invocations): see WorkerRuntimeOptions.WorkerNice. Its threads and children inherit it.
        if (options.WorkerNice > 0)
        {
            _ = NativeMethods.SetPriority(0, process.Id, options.WorkerNice);
        }

        var worker = new WorkerProcess(process, directory, options, logger, onDisposed, box, launcher);
        try
        {
            await worker._ready.Task.WaitAsync(TimeSpan.FromSeconds(options.StartTimeoutSeconds), cancellationToken);
            return worker;
        }
        catch (Exception ex)
        {
            await worker.DisposeAsync();
            if (ex is TimeoutException)
            {
                throw new InvalidOperationException($"The {launcher.Language} worker did not report ready within {options.StartTimeoutSeconds} s ({launcher.SectionName}:StartTimeoutSeconds).", ex);
            }

            throw;
        }
    }

    /// <summary>
    /// Binds the worker to a function: sets its memory limit and environment, compiles and runs the code as the
    /// module <c>handler</c>, and binds the handler to its signature adapter. Returns null when the function is
    /// ready, else why it is not. A worker whose load failed must be disposed.
    /// </summary>
    /// <param name="code">The function's source.</param>
    /// <param name="metaJson">The function's <see cref="FunctionMeta"/> as camelCase JSON.</param>
    /// <param name="memoryLimitMb">The function's memory limit (for messages; the worker reads it from the meta).</param>
    /// <param name="timeout">How long loading may take.</param>
    /// <param name="tenant">The function's tenant: its egress policy and, sandboxed, its uid.</param>
    /// <param name="packagesPath">The function's pip packages as the worker sees them (put first on its <c>sys.path</c>), if it has any.</param>
    public async Task<CodeError?> LoadAsync(string code, string metaJson, int memoryLimitMb, TimeSpan timeout, string tenant, string? packagesPath = null)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(metaJson);
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        if (IsLoaded)
        {
            throw new InvalidOperationException("A worker is bound to one function for its whole life.");
        }

        IsLoaded = true;
        _memoryLimitMb = memoryLimitMb;
        if (_box is not null)
        {
            // Rootless: the worker is RootlessUid from its first instruction and can become nobody else.
            SandboxUid = _box.Rootless ? WorkerSandbox.RootlessUid : TenantUids.Get(tenant, _options);
            _box.Proxy.Tenant = tenant;
            if (memoryLimitMb > 0)
            {
                try
                {
                    // The whole sandbox (the worker, what it starts, what it writes to its tmpfs directories).
                    _box.Cgroups?.SetMemoryLimit((memoryLimitMb + (long)_memoryOverheadMb + _options.CgroupBaseMb) * 1024 * 1024);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    _broken = true;
                    return new CodeError(CodeErrorKinds.Load, "The worker's memory limit could not be set: " + ex.Message);
                }
            }
        }

        var frame = Frame(writer =>
        {
            writer.WriteString("op", "load");
            writer.WriteString("code", code);
            writer.WritePropertyName("meta");
            writer.WriteRawValue(metaJson, skipInputValidation: true);
            writer.WriteNumber("overheadMb", _memoryOverheadMb);
            if (packagesPath is not null)
            {
                writer.WriteString("packages", packagesPath);
            }
            if (SandboxUid is { } uid)
            {
                writer.WriteNumber("uid", uid);
                writer.WriteNumber("fileSizeMb", _options.MaxFileSizeMb);
            }
        });
        string loaded;
        try
        {
            loaded = await Call(frame, frame.Length, loading: true, timeout, pooled: false);
        }
        catch (WorkerException ex)
        {
            return new CodeError(CodeErrorKinds.Load, ex.Fault switch
            {
                WorkerFault.Timeout => $"The module did not finish loading within the function's timeout of {timeout.TotalSeconds:0.###} s.",
                WorkerFault.MemoryLimit => $"The module exceeded the memory limit of {memoryLimitMb} MiB while loading.",
                _ => "The module could not be loaded: " + ex.Message,
            });
        }

        using var document = JsonDocument.Parse(loaded);
        var root = document.RootElement;
        if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            _broken = true;
            return new CodeError(
                error.TryGetProperty("kind", out var kind) ? kind.GetString() ?? CodeErrorKinds.Load : CodeErrorKinds.Load,
                error.TryGetProperty("message", out var message) ? message.GetString() ?? "" : "",
                error.TryGetProperty("line", out var line) && line.ValueKind == JsonValueKind.Number ? line.GetInt32() : null,
                error.TryGetProperty("column", out var column) && column.ValueKind == JsonValueKind.Number ? column.GetInt32() : null);
        }

        Signature = root.TryGetProperty("signature", out var signature) ? signature.GetString() : null;
        return null;
    }

    /// <summary>
    /// Runs one invocation: sends the request (the <see cref="InvocationJson"/> request object) and completes with the
    /// adapter's result object as JSON. Fails with <see cref="WorkerException"/> when the worker times out, runs
    /// out of memory or dies; the worker is then no longer usable.
    /// </summary>
    /// <param name="requestJson">The request object.</param>
    /// <param name="timeout">The invocation's timeout.</param>
    /// <param name="startDemoted">Whether the invocation starts as a long runner (the function's last one was).</param>
    public ValueTask<string> InvokeAsync(string requestJson, TimeSpan timeout, bool startDemoted = false)
    {
        ArgumentNullException.ThrowIfNull(requestJson);
        var seq = _seq + 1;

        // {"op":"invoke","seq":N,"request":<request>}, encoded once into a pooled buffer after the length prefix.
        var buffer = ArrayPool<byte>.Shared.Rent(4 + 48 + Encoding.UTF8.GetMaxByteCount(requestJson.Length));
        var span = buffer.AsSpan();
        var position = 4;
        "{\"op\":\"invoke\",\"seq\":"u8.CopyTo(span[position..]);
        position += 21;
        Utf8Formatter.TryFormat(seq, span[position..], out var digits);
        position += digits;
        ",\"request\":"u8.CopyTo(span[position..]);
        position += 11;
        position += Encoding.UTF8.GetBytes(requestJson, span[position..]);
        span[position++] = (byte)'}';
        BinaryPrimitives.WriteInt32BigEndian(span, position - 4);
        return Call(buffer, position, loading: false, timeout, pooled: true, startDemoted);
    }

    /// <summary>Gets whether the worker's last invocation was a long runner (see <see cref="LongRunWatch"/>).</summary>
    public bool LastCallWasLong { get; private set; }

    /// <summary>
    /// Gets whether the worker said its last invocation computed rather than waited (most of its time on the CPU): false
    /// when it waited, failed, or the worker does not say (process mode).
    /// </summary>
    public bool LastCallComputed { get; private set; }

    /// <summary>
    /// Stops the invocation in progress as its timeout would (the worker first hands over its log lines, then its process
    /// group is killed, which no Python code can catch) and fails it with <see cref="WorkerFault.Interrupted"/>;
    /// between calls, kills the worker. Either way the worker is no longer usable.
    /// </summary>
    public void Interrupt()
    {
        if (Interlocked.CompareExchange(ref _state, TimingOut, Waiting) == Waiting)
        {
            _ = TimeOutAsync(WorkerFault.Interrupted);
        }
        else
        {
            Kill();
        }
    }

    /// <summary>Kills the worker's process group now (a timed-out or broken worker).</summary>
    public void Kill()
    {
        _broken = true;
        KillProcessGroup();
    }

    /// <summary>Asks the worker to exit (killing it after a second if it does not), then removes its working directory.</summary>
    public ValueTask DisposeAsync()
    {
        lock (_disposeGate)
        {
            _disposal ??= DisposeCoreAsync();
        }

        return new ValueTask(_disposal);
    }

    /// <summary>Starts disposing the worker on the thread pool, without waiting for its process to end.</summary>
    public void Dispose() => ThreadPool.UnsafeQueueUserWorkItem(static worker => _ = worker.DisposeAsync().AsTask(), this, preferLocal: false);

    ValueTaskSourceStatus IValueTaskSource<string>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<string>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    string IValueTaskSource<string>.GetResult(short token) => _core.GetResult(token);

    // Sends a frame and waits for the reply that ends the call (loaded or result). Only one call is in progress at a
    // time: the function that rented the worker holds it exclusively.
    private ValueTask<string> Call(byte[] frame, int length, bool loading, TimeSpan timeout, bool pooled, bool startDemoted = false)
    {
        if (Volatile.Read(ref _state) != Idle)
        {
            ReturnBuffer(frame, pooled);
            throw new InvalidOperationException("The worker is already running a call.");
        }

        _core.Reset();
        _loading = loading;
        LastCallComputed = false;
        _seq++;
        _callTimeout = timeout;
        Interlocked.Exchange(ref _state, Waiting);
        var death = Volatile.Read(ref _death);
        if (death is not null || _disposal is not null)
        {
            // Died (or was disposed) while idle: the exit watcher may have looked before this call began.
            ReturnBuffer(frame, pooled);
            TrySettle(Waiting, null, death ?? new WorkerException(WorkerFault.Disposed, "The worker was disposed."));
            return new ValueTask<string>(this, _core.Version);
        }

        lock (_timerGate)
        {
            _deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
            var first = timeout;
            if (!loading && _watch is not null)
            {
                _watch.Start(startDemoted);
                first = timeout < _watch.Slice ? timeout : _watch.Slice;
            }

            _timer.Change(first, Timeout.InfiniteTimeSpan);
        }

        ValueTask write;
        try
        {
            if (length <= SyncWriteBytes)
            {
                // Fits the pipe's buffer, which the worker drained before it answered the last call: write(2) returns
                // at once, without the asynchronous write's machinery.
                _input.Write(frame, 0, length);
                write = ValueTask.CompletedTask;
            }
            else
            {
                write = _input.WriteAsync(frame.AsMemory(0, length));
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The pipe is closed: the process is gone or going, and its exit watcher settles the call.
            ReturnBuffer(frame, pooled);
            LogWriteFailed(_language, ProcessId, ex);
            return new ValueTask<string>(this, _core.Version);
        }

        if (write.IsCompletedSuccessfully)
        {
            ReturnBuffer(frame, pooled);
        }
        else
        {
            _ = FinishWriteAsync(write, frame, pooled);
        }

        return new ValueTask<string>(this, _core.Version);
    }

    private async Task FinishWriteAsync(ValueTask write, byte[] frame, bool pooled)
    {
        try
        {
            await write;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            LogWriteFailed(_language, ProcessId, ex);
        }
        finally
        {
            ReturnBuffer(frame, pooled);
        }
    }

    private static void ReturnBuffer(byte[] frame, bool pooled)
    {
        if (pooled)
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    // Ends the call in progress once: from the reader (its reply), the timer (timeout), or the exit watcher (death).
    private bool TrySettle(int expected, string? result, WorkerException? error)
    {
        if (Interlocked.CompareExchange(ref _state, Idle, expected) != expected)
        {
            return false;
        }

        lock (_timerGate)
        {
            try
            {
                _timer.Change(Timeout.Infinite, Timeout.Infinite);
            }
            catch (ObjectDisposedException)
            {
                // Disposed: nothing to stop.
            }

            if (!_loading && _watch is not null)
            {
                LastCallWasLong = _watch.End();
            }
        }

        if (error is null)
        {
            _core.SetResult(result!);
        }
        else
        {
            _broken = true;
            _core.SetException(error);
        }

        return true;
    }

    // The timer ends a call at its timeout; before that, it looks at an invocation once a slice for a long runner.
    private void OnTimer()
    {
        lock (_timerGate)
        {
            // A late tick of a call that already ended finds the state Idle, or the next call's deadline ahead.
            var left = _deadline - Stopwatch.GetTimestamp();
            if (Volatile.Read(ref _state) == Waiting && left > 0)
            {
                var wait = TimeSpan.FromSeconds((double)left / Stopwatch.Frequency);
                if (!_loading && _watch is not null && _watch.Look(InterpreterProcessId) && _watch.Slice < wait)
                {
                    wait = _watch.Slice;
                }

                _timer.Change(wait, Timeout.InfiniteTimeSpan);
                return;
            }
        }

        if (Interlocked.CompareExchange(ref _state, TimingOut, Waiting) == Waiting)
        {
            _ = TimeOutAsync(WorkerFault.Timeout);
        }
    }

    // The call ran past its timeout (or its caller interrupted it: fault). An invocation first gets a moment to hand over
    // its log lines (the launcher's signal, SIGUSR1 for Python, makes the worker send them between two bytecodes); then the process group is killed.
    private async Task TimeOutAsync(WorkerFault fault)
    {
        _broken = true;
        var logs = ImmutableArray<LogLine>.Empty;
        if (!_loading && Volatile.Read(ref _death) is null)
        {
            // A long runner's sandbox sits in the idle cpu group, where on a busy machine the handler that sends the lines
            // waited past the window below: it leaves the group first (as a demoted JavaScript run gets the CPU it needs
            // to see its interrupt); the watch still says the call spun when the call ends.
            if (_watch is not null)
            {
                lock (_timerGate)
                {
                    _watch.End();
                }
            }

            var waiter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _logsWaiter, waiter);
            if (InterpreterProcessId != 0 && SendSignal(InterpreterProcessId, _logsSignal))
            {
                try
                {
                    logs = InvocationJson.ReadLogs(await waiter.Task.WaitAsync(s_logCollectionWait));
                }
                catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or JsonException)
                {
                    // Stuck below Python (or in a signal-blind C call): no logs this time.
                }
            }

            Volatile.Write(ref _logsWaiter, null);
        }

        KillProcessGroup();
        TrySettle(TimingOut, null, new WorkerException(
            fault,
            fault == WorkerFault.Timeout
                ? $"The call did not finish within {_callTimeout.TotalSeconds:0.###} s; the worker process was killed."
                : "The call was interrupted by its caller; the worker process was killed.",
            logs));
    }

    // The worker's stderr carries only what the interpreter says when it dies (faulthandler, fatal errors): kept
    // short for the crash message and logged at Debug.
    private async Task ReadErrorsAsync()
    {
        var buffer = new byte[4096];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        var decoder = Encoding.UTF8.GetDecoder();
        try
        {
            int read;
            while ((read = await _errors.ReadAsync(buffer)) > 0)
            {
                var count = decoder.GetChars(buffer, 0, read, chars, 0);
                var text = new string(chars, 0, count);
                lock (_stderrGate)
                {
                    _stderrTail.Append(text);
                    if (_stderrTail.Length > 8192)
                    {
                        _stderrTail.Remove(0, _stderrTail.Length - 8192);
                    }
                }

                LogStderr(_language, ProcessId, text);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The process is gone.
        }
    }

    // The process ended, however it did: say how, and fail the call in progress (unless it already ended).
    private async Task WatchExitAsync()
    {
        try
        {
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // Not started or already disposed.
        }

        _broken = true;

        // Children the function started do not outlive it. This is the last signal sent to the group: once the
        // process is reaped its id may in time be reused.
        _exitSeen = true;
        KillProcessGroup();
        _reaped = true;
        // A worker that answers and then exits (a MemoryError is answered, then the process ends) has its last frame
        // read before its death settles the call: on a busy machine the exit was seen first, and the answer was lost.
        try
        {
            await Task.WhenAll(_stderrLoop, _framesLoop).WaitAsync(s_stderrDrainWait);
        }
        catch (TimeoutException)
        {
            // A child still holds stderr or stdout open; what arrived so far is enough.
        }

        string stderr;
        lock (_stderrGate)
        {
            stderr = _stderrTail.ToString();
        }

        int exitCode;
        try
        {
            exitCode = _process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            exitCode = -1;
        }

        var death = Volatile.Read(ref _death) ?? Describe(exitCode, stderr, _memoryLimitMb, _box?.Cgroups?.OomKilled() == true);
        Volatile.Write(ref _death, death);
        LogExited(_language, ProcessId, exitCode);
        _ready.TrySetException(new InvalidOperationException($"The {_language} worker ended before it was ready: " + death.Message));
        TrySettle(Waiting, null, death);
    }

    private static WorkerException Describe(int exitCode, string stderr, int memoryLimitMb, bool oomKilled)
    {
        // .NET reports a process killed by signal N as exit code 128 + N.
        var how = exitCode is > 128 and < 128 + 32
            ? $"was killed by signal {s_signalNames[exitCode - 128]}"
            : $"exited with exit code {exitCode.ToString(CultureInfo.InvariantCulture)}";
        var said = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        if (memoryLimitMb > 0 && (oomKilled || stderr.Contains("MemoryError", StringComparison.Ordinal) || stderr.Contains("Cannot allocate memory", StringComparison.Ordinal) || stderr.Contains("out of memory", StringComparison.OrdinalIgnoreCase)))
        {
            return new WorkerException(WorkerFault.MemoryLimit, $"The function exceeded its memory limit of {memoryLimitMb} MiB; its worker process {how} and was replaced.");
        }

        var message = $"The worker process {how}" + (said.Length is > 0 and <= 200 ? $" ({said})." : ".");
        return new WorkerException(WorkerFault.Crashed, message);
    }

    private async Task DisposeCoreAsync()
    {
        _broken = true;
        if (Volatile.Read(ref _death) is null && Volatile.Read(ref _state) == Idle && _ready.Task.IsCompletedSuccessfully)
        {
            try
            {
                await _input.WriteAsync(Frame(writer => writer.WriteString("op", "exit")));
                await _exited.WaitAsync(s_exitGrace);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or TimeoutException)
            {
                // Not answering: killed below.
            }
        }

        KillProcessGroup();
        try
        {
            await _exited.WaitAsync(s_exitGrace);
        }
        catch (TimeoutException)
        {
            LogNotExited(_language, ProcessId);
        }

        TrySettle(Waiting, null, new WorkerException(WorkerFault.Disposed, "The worker was disposed."));
        await _timer.DisposeAsync();
        _process.Dispose();
        if (_box is not null)
        {
            // The cgroups go once their processes are gone (rmdir waits for nothing; Dispose retries briefly).
            await Task.Run(_box.Dispose);
        }

        TryDeleteDirectory(WorkingDirectory);
        _onDisposed?.Invoke(this);
    }

    private void KillProcessGroup()
    {
        if (_reaped)
        {
            return;
        }

        if (_box is not null)
        {
            // Every process of the sandbox: its cgroup, its PID namespace (through the namespace's init), and
            // bubblewrap itself. A process group would not do: a function's child may leave it (setsid).
            _box.KillAll(ProcessId, _exitSeen);
            if (!_exitSeen)
            {
                SendSignal(ProcessId, PosixSignals.Sigkill);
            }

            return;
        }

        // The worker made itself a process group leader at start (os.setpgid): one signal ends it and its children.
        // Without the group (the worker had not made it yet, or it is gone) the worker alone is signalled: never
        // Process.Kill(entireProcessTree), which reads every process of the machine from /proc on a thread-pool
        // thread, and forty timeouts at once starved every other request of threads.
        if (!SendSignal(-ProcessId, PosixSignals.Sigkill))
        {
            SendSignal(ProcessId, PosixSignals.Sigkill);
        }
    }

    private static void TryDeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The function made something it cannot remove; the system's temp cleaner will.
        }
    }

    private static bool SendSignal(int pid, int signal) => PosixSignals.Kill(pid, signal);

    [LoggerMessage(EventId = 1300, Level = LogLevel.Debug, Message = "{Language} worker {Pid} started (reported pid {ReportedPid}, version {Version})")]
    private partial void LogStarted(string language, int pid, long reportedPid, string version);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Debug, Message = "{Language} worker {Pid} stderr: {Text}")]
    private partial void LogStderr(string language, int pid, string text);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Debug, Message = "{Language} worker {Pid} exited with code {ExitCode}")]
    private partial void LogExited(string language, int pid, int exitCode);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "{Language} worker {Pid} broke the protocol: {Reason}")]
    private partial void LogProtocolFailure(string language, int pid, string reason);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Debug, Message = "Could not write to {Language} worker {Pid}")]
    private partial void LogWriteFailed(string language, int pid, Exception exception);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Warning, Message = "{Language} worker {Pid} did not exit after it was killed")]
    private partial void LogNotExited(string language, int pid);

    private static class NativeMethods
    {
        public static int SetPriority(int which, int who, int priority) => setpriority(which, who, priority);

        [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code enabled for the assembly; this one call is blittable.
        private static extern int setpriority(int which, int who, int priority);
#pragma warning restore SYSLIB1054
    }
}
