using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Granary.Logs;
using Granary.Runtime.Packages;
using Granary.Storage;
using Granary.Tenants;
using Granary.Workspaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Granary.Functions;

/// <summary>
/// Owns one function's definition, versions, invocation history and status. It never runs the function:
/// activating it reads metadata only, so status and history queries cost no isolate.
/// Function grains attach to it, report what they do, and detach when they scale to zero.
/// It is reentrant: a deployment awaits its <see cref="FunctionBuilder"/> (npm install, validation) without holding the
/// grain, so status, definition and history reads, and the activations' reports, are answered meanwhile. Changes
/// (deploy, delete, a secrets reload) still take turns among themselves, in the order they arrive.
/// </summary>
[GrainType("fndef")]
[Reentrant]
[SuppressMessage("Design", "CA1001", Justification = "The SemaphoreSlims never allocate a wait handle; there is nothing to dispose.")]
public sealed partial class FunctionDefinitionGrain(
    [PersistentState("definition", GranaryStorage.Name)] IPersistentState<FunctionDefinitionState> definition,
    [PersistentState("invocations", GranaryStorage.Name)] IPersistentState<InvocationHistoryState> history,
    FunctionBuilder builder,
    IOptions<NpmOptions> npmOptions,
    IOptions<PipOptions> pipOptions,
    IOptions<FunctionLimits> limits,
    TimeProvider time,
    IClusterMembershipService membership,
    ILogger<FunctionDefinitionGrain> logger)
    : Grain, IFunctionDefinitionGrain
{
    /// <summary>How long an activation may go without reporting before its registration is dropped.</summary>
    internal static readonly TimeSpan ActivationLease = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, (ActivationInfo Info, DateTimeOffset Seen)> _activations = [];

    // How long a scale-up may take to load its instance before another may start.
    private static readonly TimeSpan s_startLimit = TimeSpan.FromSeconds(30);

    // The live set of instances as the gateways route over it: its version (0 while it has never held a shard other
    // than 0; then a random start, so a version from an earlier activation of this grain is never taken for this one's),
    // what it held at that version, and the scale-up in progress (which shard, since when).
    private int _shardSet;
    private string _shardSetKey = "";
    private (int Shard, DateTimeOffset Since)? _starting;

    // Reports interleave with each other, so history writes take turns.
    private readonly SemaphoreSlim _historyWrite = new(1, 1);

    // Deployments, deletions and secrets reloads change the definition and tell the activations, one at a time.
    private readonly SemaphoreSlim _changes = new(1, 1);
    private FunctionId _id;
    private bool _historyDirty;

    // The version storage holds. Reads and attaching activations get this one, never a version whose write is still
    // in flight (definition.State holds that one meanwhile, and is put back if the write fails).
    private FunctionDefinition? _current;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _id = FunctionId.Parse(this.GetPrimaryKeyString());
        _current = definition.State.Current;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await PersistHistoryAsync();
    }

    /// <inheritdoc />
    public async Task<CodeError?> CheckAsync(FunctionSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (ValidateSpec(spec) is { } invalid)
        {
            return invalid;
        }

        var now = time.GetUtcNow();
        return await builder.BuildAsync(new FunctionDefinition(_id, spec, definition.State.LastVersion + 1, now, now));
    }

    /// <inheritdoc />
    public Task<DeployResult> DeployAsync(FunctionSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return OneChangeAtATimeAsync(() => DeployNextAsync(spec));
    }

    private async Task<DeployResult> DeployNextAsync(FunctionSpec spec)
    {
        var current = definition.State.Current;
        var now = time.GetUtcNow();
        var candidate = new FunctionDefinition(_id, spec, definition.State.LastVersion + 1, current?.CreatedAt ?? now, now);
        if (ValidateSpec(spec) is { } invalid)
        {
            return DeployResult.Rejected(invalid);
        }

        // The tenant's quotas are checked before packages are installed and the code is compiled (both cost), and
        // the function is recorded in the tenant once the code is known to load.
        var registration = IsSnippets ? null : Registration(spec);
        if (registration is not null && await Tenant().RegisterFunctionAsync(registration, commit: false) is { } refusal)
        {
            return DeployResult.Refused(refusal);
        }

        // The long part, beside the grain: reads answer meanwhile, and other changes wait their turn.
        if (await builder.BuildAsync(candidate) is { } error)
        {
            LogDeployRejected(_id.Key, error.Kind, error.Message);
            return DeployResult.Rejected(error);
        }

        if (registration is not null && await Tenant().RegisterFunctionAsync(registration, commit: true) is { } lateRefusal)
        {
            return DeployResult.Refused(lateRefusal);
        }

        if (current is null && !IsSnippets)
        {
            await GrainFactory.GetWorkspace(_id.Tenant, _id.Workspace).AddFunctionAsync(_id.Name);
        }

        // Changed in memory, then written; if the write fails the state goes back to what is stored.
        var (previous, lastVersion) = (definition.State.Previous.ToList(), definition.State.LastVersion);
        if (current is not null)
        {
            definition.State.Previous.Insert(0, current);
            if (definition.State.Previous.Count > limits.Value.VersionHistorySize)
            {
                definition.State.Previous.RemoveRange(limits.Value.VersionHistorySize, definition.State.Previous.Count - limits.Value.VersionHistorySize);
            }
        }

        definition.State.Current = candidate;
        definition.State.LastVersion = candidate.Version;
        try
        {
            await definition.WriteOrFailAsync();
        }
        catch (StorageUnavailableException)
        {
            (definition.State.Current, definition.State.Previous, definition.State.LastVersion) = (current, previous, lastVersion);
            await RestoreTenantRecordAsync(current);
            throw;
        }

        _current = candidate;
        LogDeployed(_id.Key, candidate.Version);
        await NotifyActivationsAsync(candidate);
        return new DeployResult(current is null ? DeployOutcome.Created : DeployOutcome.Updated, candidate, null);
    }

    /// <inheritdoc />
    public Task<FunctionInfo?> GetAsync() =>
        Task.FromResult(_current is { } current ? new FunctionInfo(current, Status()) : null);

    /// <inheritdoc />
    public Task<bool> DeleteAsync() => OneChangeAtATimeAsync(async () =>
    {
        if (!await DeleteNowAsync())
        {
            return false;
        }

        if (!IsSnippets)
        {
            await Tenant().UnregisterFunctionAsync(_id.Workspace, _id.Name);
        }

        return true;
    });

    /// <inheritdoc />
    public Task ReloadSecretsAsync() => OneChangeAtATimeAsync(async () =>
    {
        // In turn with deployments: a reload that read the old version must not reach the activations after the new one.
        if (_current is { } current)
        {
            await NotifyActivationsAsync(current);
        }

        return true;
    });

    /// <inheritdoc />
    public Task<bool> DeleteForTenantAsync() => OneChangeAtATimeAsync(DeleteNowAsync);

    private async Task<bool> DeleteNowAsync()
    {
        if (definition.State.Current is null)
        {
            return false;
        }

        // A tombstone, not a deletion: version numbers never repeat, even if the name is deployed again.
        var (current, previous) = (definition.State.Current, definition.State.Previous.ToList());
        definition.State.Current = null;
        definition.State.Previous.Clear();
        try
        {
            await definition.WriteOrFailAsync();
        }
        catch (StorageUnavailableException)
        {
            (definition.State.Current, definition.State.Previous) = (current, previous);
            throw;
        }

        _current = null;
        await NotifyActivationsAsync(null);
        await _historyWrite.WaitAsync();
        try
        {
            await history.ClearOrFailAsync();
            _historyDirty = false;
        }
        finally
        {
            _historyWrite.Release();
        }

        if (!IsSnippets)
        {
            // A workspace's snippets share one log, which the workspace clears when its snippets go.
            await GrainFactory.GetFunctionLog(_id).ClearAsync();
            await GrainFactory.GetWorkspace(_id.Tenant, _id.Workspace).RemoveFunctionAsync(_id.Name);
        }

        LogDeleted(_id.Key);
        return true;
    }

    /// <inheritdoc />
    public async Task<ImmutableArray<InvocationRecord>> GetInvocationsAsync(int limit)
    {
        if (_current is null)
        {
            return [];
        }

        // Read-your-writes: collect what live activations have not reported yet.
        var drained = false;
        foreach (var shard in Shards())
        {
            drained |= Append(await GrainFactory.GetFunction(_id, shard).DrainRecordsAsync());
        }

        if (drained)
        {
            await PersistHistoryAsync();
        }

        return [.. history.State.Records.Take(Math.Clamp(limit, 1, limits.Value.InvocationHistorySize))];
    }

    /// <inheritdoc />
    public Task<FunctionDefinition?> AttachAsync(ActivationInfo activation)
    {
        ArgumentNullException.ThrowIfNull(activation);
        _activations[activation.Id] = (activation, time.GetUtcNow());
        return Task.FromResult(_current);
    }

    /// <inheritdoc />
    public async Task<int> ReportAsync(ActivationInfo activation, ImmutableArray<InvocationRecord> records)
    {
        ArgumentNullException.ThrowIfNull(activation);
        _activations[activation.Id] = (activation, time.GetUtcNow());
        var version = ShardSetChanged();
        if (Append(records))
        {
            await PersistHistoryAsync();
        }

        return version;
    }

    /// <inheritdoc />
    public async Task DetachAsync(string activationId, ImmutableArray<InvocationRecord> records)
    {
        _activations.Remove(activationId);
        ShardSetChanged();
        if (Append(records))
        {
            await PersistHistoryAsync();
        }
    }

    /// <inheritdoc />
    public Task<FunctionShards> GetShardsAsync()
    {
        ShardSetChanged();
        return Task.FromResult(new FunctionShards(_shardSet, _current?.Spec.MaxConcurrency ?? int.MaxValue, LiveShards()));
    }

    /// <inheritdoc />
    public async Task RequestInstanceAsync(int shard, int shardSet)
    {
        var version = ShardSetChanged();
        if (_current is not { } current || shardSet != version)
        {
            // Deleted, or the asker has not yet seen the newest set: it measures again with it.
            return;
        }

        var now = time.GetUtcNow();
        var silos = membership.CurrentSnapshot.Members.Count(m => m.Value.Status == SiloStatus.Active);
        var running = _activations.Values.Select(a => a.Info.Shard).ToHashSet();
        var cap = Math.Min(current.Spec.MaxInstances, silos);
        if (running.Count >= cap || (_starting is { } starting && now - starting.Since < s_startLimit))
        {
            return;
        }

        var next = Enumerable.Range(0, current.Spec.MaxInstances).First(n => !running.Contains(n));
        _starting = (next, now);
        LogScalingOut(_id.Key, next, shard, running.Count + 1);
        try
        {
            // Placement puts it on a silo that holds no other instance; it attaches, loads and reports, and the set
            // that gateways route over grows as its report lands.
            await GrainFactory.GetFunction(_id, next).StartAsync();
        }
        catch (Exception ex)
        {
            LogScaleOutFailed(_id.Key, next, ex);
        }
        finally
        {
            if (_starting?.Shard == next)
            {
                _starting = null;
            }
        }
    }

    // The live instances: one per shard that is loaded and serving (the newest activation of a shard, if two overlap).
    private ImmutableArray<ShardInfo> LiveShards() =>
    [
        .. _activations.Values.Select(a => a.Info)
            .Where(a => a.State == FunctionState.Running)
            .GroupBy(a => a.Shard)
            .Select(g => g.MaxBy(a => a.Since)!)
            .OrderBy(a => a.Shard)
            .Select(a => new ShardInfo(a.Shard, a.Silo)),
    ];

    // Drops activations that are gone, and when the live set changed, gives it a new version and tells every live
    // instance (which sends it with its answers, so the gateways read the set again). A set of shard 0 alone needs no
    // version: routing to it needs no list. Returns the current version.
    private int ShardSetChanged()
    {
        Prune();
        var live = LiveShards();
        var key = live.All(s => s.Shard == 0) ? "" : string.Join(",", live.Select(s => $"{s.Shard}@{s.Silo}"));
        if (key == _shardSetKey)
        {
            return _shardSet;
        }

        _shardSetKey = key;
        _shardSet = _shardSet == 0 ? Random.Shared.Next(1, int.MaxValue / 2) : _shardSet + 1;
        foreach (var shard in live)
        {
            // One-way: a lost notice is repaired by the instance's next report (every 10 s), which answers the version.
            _ = GrainFactory.GetFunction(_id, shard.Shard).ShardsChangedAsync(_shardSet);
        }

        return _shardSet;
    }

    private FunctionStatus Status()
    {
        ShardSetChanged();
        if (_activations.Count == 0)
        {
            return FunctionStatus.Idle;
        }

        var activations = _activations.Values.Select(a => a.Info).OrderBy(a => a.Shard).ThenBy(a => a.Since).ToImmutableArray();
        var state = activations.Any(a => a.State == FunctionState.Running) ? FunctionState.Running : FunctionState.Activating;
        return new FunctionStatus(state, activations);
    }

    private void Prune()
    {
        // An activation that stopped reporting is gone, and so is one on a silo the cluster declared dead (killed:
        // it could not detach) without waiting for its lease.
        var now = time.GetUtcNow();
        var dead = membership.CurrentSnapshot.Members.Where(m => m.Value.Status == SiloStatus.Dead).Select(m => m.Key.ToString()).ToHashSet(StringComparer.Ordinal);
        foreach (var (id, (info, seen)) in _activations.ToList())
        {
            if (now - seen > ActivationLease || dead.Contains(info.Silo))
            {
                _activations.Remove(id);
            }
        }
    }

    // Every instance at once; the change answers when all have switched (or failed to: a lost one reads the
    // current version when it next activates).
    private Task NotifyActivationsAsync(FunctionDefinition? next) => Task.WhenAll(Shards().Select(async shard =>
    {
        try
        {
            await GrainFactory.GetFunction(_id, shard).ReloadAsync(next);
        }
        catch (Exception ex)
        {
            LogReloadFailed(_id.Key, ex);
        }
    }));

    // Runs a change once the changes before it are done (reads and reports do not wait for it).
    private async Task<T> OneChangeAtATimeAsync<T>(Func<Task<T>> change)
    {
        await _changes.WaitAsync();
        try
        {
            return await change();
        }
        finally
        {
            _changes.Release();
        }
    }

    // The spec against the limits and the naming rules; returns the refusal, or null.
    private CodeError? ValidateSpec(FunctionSpec spec)
    {
        var problems = FunctionSpecValidator.Validate(spec, limits.Value, snippets: IsSnippets).ToList();
        if (NpmPackages.Validate(spec.Dependencies, npmOptions.Value.MaxDependencies) is { } dependencyProblem)
        {
            problems.Add($"dependencies: {dependencyProblem}");
        }

        if (PipPackages.Validate(spec.Requirements, pipOptions.Value) is { } requirementProblem)
        {
            problems.Add($"requirements: {requirementProblem}");
        }

        return problems.Count > 0 ? new CodeError("validation", string.Join(" ", problems)) : null;
    }

    private ITenantGrain Tenant() => GrainFactory.GetGrain<ITenantGrain>(_id.Tenant);

    private FunctionRegistration Registration(FunctionSpec spec) => new(
        _id.Workspace,
        _id.Name,
        spec.Access,
        spec.Secrets.IsDefault ? [] : spec.Secrets,
        System.Text.Encoding.UTF8.GetByteCount(spec.Code),
        NpmPackages.SetName(spec.Dependencies) ?? PipSetName(spec));

    // A tenant's distinct package sets count against one quota, whichever tool installs them.
    private static string? PipSetName(FunctionSpec spec) =>
        PipPackages.SetName(spec.Requirements) is { } name ? "pip-" + name : null;

    // A version that was recorded in the tenant but could not be stored: the tenant's record goes back to what is stored.
    private async Task RestoreTenantRecordAsync(FunctionDefinition? current)
    {
        if (IsSnippets)
        {
            return;
        }

        try
        {
            if (current is null)
            {
                await Tenant().UnregisterFunctionAsync(_id.Workspace, _id.Name);
            }
            else
            {
                await Tenant().RegisterFunctionAsync(Registration(current.Spec), commit: true);
            }
        }
        catch (Exception ex)
        {
            LogTenantRestoreFailed(_id.Key, ex);
        }
    }

    // The workspace's generated snippets module: deployed by the workspace grain, not listed among its functions.
    private bool IsSnippets => WorkspaceSnippets.IsModule(_id.Name);

    private List<int> Shards() => [.. _activations.Values.Select(a => a.Info.Shard).Distinct()];

    private bool Append(ImmutableArray<InvocationRecord> records)
    {
        if (records.IsDefaultOrEmpty || _current is not { } current)
        {
            return false;
        }

        // An activation of the function as it was before a deletion can hand in its records after the name was deployed
        // again (its detach follows the deletion's notice): they belong to the deleted function, whose history went with
        // it. Every call of the function as it is now started after it was created.
        var all = history.State.Records;
        var before = all.Count;
        all.AddRange(records.Where(record => record.StartedAt >= current.CreatedAt));
        if (all.Count == before)
        {
            return false;
        }

        all.Sort(static (a, b) => b.StartedAt.CompareTo(a.StartedAt));
        if (all.Count > limits.Value.InvocationHistorySize)
        {
            all.RemoveRange(limits.Value.InvocationHistorySize, all.Count - limits.Value.InvocationHistorySize);
        }

        _historyDirty = true;
        return true;
    }

    // Records arrive in batches (a function grain reports at most about once a second), so each batch is
    // written when it arrives: history survives the function going idle and the process stopping.
    private async Task PersistHistoryAsync()
    {
        await _historyWrite.WaitAsync();
        try
        {
            if (!_historyDirty)
            {
                return;
            }

            _historyDirty = false;
            await history.WriteStateAsync();
        }
        catch (Exception ex)
        {
            // Kept dirty: the next batch or the deactivation writes again.
            _historyDirty = true;
            LogHistoryWriteFailed(_id.Key, ex);
        }
        finally
        {
            _historyWrite.Release();
        }
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Deployed function {Function} version {Version}")]
    private partial void LogDeployed(string function, int version);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Refused deployment of function {Function}: {Kind}: {Reason}")]
    private partial void LogDeployRejected(string function, string kind, string reason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Deleted function {Function}")]
    private partial void LogDeleted(string function);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Could not tell the activation of {Function} about a new version")]
    private partial void LogReloadFailed(string function, Exception exception);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Function {Function} scales out: starting instance {Shard} (instance {Busy} is busy; {Count} instance(s) with it)")]
    private partial void LogScalingOut(string function, int shard, int busy, int count);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Function {Function} could not start instance {Shard}")]
    private partial void LogScaleOutFailed(string function, int shard, Exception exception);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Could not persist the invocation history of {Function}")]
    private partial void LogHistoryWriteFailed(string function, Exception exception);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Could not restore the tenant's record of {Function} after its version failed to store")]
    private partial void LogTenantRestoreFailed(string function, Exception exception);
}
