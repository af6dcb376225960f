using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Granary.Functions.Placement;
using Granary.Logs;
using Granary.Runtime;
using Granary.Runtime.Execution;
using Granary.Runtime.Signatures;
using Granary.Runtime.Signatures.CustomCode;
using Granary.Runtime.Telemetry;
using Granary.Tenants;
using Granary.Workspaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Granary.Functions;

/// <summary>
/// Runs one function. It activates on the first invocation (the cold start: attach to the definition grain,
/// load the code into a warm isolate), serves invocations in parallel up to the function's concurrency
/// (it is reentrant; the isolates are the unit of serial execution), and is deactivated by the silo's
/// <see cref="FunctionSweep"/> once no request has arrived for the function's idle timeout, releasing every
/// isolate: scale to zero. Shard 0 is placed on the silo of the caller, so a gateway co-hosted with a silo never crosses the
/// network; other shards one per silo (<see cref="FunctionShardPlacementDirector"/>).
/// </summary>
[GrainType("fn")]
[Reentrant]
[FunctionShardPlacement]
// The sweep is this grain's collector: Orleans' own collects per grain class after at least a minute, while a
// function's idle timeout is its own and may be one second (or a day).
[CollectionAgeLimit(AlwaysActive = true)]
public sealed partial class FunctionGrain(
    FunctionExecutors executors,
    LocalFunctions local,
    FunctionLogShipper logs,
    TenantAdmission admission,
    FunctionSeries series,
    IOptions<FunctionLimits> limits,
    IOptions<WorkspaceOptions> workspaces,
    IOptions<ScalingOptions> scaling,
    ILocalSiloDetails silo,
    TimeProvider time,
    ILogger<FunctionGrain> logger)
    : Grain, IFunctionGrain
{
    private static readonly TimeSpan s_heartbeat = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_reportDelay = TimeSpan.FromSeconds(1);

    // Isolates beyond the first that a burst created are released after this long unused, checked this often.
    private static readonly TimeSpan s_isolateIdle = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_trimEvery = TimeSpan.FromSeconds(1);

    private readonly string _activationId = Guid.NewGuid().ToString("N");
    // Written by calls on any thread (calls from this silo's gateway do not take a grain turn): under _recordsGate.
    private readonly Queue<InvocationRecord> _unreported = new();
    private readonly Lock _recordsGate = new();
    private FunctionId _id;
    private TenantAdmission.TenantLoad? _tenantLoad;
    // The function's metric series, found once per activation (the silo's cardinality guard decides which).
    private FunctionSeriesTags _metrics = null!;
    private int _shard;
    private DateTimeOffset _since;
    private Task<IFunctionExecutor?>? _loading;
    private volatile IFunctionExecutor? _function;
    private SecurityOf? _security;
    private IWorkspaceGrain? _cache;
    private LocalFunctions.Activation? _local;
    private CodeError? _loadError;
    private bool _attached;

    // A reload that reached this activation while its first load was still attaching (Set), and its definition.
    private (bool Set, FunctionDefinition? Definition) _reloadedWhileAttaching;
    private volatile bool _gone;
    private volatile bool _deactivating;
    private double _activationInitMs;
    private readonly string _silo = silo.SiloAddress.ToString();

    // The calls this activation serves now, on its turns and on the gateway's threads (TryInvokeLocally): counted once,
    // in its entry in the silo's LocalFunctions, where the sweep reads it too.
    private int InFlight => _local?.InFlight ?? 0;

    // Scale-out: the version of the live set of instances this one knows (sent with every answer), since when it has
    // been busy (a Stopwatch timestamp, 0 when not) and when it last asked for another instance.
    private int _shardSet;
    private long _busySince;
    private long _askedAt;

    // A timestamp of the sweep's clock (LocalFunctions.Clock), as are the activation's use times.
    private long _lastReport;
    private Task? _visit;

    // The CallIds of the calls running now (the grain is reentrant but single-threaded: no lock).
    private readonly HashSet<string> _calls = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_id, _shard) = FunctionId.ParseGrainKey(this.GetPrimaryKeyString());
        _tenantLoad = admission.For(_id.Tenant);
        _metrics = series.For(_id);
        _since = time.GetUtcNow();
        _lastReport = local.Clock.GetTimestamp();
        _local = local.Add(_id, _shard, GrainContext, VisitAsync, TryInvokeLocally, () => _function?.MemoryBytes ?? 0);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _deactivating = true;
        var function = _function;
        _function = null;
        if (function is not null)
        {
            await function.DisposeAsync();

            // Calls served without a grain turn (TryInvokeLocally) that started before _deactivating was set finish
            // on their isolates; their records go with the detach. (Orleans waits only for the grain's own calls.)
            var waitUntil = Stopwatch.GetTimestamp() + (long)(TimeSpan.FromSeconds(function.Definition.Spec.TimeoutSeconds + 1).TotalSeconds * Stopwatch.Frequency);
            while (InFlight > 0 && Stopwatch.GetTimestamp() < waitUntil)
            {
                await Task.Delay(10, CancellationToken.None);
            }
        }

        // At shutdown every grain deactivates at once and the definition grain may be gone; the records
        // were already collected by FunctionRecordsOnShutdown while all grains were still active.
        if (_attached && reason.ReasonCode != DeactivationReasonCode.ShuttingDown)
        {
            // A report the sweep started must land before the detach, or the definition grain would list this
            // activation again. (Its failure is the sweep's to log.)
            if (_visit is { } visit)
            {
                await Task.WhenAny(visit);
            }

            try
            {
                await GrainFactory.GetFunctionDefinition(_id).DetachAsync(_activationId, TakeUnreported());
            }
            catch (Exception ex)
            {
                LogDetachFailed(_id.Key, ex);
            }
        }

        if (_local is not null)
        {
            local.Remove(_local);
        }

        LogDeactivated(_id.Key, reason.ReasonCode);
    }

    /// <inheritdoc />
    public async Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);

        // The tenant's quotas come first: a tenant over its concurrency or rate costs no isolate and no queue place.
        if (await admission.EnterAsync(_tenantLoad!) is { } throttle)
        {
            return Throttled(throttle);
        }

        var started = time.GetUtcNow();
        var invocationId = Guid.CreateVersion7().ToString("N");
        using var span = InvocationTracing.Start(request, _id, _shard, invocationId, out var traceId);
        var fields = new InvocationTracing.Scope(_id, invocationId, traceId, _function?.Definition.Version ?? 0);
        using var scope = logger.BeginScope(fields);

        // A request that starts changes no due time: a visit that comes while it runs finds it and asks again (Schedule).
        _local!.Enter();
        NoteLoad(0);
        if (request.CallId is { } callId)
        {
            _calls.Add(callId);
        }

        try
        {
            var waitedForLoad = _function is null;
            var function = _function ?? await EnsureLoadedAsync();
            fields.Version = function?.Definition.Version ?? 0;
            ExecutionResult result;
            if (function is null)
            {
                result = _loadError is { } loadError
                    ? Problems.Result(500, "load-failed", "Function failed to load", loadError.Message, InvocationOutcomes.LoadError)
                    : NotFound();
            }
            else
            {
                result = await RunAsync(function, request, cancellationToken);
            }

            // Cold: the request arrived while this activation was loading (so it waited for it), or it
            // needed a new isolate of its own. The grain is reentrant, so every request that arrives
            // during activation gets here and sees that no function is loaded yet.
            return Answer(function, request, result, started, activationCold: waitedForLoad && function is not null, invocationId, traceId, span);
        }
        finally
        {
            if (request.CallId is { } finished)
            {
                _calls.Remove(finished);
            }

            _local.Leave();
            Touch();
            admission.Exit(_tenantLoad!);
        }
    }

    // The warm path of this silo's gateway (LocalFunctions.TryInvoke): a loaded activation serves the call on the
    // caller's thread, with no grain message and no turn on the activation's scheduler (about a fifth of a warm
    // hello's CPU, and a thread hop). What such a call shares with the grain's turns is safe on any thread: the
    // executor (its own lock), the admission, the in-flight count and the scale-out signal (interlocked), the records
    // (their lock), the use time and the next visit (volatile; a call only brings the visit closer). Null sends the
    // caller through the grain: nothing is loaded yet (the grain loads it, once), the activation is going, the call is
    // tracked for silo loss (CallId), or the function works on its workspace's cache (grain calls of its own).
    private Task<InvocationResponse?>? TryInvokeLocally(InvocationRequest request, CancellationToken cancellationToken)
    {
        if (_deactivating || _function is not { } function || request.CallId is not null || (_cache is not null && SnippetModule.UsesCache(function.Definition.Spec)))
        {
            return null;
        }

        return InvokeLocallyAsync(function, request, cancellationToken);
    }

    private async Task<InvocationResponse?> InvokeLocallyAsync(IFunctionExecutor function, InvocationRequest request, CancellationToken cancellationToken)
    {
        if (await admission.EnterAsync(_tenantLoad!) is { } throttle)
        {
            return Throttled(throttle);
        }

        var started = time.GetUtcNow();
        var invocationId = Guid.CreateVersion7().ToString("N");
        using var span = InvocationTracing.Start(request, _id, _shard, invocationId, out var traceId);
        using var scope = logger.BeginScope(new InvocationTracing.Scope(_id, invocationId, traceId, function.Definition.Version));
        _local!.Enter();
        NoteLoad(0);
        try
        {
            ExecutionResult result;
            try
            {
                result = await function.InvokeAsync(request, cancellationToken: cancellationToken);
            }
            catch (ObjectDisposedException)
            {
                // Replaced or unloaded before the call ran (the executor refuses it at the door or drops it from its
                // queue): the grain serves it, on the version that serves now or on a new activation.
                return null;
            }

            return Answer(function, request, result, started, activationCold: false, invocationId, traceId, span);
        }
        finally
        {
            _local.Leave();
            _local.Touch();
            _local.VisitWithin(NextVisit());
            admission.Exit(_tenantLoad!);
        }
    }

    // What a call answers, its invocation record (kept for the definition grain) and its log lines (queued for the
    // function's log store; a call that logged nothing costs nothing there): shared by both paths.
    private InvocationResponse Answer(IFunctionExecutor? function, InvocationRequest request, ExecutionResult result, DateTimeOffset started, bool activationCold, string invocationId, string? traceId, Activity? span)
    {
        var record = new InvocationRecord
        {
            Id = invocationId,
            Function = _id.Key,
            Version = function?.Definition.Version ?? 0,
            StartedAt = started,
            Cold = activationCold || result.Cold,
            InitMs = Math.Round(activationCold ? _activationInitMs : result.InitMs, 3),
            WaitMs = Math.Round(result.WaitMs, 3),
            DurationMs = Math.Round(result.DurationMs, 3),
            StatusCode = result.StatusCode,
            Outcome = result.Outcome,
            Error = result.Error,
            Logs = result.Logs,
            Shard = _shard,
            Silo = _silo,
            TraceId = traceId,
        };
        InvocationTracing.Finish(span, function?.Definition, record);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            LogInvoked(_id.Key, invocationId, record.StatusCode, record.Outcome, record.DurationMs);
        }

        if (function is not null)
        {
            // The definition grain keeps only the newest records, so only those need to travel.
            lock (_recordsGate)
            {
                _unreported.Enqueue(record);
                if (_unreported.Count > limits.Value.InvocationHistorySize)
                {
                    _unreported.Dequeue();
                }
            }

            if (!result.Logs.IsDefaultOrEmpty)
            {
                logs.Add(_id, result.Logs, invocationId, record.Version, _silo, Snippet(request), traceId);
            }
        }

        _metrics.Invoked(record.Outcome, record.Cold, record.InitMs, record.WaitMs, record.DurationMs);
        var headers = function is null ? result.Headers : Security(function.Definition).Apply(result.Headers);
        NoteLoad(result.WaitMs);

        // Full: the calls still here (this one is leaving) take every place, so a call sent now would queue.
        var busy = function is not null && InFlight - 1 >= function.Definition.Spec.MaxConcurrency;
        return new InvocationResponse(result.StatusCode, headers, result.Body, invocationId, Volatile.Read(ref _shardSet), busy);
    }

    // The snippet a Custom Code run named (its path is /run/{name}), for the workspace's log; null for a function.
    private string? Snippet(InvocationRequest request) =>
        WorkspaceSnippets.IsModule(_id.Name) && request.Path.StartsWith("/run/", StringComparison.Ordinal)
            ? Uri.UnescapeDataString(request.Path["/run/".Length..])
            : null;

    /// <inheritdoc />
    public async Task StartAsync()
    {
        await EnsureLoadedAsync();

        // Started for load that has not reached it yet: it retires if none comes within its idle time from now.
        Touch();
    }

    /// <inheritdoc />
    public Task ShardsChangedAsync(int shardSet)
    {
        Volatile.Write(ref _shardSet, shardSet);

        // The set grew or shrank: measure busyness afresh with it before asking for more.
        Volatile.Write(ref _busySince, 0);
        return Task.CompletedTask;
    }

    // Scale-out's signal, checked as each call arrives and leaves: busy while the calls in flight reach the utilisation
    // threshold or a call waited in the queue past its threshold; busy for the window, ask the definition grain for one
    // more instance (at most once a window; it decides, and ignores an ask made with an old view of the set).
    private void NoteLoad(double waitMs)
    {
        if (_function?.Definition.Spec is not { MaxInstances: > 1 } spec)
        {
            return;
        }

        // Calls on other threads (LocalFunctions.TryInvoke) note load too: the times are swapped atomically, so one
        // caller at most asks in a window (and the definition grain ignores a second ask made with the same view).
        var options = scaling.Value;
        var inFlight = InFlight;
        var busy = inFlight >= Math.Ceiling(options.ScaleUpUtilisation * spec.MaxConcurrency) || waitMs > options.ScaleUpQueueWaitMs;
        if (!busy)
        {
            Volatile.Write(ref _busySince, 0);
            return;
        }

        var now = Stopwatch.GetTimestamp();
        var busySince = Interlocked.CompareExchange(ref _busySince, now, 0);
        if (busySince == 0)
        {
            return;
        }

        var window = TimeSpan.FromMilliseconds(options.ScaleUpWindowMs);
        var askedAt = Volatile.Read(ref _askedAt);
        if (Stopwatch.GetElapsedTime(busySince, now) >= window && (askedAt == 0 || Stopwatch.GetElapsedTime(askedAt, now) >= window)
            && Interlocked.CompareExchange(ref _askedAt, now, askedAt) == askedAt)
        {
            LogBusy(_id.Key, _shard, inFlight, spec.MaxConcurrency);
            _ = GrainFactory.GetFunctionDefinition(_id).RequestInstanceAsync(_shard, Volatile.Read(ref _shardSet));
        }
    }

    /// <inheritdoc />
    public Task<bool> IsRunningAsync(string callId) => Task.FromResult(_calls.Contains(callId));

    /// <inheritdoc />
    public async Task ReloadAsync(FunctionDefinition? definition)
    {
        if (!_attached)
        {
            if (_loading is { IsCompleted: false })
            {
                // The first load is attaching: the definition grain listed this activation and tells it of a change
                // before the attach's answer (an older version) is back. The load takes this one instead.
                _reloadedWhileAttaching = (true, definition);
                return;
            }

            // Activated by this call alone: nothing runs here, so there is nothing to reload.
            DeactivateOnIdle();
            return;
        }

        IFunctionExecutor? previous;
        if (definition is null)
        {
            previous = _function;
            _gone = true;
            _function = null;
            _loading = Task.FromResult<IFunctionExecutor?>(null);
            DeactivateOnIdle();
        }
        else
        {
            var (next, error) = await CreateAsync(definition);

            // Read after the create: the first load may have installed its version meanwhile.
            previous = _function;
            if (next is null)
            {
                // The new version cannot run here (its packages failed to install on this silo): stop serving the old one.
                LogLoadFailed(_id.Key, error!.Message);
                _function = null;
                _loadError = error;
                _loading = Task.FromResult<IFunctionExecutor?>(null);
            }
            else
            {
                _function = next;
                _loadError = null;
                _loading = Task.FromResult<IFunctionExecutor?>(next);
                LogReloaded(_id.Key, definition.Version);
                _ = WarmUpAsync(next, definition.Version);
            }
        }

        // The new version's idle timeout applies from now.
        Schedule();
        if (previous is not null)
        {
            // Running invocations finish on the old isolates, which are discarded as they come free.
            await previous.DisposeAsync();
        }
    }

    // Warms the new version's first instance in the background (the reload does not wait for it). A load failure is
    // logged here; the next invocation meets it and answers it as a load error.
    private async Task WarmUpAsync(IFunctionExecutor next, int version)
    {
        try
        {
            if (await next.WarmUpAsync() is { } error)
            {
                LogWarmUpFailed(_id.Key, version, error.Message, null);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogWarmUpFailed(_id.Key, version, ex.Message, ex);
        }
    }

    /// <inheritdoc />
    public Task<ImmutableArray<InvocationRecord>> DrainRecordsAsync()
    {
        if (!_attached)
        {
            DeactivateOnIdle();
        }

        return Task.FromResult(TakeUnreported());
    }

    // The token is the caller's (Orleans cancels it when the caller does, from any silo or client): it reaches the
    // executor, which takes a queued call out of its queue and interrupts a running one. Loading the activation
    // (EnsureLoadedAsync) serves every caller at once, so it does not take one caller's token.
    private async Task<ExecutionResult> RunAsync(IFunctionExecutor function, InvocationRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await InvokeAsync(function, request, cancellationToken);
        }
        catch (ObjectDisposedException) when (_function is { } current && current != function)
        {
            // A new version took over while this call waited for an isolate: run it there.
            return await InvokeAsync(current, request, cancellationToken);
        }
        catch (ObjectDisposedException)
        {
            return _gone ? NotFound() : Problems.Result(503, "unavailable", "Function unavailable", "The function was unloaded while the request waited; retry it.", InvocationOutcomes.Error);
        }
    }

    private async Task<ExecutionResult> InvokeAsync(IFunctionExecutor function, InvocationRequest request, CancellationToken cancellationToken)
    {
        var cache = _cache;
        if (cache is null || !SnippetModule.UsesCache(function.Definition.Spec))
        {
            return await function.InvokeAsync(request, cancellationToken: cancellationToken);
        }

        // A workspace's snippets: the run starts from the cache's current state and hands back what it changed.
        var result = await function.InvokeAsync(request, await cache.GetCacheAsync(), cancellationToken);
        if (result.StateChanges is { } json && !await cache.ApplyCacheChangesAsync(CacheChangesJson.Parse(json)))
        {
            return SnippetResults.CacheFull(result, workspaces.Value.MaxCacheBytes);
        }

        return result;
    }

    private async Task<(IFunctionExecutor? Function, CodeError? Error)> CreateAsync(FunctionDefinition definition)
    {
        var packages = await executors.EnsurePackagesAsync(definition.Spec);
        if (packages.Error is { } error)
        {
            return (null, new CodeError(CodeErrorKinds.Dependencies, error));
        }

        // Secrets join the function's environment here, in the silo, and are never stored with the definition.
        var (withSecrets, secretError) = await FunctionSecrets.ApplyAsync(GrainFactory, definition);
        if (withSecrets is null)
        {
            return (null, secretError);
        }

        definition = withSecrets;

        ISnippetCache? cache = null;
        if (SignatureRegistry.Get(definition.Spec.Signature).UsesWorkspaceCache)
        {
            _cache = GrainFactory.GetWorkspace(_id.Tenant, _id.Workspace);
            cache = new WorkspaceCache(_cache);
        }

        return (executors.Create(definition, logger, cache, packages.Directory), null);
    }

    // The security headers of the version that answered, computed once per version.
    private ResponseSecurity Security(FunctionDefinition definition)
    {
        // One reference, read and replaced whole: calls on other threads (TryInvokeLocally) read it too.
        if (_security is not { } security || !ReferenceEquals(security.For, definition))
        {
            _security = security = new SecurityOf(definition, ResponseSecurity.For(definition.Spec));
        }

        return security.Headers;
    }

    private InvocationResponse Throttled(TenantAdmission.Throttle throttle)
    {
        _metrics.RefusedByTenant();
        var problem = Problems.Result(
            429,
            "quota-exceeded",
            "Quota exceeded",
            $"{throttle.Detail} (quota {throttle.Quota} = {throttle.Limit}).",
            InvocationOutcomes.Throttled,
            [new HttpHeader("Retry-After", throttle.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            (throttle.Quota, throttle.Limit));
        if (WorkspaceSnippets.IsModule(_id.Name))
        {
            problem = SnippetResults.FromProblem(problem, 0);
        }

        return new InvocationResponse(problem.StatusCode, problem.Headers, problem.Body, Guid.CreateVersion7().ToString("N"));
    }

    private ExecutionResult NotFound() => Problems.Result(
        404,
        "function-not-found",
        "Function not found",
        $"There is no function '{_id.Name}' in workspace '{_id.Workspace}' of tenant '{_id.Tenant}'.",
        InvocationOutcomes.LoadError);

    private async Task<IFunctionExecutor?> EnsureLoadedAsync()
    {
        _loading ??= LoadAsync();
        var loading = _loading;
        try
        {
            return await loading;
        }
        catch
        {
            // Let the next request try again (for example the definition grain was briefly unreachable).
            if (_loading == loading)
            {
                _loading = null;
            }

            throw;
        }
    }

    private async Task<IFunctionExecutor?> LoadAsync()
    {
        var started = Stopwatch.GetTimestamp();
        using var coldStart = InvocationTracing.StartColdStart(_id);
        var definition = await GrainFactory.GetFunctionDefinition(_id).AttachAsync(Info(FunctionState.Activating, version: 0));
        _attached = true;
        if (_reloadedWhileAttaching is (true, var changed))
        {
            definition = changed;
        }

        // From now on the sweep calls for the heartbeat, even while this first call is still running.
        Schedule();
        if (definition is null)
        {
            _gone = true;
            DeactivateOnIdle();
            return null;
        }

        var (function, error) = await CreateAsync(definition);
        error ??= await function!.WarmUpAsync();
        _activationInitMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (coldStart is { IsAllDataRequested: true })
        {
            coldStart.SetTag(FaasAttributes.Version, definition.Version.ToString(CultureInfo.InvariantCulture));
            if (error is not null)
            {
                coldStart.SetStatus(ActivityStatusCode.Error, error.Message);
            }
        }

        if (_gone || (_function is { } newer && newer.Definition.Version >= definition.Version))
        {
            // A reload ran while this load was creating (the grain is reentrant): the function was deleted, or a newer
            // version is already serving. Keep what the reload left; never put the older version back over it. (A
            // reload still creating finds this load's version installed when it is done, and replaces it.)
            if (function is not null)
            {
                await function.DisposeAsync();
            }

            return _function;
        }

        if (error is not null)
        {
            _loadError = error;
            if (function is not null)
            {
                await function.DisposeAsync();
            }

            LogLoadFailed(_id.Key, error.Message);
            return null;
        }

        _function = function;
        LogActivated(_id.Key, definition.Version, _activationInitMs);

        // The definition grain learns that this activation serves while the first request runs, not before it: the
        // cold start waited for one more grain call. The report is sent before the first answer, so on one silo a status
        // read sent after that answer finds it already queued at the definition grain; across silos it lands a moment
        // later. A deactivation waits for it as for any report (_visit).
        _visit = FirstReportAsync();
        return function;
    }

    private async Task FirstReportAsync()
    {
        try
        {
            await ReportAsync();
        }
        catch (Exception ex)
        {
            // The heartbeat reports again (TendAsync).
            LogReportFailed(_id.Key, ex);
        }
    }

    // The silo's sweep calls this on the activation's scheduler when the time Schedule asked for has come, or to evict
    // it (least recently used beyond the silo's limit). It checks and acts in one turn: no request starts in between.
    private Task VisitAsync(bool evict)
    {
        if (_deactivating)
        {
            return Task.CompletedTask;
        }

        if (evict)
        {
            GrainContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "Least recently used function beyond Granary:Limits:MaxActiveFunctions or WarmMemoryBudgetMb"));
            return Task.CompletedTask;
        }

        return _visit = TendAsync();
    }

    private async Task TendAsync()
    {
        var sinceReport = local.Clock.GetElapsedTime(_lastReport);
        if (_attached && ((Unreported > 0 && sinceReport >= s_reportDelay) || sinceReport >= s_heartbeat))
        {
            try
            {
                await ReportAsync();
            }
            catch (Exception ex)
            {
                LogReportFailed(_id.Key, ex);
            }
        }

        _function?.TrimIdle(s_isolateIdle);
        if (InFlight == 0 && _local!.SinceLastUse >= IdleTimeout)
        {
            // Requests that arrive from here on go to a new activation; deactivation waits for any still running.
            GrainContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ActivationIdle, string.Create(CultureInfo.InvariantCulture, $"No request for the function's idle timeout of {IdleTimeout.TotalSeconds} s")));
            return;
        }

        Schedule();
    }

    // How long the function may go unused before it scales to zero: its version's idle timeout, or at once when no
    // version is loaded (it is gone, failed to load, or could not attach).
    // An extra instance (shard n ≥ 1) retires sooner: Granary:Scaling:RetireAfterSeconds, if shorter.
    private TimeSpan IdleTimeout => TimeSpan.FromSeconds(_function?.Definition.Spec.IdleTimeoutSeconds is { } idle
        ? (_shard == 0 ? idle : Math.Min(idle, scaling.Value.RetireAfterSeconds))
        : 0);

    // Tells the silo's sweep when this activation next needs it: to report (a second after records are waiting, else at
    // the heartbeat), to release isolates a burst left unused, or to deactivate once idle for the function's timeout.
    private void Schedule() => _local?.VisitIn(NextVisit());

    // Read on any thread (a call served by TryInvokeLocally brings the visit closer when it ends).
    private TimeSpan NextVisit()
    {
        var next = _attached ? (Unreported > 0 ? s_reportDelay : s_heartbeat) - local.Clock.GetElapsedTime(Volatile.Read(ref _lastReport)) : Timeout.InfiniteTimeSpan;
        if (_function is { Instances: > 1 })
        {
            next = Sooner(next, s_trimEvery);
        }

        if (InFlight == 0 && _local is { } activation)
        {
            next = Sooner(next, IdleTimeout - activation.SinceLastUse);
        }

        return next;
    }

    private int Unreported
    {
        get
        {
            lock (_recordsGate)
            {
                return _unreported.Count;
            }
        }
    }

    private static TimeSpan Sooner(TimeSpan a, TimeSpan b) =>
        b == Timeout.InfiniteTimeSpan ? a : a == Timeout.InfiniteTimeSpan || b < a ? b : a;

    // The answer is the version of the live set of instances, which this one then sends with its answers.
    private async Task ReportAsync()
    {
        Volatile.Write(ref _lastReport, local.Clock.GetTimestamp());
        var function = _function;
        var state = function is null ? FunctionState.Activating : FunctionState.Running;
        _shardSet = await GrainFactory.GetFunctionDefinition(_id).ReportAsync(Info(state, function?.Definition.Version ?? 0), TakeUnreported());
    }

    private ActivationInfo Info(FunctionState state, int version) => new(
        _activationId,
        _silo,
        state,
        version,
        _since,
        _function?.Instances ?? 0,
        InFlight,
        _shard);

    private ImmutableArray<InvocationRecord> TakeUnreported()
    {
        lock (_recordsGate)
        {
            var records = _unreported.ToImmutableArray();
            _unreported.Clear();
            return records;
        }
    }

    // Called as each request ends (a starting one only touches its use time). The last use is kept in this silo's
    // activation list, where the sweep reads it (for the idle timeout and the least-recently-used eviction) with the
    // time of the next visit.
    private void Touch()
    {
        _local?.Touch();
        Schedule();
    }

    // The security headers of one version (see Security).
    private sealed record SecurityOf(FunctionDefinition For, ResponseSecurity Headers);

    [LoggerMessage(EventId = 2100, Level = LogLevel.Debug, Message = "Function {Function} version {Version} activated in {InitMs:F2} ms")]
    private partial void LogActivated(string function, int version, double initMs);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Debug, Message = "Function {Function} deactivated ({Reason})")]
    private partial void LogDeactivated(string function, DeactivationReasonCode reason);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Function {Function} failed to load: {Reason}")]
    private partial void LogLoadFailed(string function, string reason);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "Function {Function} switched to version {Version}")]
    private partial void LogReloaded(string function, int version);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "Function {Function} could not report to its definition grain")]
    private partial void LogReportFailed(string function, Exception exception);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Warning, Message = "Function {Function} could not detach from its definition grain")]
    private partial void LogDetachFailed(string function, Exception exception);

    [LoggerMessage(EventId = 2107, Level = LogLevel.Debug, Message = "Function {Function} instance {Shard} is busy ({InFlight} in flight, maxConcurrency {MaxConcurrency}); asking for another instance")]
    private partial void LogBusy(string function, int shard, int inFlight, int maxConcurrency);

    // Off by default (nothing per request); Logging:LogLevel:Granary.Functions.FunctionGrain=Debug turns it on, with the
    // invocation's scope (tenant, workspace, function, version, invocation id, trace id) on each line.
    [LoggerMessage(EventId = 2108, Level = LogLevel.Debug, Message = "Function {Function} invocation {InvocationId} answered {StatusCode} ({Outcome}) in {DurationMs:F1} ms")]
    private partial void LogInvoked(string function, string invocationId, int statusCode, string outcome, double durationMs);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Warning, Message = "Function {Function} version {Version} failed to warm up after a reload: {Reason}")]
    private partial void LogWarmUpFailed(string function, int version, string reason, Exception? exception);
}
