using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Functions;
using Granary.Logs;
using Granary.Runtime.Packages;
using Granary.Runtime.Signatures.CustomCode;
using Granary.Storage;
using Granary.Tenants;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Workspaces;

/// <summary>
/// A workspace: the index of its functions, its Custom Code snippets (deployed as one generated module under the
/// reserved function name <see cref="WorkspaceSnippets.FunctionName"/>) and the <c>cache</c> they share.
/// The cache lives here, once per workspace, whichever silos run the snippets: each run starts from a snapshot
/// and hands back the keys it changed (last writer wins, key by key); <c>cache.incr</c>/<c>decr</c> are applied
/// here atomically. The index and the cache are two records, as they change at different rates: the index with
/// deployments, written before the call returns; the cache with runs, written shortly after a change (write-behind)
/// and on deactivation.
/// </summary>
[GrainType("workspace")]
[SuppressMessage("Design", "CA1001", Justification = "The SemaphoreSlim never allocates a wait handle; the timer is disposed with the activation.")]
public sealed partial class WorkspaceGrain(
    [PersistentState("workspace", GranaryStorage.Name)] IPersistentState<WorkspaceState> state,
    [PersistentState("cache", GranaryStorage.Name)] IPersistentState<WorkspaceCacheState> cacheState,
    IOptions<WorkspaceOptions> options,
    IOptions<FunctionLimits> limits,
    IOptions<NpmOptions> npm,
    IOptions<PipOptions> pip,
    ILogger<WorkspaceGrain> logger)
    : Grain, IWorkspaceGrain
{
    // Cache changes arrive interleaved with other calls, so writes of the cache take turns.
    private readonly SemaphoreSlim _write = new(1, 1);
    private readonly Dictionary<string, string> _cache = new(StringComparer.Ordinal);
    private long _cacheBytes;
    private string? _snapshot;
    private bool _dirty;
    private IGrainTimer? _flush;
    private ImmutableArray<string>? _pythonNames;
    private string _key = "";

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = this.GetPrimaryKeyString();
        await MoveCacheToItsRecordAsync();
        foreach (var (key, value) in cacheState.State.Entries)
        {
            var json = value.GetRawText();
            _cache[key] = json;
            _cacheBytes += Size(key, json);
        }
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _flush?.Dispose();
        await FlushAsync();
    }

    /// <inheritdoc />
    public Task<ImmutableArray<string>> GetFunctionNamesAsync() => Task.FromResult(state.State.Functions.ToImmutableArray());

    /// <inheritdoc />
    public async Task AddFunctionAsync(string name)
    {
        if (state.State.Functions.Add(name))
        {
            try
            {
                await state.WriteOrFailAsync();
            }
            catch (StorageUnavailableException)
            {
                state.State.Functions.Remove(name);
                throw;
            }
        }
    }

    /// <inheritdoc />
    public async Task RemoveFunctionAsync(string name)
    {
        if (state.State.Functions.Remove(name))
        {
            try
            {
                await state.WriteOrFailAsync();
            }
            catch (StorageUnavailableException)
            {
                state.State.Functions.Add(name);
                throw;
            }
        }
    }

    /// <inheritdoc />
    public async Task<SnippetDeployResult> PutSnippetsAsync(WorkspaceSnippets snippets)
    {
        ArgumentNullException.ThrowIfNull(snippets);
        if (JsonNode.Parse(snippets.FunctionsJson) is not JsonObject functions)
        {
            return Refuse(400, new SnippetError("RequestValidationError", "request/body/functions must be object"));
        }

        var (nodejs, python, splitError) = SnippetModule.Split(functions);
        if (splitError is not null)
        {
            return Refuse(400, splitError);
        }

        var (module, error) = SnippetModule.Create(nodejs);
        if (module is null)
        {
            return Refuse(400, error!);
        }

        if (NpmPackages.Validate(snippets.Dependencies, npm.Value.MaxDependencies) is { } dependencyProblem)
        {
            return Refuse(400, new SnippetError("RequestValidationError", $"request/body/dependencies: {dependencyProblem}"));
        }

        var requirements = snippets.Requirements.IsDefault ? [] : snippets.Requirements;
        if (PipPackages.Validate(requirements, pip.Value) is { } requirementProblem)
        {
            return Refuse(400, new SnippetError("RequestValidationError", $"request/body/requirements: {requirementProblem}"));
        }

        // The JavaScript snippets are one module and the Python ones another (siblings call each other within a
        // language). When both change, the Python module is checked before either is stored, so that a refusal
        // leaves the workspace as it was.
        var javascript = Spec(FunctionRuntimes.NodeJs, module.Code, SnippetModule.Export, snippets.Dependencies);
        var pythonSpec = python.Count > 0
            ? Spec(FunctionRuntimes.Python, SnippetModule.CreatePython(python), "main", ImmutableSortedDictionary<string, string>.Empty) with { Requirements = requirements }
            : null;

        // The tenant's quotas (a new workspace, the code size, dependency sets) before anything is installed or compiled.
        var (tenantName, workspaceName) = Names();
        var codeBytes = Encoding.UTF8.GetByteCount(snippets.FunctionsJson);
        // The workspace's npm and pip packages count as one set against the tenant's quota.
        var dependencySet = (NpmPackages.SetName(snippets.Dependencies), PipPackages.SetName(requirements)) switch
        {
            (null, null) => null,
            (var npmSet, null) => npmSet,
            (var npmSet, var pipSet) => npmSet + "+pip-" + pipSet,
        };
        var tenant = GrainFactory.GetGrain<ITenantGrain>(tenantName);
        if (await tenant.RegisterSnippetsAsync(workspaceName, codeBytes, dependencySet, commit: false) is { } refusal)
        {
            return Refuse(refusal.Status, new SnippetError(refusal.Status == 404 ? "ObjectNotFoundError" : "QuotaExceededError", refusal.Detail));
        }

        var pythonModule = GrainFactory.GetFunctionDefinition(SnippetsId(WorkspaceSnippets.PythonFunctionName));
        if (pythonSpec is not null && await pythonModule.CheckAsync(pythonSpec) is { } pythonError)
        {
            return RefuseCode(pythonError, module, python: true);
        }

        var result = await GrainFactory.GetFunctionDefinition(SnippetsId(WorkspaceSnippets.FunctionName)).DeployAsync(javascript);
        if (result.Error is { } codeError)
        {
            return RefuseCode(codeError, module, python: false);
        }

        if (pythonSpec is not null && (await pythonModule.DeployAsync(pythonSpec)).Error is { } lateError)
        {
            return RefuseCode(lateError, module, python: true);
        }

        if (pythonSpec is null && state.State.PythonSnippets)
        {
            await pythonModule.DeleteAsync();
        }

        if (await tenant.RegisterSnippetsAsync(workspaceName, codeBytes, dependencySet, commit: true) is { } lateRefusal)
        {
            return Refuse(lateRefusal.Status, new SnippetError("QuotaExceededError", lateRefusal.Detail));
        }

        using var document = JsonDocument.Parse(snippets.FunctionsJson);
        var stored = (state.State.Snippets, state.State.Dependencies, state.State.PythonSnippets, _pythonNames, state.State.Requirements);
        state.State.Snippets = document.RootElement.Clone();
        state.State.Dependencies = new SortedDictionary<string, string>(snippets.Dependencies, StringComparer.Ordinal);
        state.State.Requirements = [.. requirements];
        state.State.PythonSnippets = pythonSpec is not null;
        _pythonNames = [.. python.Select(f => f.Key)];
        await state.WriteOrUndoAsync(() => (state.State.Snippets, state.State.Dependencies, state.State.PythonSnippets, _pythonNames, state.State.Requirements) = stored);
        LogSnippetsStored(_key, functions.Count, result.Definition!.Version);
        return SnippetDeployResult.Ok;
    }

    /// <inheritdoc />
    public Task<ImmutableArray<string>> GetPythonSnippetNamesAsync() => Task.FromResult(_pythonNames ??= PythonNames());

    /// <inheritdoc />
    public Task<WorkspaceSnippets?> GetSnippetsAsync() => Task.FromResult(state.State.Snippets is { } functions
        ? new WorkspaceSnippets(functions.GetRawText(), state.State.Dependencies.ToImmutableSortedDictionary(StringComparer.Ordinal), [.. state.State.Requirements])
        : null);

    /// <inheritdoc />
    public async Task<bool> DeleteSnippetsAsync()
    {
        if (!await RemoveSnippetsAsync())
        {
            return false;
        }

        var (tenant, workspace) = Names();
        await GrainFactory.GetGrain<ITenantGrain>(tenant).UnregisterSnippetsAsync(workspace);
        return true;
    }

    /// <inheritdoc />
    public async Task ClearForTenantAsync()
    {
        await RemoveSnippetsAsync();
        if (state.State.Functions.Count > 0)
        {
            var functions = state.State.Functions;
            state.State.Functions = new(StringComparer.Ordinal);
            await state.WriteOrUndoAsync(() => state.State.Functions = functions);
        }
    }

    private async Task<bool> RemoveSnippetsAsync()
    {
        if (state.State.Snippets is null)
        {
            return false;
        }

        await GrainFactory.GetFunctionDefinition(SnippetsId(WorkspaceSnippets.FunctionName)).DeleteAsync();
        if (state.State.PythonSnippets)
        {
            await GrainFactory.GetFunctionDefinition(SnippetsId(WorkspaceSnippets.PythonFunctionName)).DeleteAsync();
        }

        await GrainFactory.GetFunctionLog(SnippetsId(WorkspaceSnippets.FunctionName)).ClearAsync();
        state.State.Snippets = null;
        state.State.PythonSnippets = false;
        _pythonNames = [];
        state.State.Dependencies.Clear();
        state.State.Requirements.Clear();
        await state.WriteOrFailAsync();
        _cache.Clear();
        _cacheBytes = 0;
        CacheChanged();
        await FlushAsync();
        return true;
    }

    /// <inheritdoc />
    public Task<string> GetCacheAsync() => Task.FromResult(_snapshot ??= Snapshot());

    /// <inheritdoc />
    public async Task<bool> ApplyCacheChangesAsync(CacheChanges changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var size = _cacheBytes;
        foreach (var key in changes.Deleted)
        {
            if (_cache.TryGetValue(key, out var old) && !changes.Set.ContainsKey(key))
            {
                size -= Size(key, old);
            }
        }

        foreach (var (key, json) in changes.Set)
        {
            size += Size(key, json) - (_cache.TryGetValue(key, out var old) ? Size(key, old) : 0);
        }

        if (size > options.Value.MaxCacheBytes)
        {
            LogCacheFull(_key, size, options.Value.MaxCacheBytes);
            return false;
        }

        foreach (var key in changes.Deleted)
        {
            _cache.Remove(key);
        }

        foreach (var (key, json) in changes.Set)
        {
            _cache[key] = json;
        }

        _cacheBytes = size;
        await CacheChangedAsync();
        return true;
    }

    /// <inheritdoc />
    public async Task<double> IncrementCacheAsync(string key, double delta)
    {
        ArgumentNullException.ThrowIfNull(key);
        var current = _cache.TryGetValue(key, out var json) && double.TryParse(json, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number) ? number : 0;
        var next = current + delta;
        var text = JsonSerializer.Serialize(next);
        _cacheBytes += Size(key, text) - (json is null ? 0 : Size(key, json));
        _cache[key] = text;
        await CacheChangedAsync();
        return next;
    }

    // A workspace stored before the cache had a record of its own keeps the cache in its index. It moves once: the
    // cache record is written first, so a failure between the two writes leaves the cache in both places (the cache
    // record wins next time), never in neither.
    private async Task MoveCacheToItsRecordAsync()
    {
        if (state.State.Cache is not { } stored)
        {
            return;
        }

        if (stored.Count > 0 && !cacheState.RecordExists)
        {
            cacheState.State.Entries = new Dictionary<string, JsonElement>(stored, StringComparer.Ordinal);
            await cacheState.WriteOrFailAsync();
        }

        state.State.Cache = null;
        await state.WriteOrFailAsync();
        LogCacheMoved(_key, stored.Count);
    }

    private static long Size(string key, string json) => Encoding.UTF8.GetByteCount(key) + json.Length + 4;

    private FunctionSpec Spec(string runtime, string code, string handler, ImmutableSortedDictionary<string, string> dependencies)
    {
        var settings = options.Value;
        var max = limits.Value;
        return new FunctionSpec
        {
            Runtime = runtime,
            Code = code,
            Handler = handler,
            Signature = FunctionSignatures.Snippets,
            TimeoutSeconds = Math.Min((RunTimeoutMs(settings, runtime) + 999) / 1000, max.MaxTimeoutSeconds),
            MemoryLimitMb = Math.Min(settings.MemoryLimitMb, max.MaxMemoryLimitMb),
            IdleTimeoutSeconds = Math.Min(settings.IdleTimeoutSeconds, max.MaxIdleTimeoutSeconds),
            MaxConcurrency = Math.Min(settings.MaxConcurrency, max.MaxConcurrency),
            Dependencies = dependencies,
        };
    }

    private static int RunTimeoutMs(WorkspaceOptions settings, string runtime) =>
        runtime == FunctionRuntimes.Python ? settings.PythonRunTimeoutMs ?? settings.RunTimeoutMs : settings.RunTimeoutMs;

    private SnippetDeployResult RefuseCode(CodeError error, SnippetModule module, bool python)
    {
        LogSnippetsRefused(_key, error.Kind, error.Message);
        return error.Kind switch
        {
            CodeErrorKinds.Dependencies => Refuse(422, new SnippetError("DependencyInstallError", error.Message)),
            CodeErrorKinds.Compile or CodeErrorKinds.Load when python => Refuse(400, SnippetModule.DescribePython(error)),
            CodeErrorKinds.Compile or CodeErrorKinds.Load => Refuse(400, module.Describe(error)),
            _ => Refuse(400, new SnippetError("RequestValidationError", error.Message)),
        };
    }

    private ImmutableArray<string> PythonNames()
    {
        if (state.State.Snippets is not { } functions || !state.State.PythonSnippets)
        {
            return [];
        }

        var (_, python, _) = SnippetModule.Split((JsonObject)JsonNode.Parse(functions.GetRawText())!);
        return [.. python.Select(f => f.Key)];
    }

    private static SnippetDeployResult Refuse(int status, SnippetError error) => new(status, error.ToJson().ToJsonString(SnippetJson.Options));

    private FunctionId SnippetsId(string module)
    {
        var (tenant, workspace) = Names();
        return new FunctionId(tenant, workspace, module);
    }

    private (string Tenant, string Workspace) Names()
    {
        var slash = _key.IndexOf('/', StringComparison.Ordinal);
        return (_key[..slash], _key[(slash + 1)..]);
    }

    private string Snapshot()
    {
        var text = new StringBuilder("{");
        foreach (var (key, json) in _cache)
        {
            if (text.Length > 1)
            {
                text.Append(',');
            }

            text.Append(JsonSerializer.Serialize(key)).Append(':').Append(json);
        }

        return text.Append('}').ToString();
    }

    private void CacheChanged()
    {
        _snapshot = null;
        _dirty = true;
    }

    private async Task CacheChangedAsync()
    {
        CacheChanged();
        var delay = options.Value.CacheFlushDelayMs;
        if (delay == 0)
        {
            await FlushAsync();
        }
        else
        {
            _flush ??= this.RegisterGrainTimer(OnFlushTimerAsync, new GrainTimerCreationOptions(TimeSpan.FromMilliseconds(delay), Timeout.InfiniteTimeSpan) { Interleave = true });
        }
    }

    private async Task OnFlushTimerAsync(CancellationToken cancellationToken)
    {
        _flush?.Dispose();
        _flush = null;
        try
        {
            await FlushAsync();
        }
        catch (Exception ex)
        {
            // Still dirty: the next change or the deactivation tries again.
            LogFlushFailed(_key, ex);
        }
    }

    private async Task FlushAsync()
    {
        if (_dirty)
        {
            await WriteCacheAsync();
        }
    }

    private async Task WriteCacheAsync()
    {
        await _write.WaitAsync();
        try
        {
            // Whatever changed up to now goes into this write; later changes mark the cache dirty again.
            _dirty = false;
            var cache = new Dictionary<string, JsonElement>(_cache.Count, StringComparer.Ordinal);
            foreach (var (key, json) in _cache)
            {
                using var document = JsonDocument.Parse(json);
                cache[key] = document.RootElement.Clone();
            }

            cacheState.State.Entries = cache;
            await cacheState.WriteOrFailAsync();
        }
        catch
        {
            _dirty = true;
            throw;
        }
        finally
        {
            _write.Release();
        }
    }

    [LoggerMessage(EventId = 2300, Level = LogLevel.Information, Message = "Workspace {Workspace} stored {Count} snippet(s) as version {Version}")]
    private partial void LogSnippetsStored(string workspace, int count, int version);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "Workspace {Workspace} refused its snippets ({Kind}): {Reason}")]
    private partial void LogSnippetsRefused(string workspace, string kind, string reason);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Warning, Message = "Workspace {Workspace} cache would grow to {Size} bytes, over its limit of {Limit}; the run's changes were refused")]
    private partial void LogCacheFull(string workspace, long size, long limit);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Warning, Message = "Workspace {Workspace} could not write its cache; it retries on the next change")]
    private partial void LogFlushFailed(string workspace, Exception exception);

    [LoggerMessage(EventId = 2304, Level = LogLevel.Information, Message = "Workspace {Workspace} moved its cache ({Count} keys) out of its index into a record of its own")]
    private partial void LogCacheMoved(string workspace, int count);
}
