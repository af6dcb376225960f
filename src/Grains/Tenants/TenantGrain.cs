using System.Collections.Immutable;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Granary.Functions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Tenants;

/// <summary>
/// A tenant: its settings, keys and secrets (one state record, changed rarely) and the index of its functions and
/// workspaces (a second record, changed with every deployment). It never runs code; the function and workspace grains
/// ask it before they store anything, so its counts hold across a cluster. Gateways read a versioned snapshot of it.
/// </summary>
[GrainType("tenant")]
[SuppressMessage("Design", "CA1001", Justification = "The SemaphoreSlim never allocates a wait handle; there is nothing to dispose.")]
public sealed partial class TenantGrain(
    [PersistentState("tenant", GranaryStorage.Name)] IPersistentState<TenantState> tenant,
    [PersistentState("index", GranaryStorage.Name)] IPersistentState<TenantIndexState> index,
    IOptions<TenantOptions> options,
    IOptions<FunctionLimits> limits,
    SecretProtector secrets,
    TimeProvider time,
    ILogger<TenantGrain> logger)
    : Grain, ITenantGrain
{
    // Unregistrations interleave with everything else (a function deleted during a tenant's cascade must not wait
    // for the cascade), so index writes take turns.
    private readonly SemaphoreSlim _indexWrite = new(1, 1);
    private string _name = "";
    private long _version;
    private TenantSnapshot? _snapshot;
    private double _tokens;
    private long _tokensAt;
    private ConcurrencyLeases? _concurrency;

    // The tenant's quotas in effect; code is never allowed past the silo's own limit.
    private TenantQuotas Quotas
    {
        get
        {
            var quotas = tenant.State.Quotas.Resolve(options.Value.Defaults.ToQuotas());
            return quotas with { MaxCodeBytes = Math.Min(quotas.MaxCodeBytes!.Value, limits.Value.MaxCodeBytes) };
        }
    }

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _name = this.GetPrimaryKeyString();

        // Versions are compared for equality only; a random start keeps a new activation's from matching an old one's.
        _version = Random.Shared.NextInt64(1, long.MaxValue / 2);
        if (!tenant.RecordExists && _name == TenantOptions.DefaultTenant && options.Value.CreateDefaultTenant)
        {
            // The default tenant exists from the first start; once deleted its record says so and it stays deleted.
            var now = time.GetUtcNow();
            (tenant.State.Exists, tenant.State.CreatedAt, tenant.State.UpdatedAt) = (true, now, now);
            await tenant.WriteOrFailAsync();
        }

        await ReencryptAsync();
    }

    /// <inheritdoc />
    public Task<TenantInfo?> GetAsync() => Task.FromResult(tenant.State.Exists
        ? new TenantInfo(_name, Quotas, tenant.State.Quotas, Usage(), tenant.State.CreatedAt, tenant.State.UpdatedAt)
        : null);

    /// <inheritdoc />
    public async Task<bool> PutAsync(TenantQuotas quotas)
    {
        ArgumentNullException.ThrowIfNull(quotas);
        var created = !tenant.State.Exists;
        var now = time.GetUtcNow();
        var before = (tenant.State.Exists, tenant.State.Deleted, tenant.State.Quotas, tenant.State.CreatedAt, tenant.State.UpdatedAt);
        tenant.State.Exists = true;
        tenant.State.Deleted = false;
        tenant.State.Quotas = quotas;
        tenant.State.UpdatedAt = now;
        if (created)
        {
            tenant.State.CreatedAt = now;
        }

        await tenant.WriteOrUndoAsync(() =>
            (tenant.State.Exists, tenant.State.Deleted, tenant.State.Quotas, tenant.State.CreatedAt, tenant.State.UpdatedAt) = before);

        Changed();
        if (created)
        {
            await Directory().SetExistsAsync(_name, true);
            LogCreated(_name);
        }

        return created;
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync()
    {
        if (!tenant.State.Exists)
        {
            return false;
        }

        // Everything the tenant has goes first, so that a delete that fails half-way can simply be repeated.
        foreach (var workspace in WorkspaceNames())
        {
            await RemoveWorkspaceAsync(workspace);
        }

        await WriteIndexAsync();
        await GrainFactory.GetGrain<ITenantAuditGrain>(_name).ClearAsync();
        tenant.State = new TenantState { Deleted = true };
        await tenant.WriteOrFailAsync();
        Changed();
        await Directory().SetExistsAsync(_name, false);
        LogDeleted(_name);
        return true;
    }

    /// <inheritdoc />
    public async Task<CreatedApiKey?> CreateKeyAsync(string role, string name, string? createdBy, DateTimeOffset? expiresAt)
    {
        ArgumentNullException.ThrowIfNull(role);
        ArgumentNullException.ThrowIfNull(name);
        if (!tenant.State.Exists || !TenantRoles.TenantKeyRoles.Contains(role))
        {
            return null;
        }

        var (id, key, hash) = ApiKeys.Generate(_name);
        var stored = new StoredKey { Id = id, Role = role, Name = name, Hash = hash, CreatedAt = time.GetUtcNow(), CreatedBy = createdBy, ExpiresAt = expiresAt };
        tenant.State.Keys.Add(stored);
        await tenant.WriteOrUndoAsync(() => tenant.State.Keys.Remove(stored));

        Changed();
        var prefix = ApiKeys.Prefix(_name, id);
        LogKeyCreated(_name, prefix, role);
        return new CreatedApiKey(Info(stored), key);
    }

    /// <inheritdoc />
    public Task<ImmutableArray<ApiKeyInfo>> GetKeysAsync() => Task.FromResult(tenant.State.Keys.Select(Info).ToImmutableArray());

    /// <inheritdoc />
    public async Task<bool> RevokeKeyAsync(string id)
    {
        var index = tenant.State.Keys.FindIndex(k => k.Id == id);
        if (index < 0)
        {
            return false;
        }

        var revoked = tenant.State.Keys[index];
        tenant.State.Keys.RemoveAt(index);
        await tenant.WriteOrUndoAsync(() => tenant.State.Keys.Insert(index, revoked));

        Changed();
        var prefix = ApiKeys.Prefix(_name, id);
        LogKeyRevoked(_name, prefix);
        return true;
    }

    /// <inheritdoc />
    public async Task<(TenantRefusal? Refusal, bool Created)> SetSecretAsync(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        if (!tenant.State.Exists)
        {
            return (TenantRefusal.NotFound(_name), false);
        }

        if (!secrets.CanProtect)
        {
            return (new TenantRefusal(503, "secrets-unavailable", "Secrets unavailable", SecretProtector.NoKeyMessage), false);
        }

        var now = time.GetUtcNow();
        var previous = tenant.State.Secrets.GetValueOrDefault(name);
        tenant.State.Secrets[name] = new StoredSecret { Value = secrets.Protect(_name, name, value), CreatedAt = previous?.CreatedAt ?? now, UpdatedAt = now };
        await tenant.WriteOrUndoAsync(() =>
        {
            if (previous is null)
            {
                tenant.State.Secrets.Remove(name);
            }
            else
            {
                tenant.State.Secrets[name] = previous;
            }
        });

        // Functions that read the secret reload with its new value; they must not hold this grain's turn meanwhile.
        foreach (var key in FunctionsReading(name))
        {
            var (workspace, function) = Split(key);
            _ = ReloadAsync(new FunctionId(_name, workspace, function));
        }

        return (null, previous is null);
    }

    /// <inheritdoc />
    public Task<ImmutableArray<SecretInfo>> GetSecretsAsync() => Task.FromResult(
        tenant.State.Secrets.Select(s => new SecretInfo(s.Key, s.Value.CreatedAt, s.Value.UpdatedAt)).ToImmutableArray());

    /// <inheritdoc />
    public async Task<TenantRefusal?> DeleteSecretAsync(string name)
    {
        if (!tenant.State.Secrets.TryGetValue(name, out var secret))
        {
            return new TenantRefusal(404, "secret-not-found", "Secret not found", $"Tenant '{_name}' has no secret '{name}'.");
        }

        var users = FunctionsReading(name);
        if (users.Count > 0)
        {
            return new TenantRefusal(409, "secret-in-use", "Secret in use", $"Secret '{name}' is used by {string.Join(", ", users.Take(10))}{(users.Count > 10 ? ", …" : "")}; remove it from their secrets first.");
        }

        tenant.State.Secrets.Remove(name);
        await tenant.WriteOrUndoAsync(() => tenant.State.Secrets[name] = secret);

        return null;
    }

    /// <inheritdoc />
    public Task<(TenantRefusal? Refusal, ImmutableDictionary<string, string> Values)> GetSecretValuesAsync(ImmutableArray<string> names)
    {
        var values = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var name in names.IsDefault ? [] : names)
        {
            if (!tenant.State.Secrets.TryGetValue(name, out var secret))
            {
                return Task.FromResult<(TenantRefusal?, ImmutableDictionary<string, string>)>((MissingSecret(name), ImmutableDictionary<string, string>.Empty));
            }

            values[name] = secrets.Unprotect(_name, name, secret.Value);
        }

        return Task.FromResult<(TenantRefusal?, ImmutableDictionary<string, string>)>((null, values.ToImmutable()));
    }

    /// <inheritdoc />
    public Task<TenantSnapshot?> GetSnapshotAsync(long knownVersion) =>
        Task.FromResult(knownVersion == _version ? null : _snapshot ??= Snapshot());

    /// <inheritdoc />
    public async Task<TenantRefusal?> RegisterFunctionAsync(FunctionRegistration registration, bool commit)
    {
        ArgumentNullException.ThrowIfNull(registration);
        if (!tenant.State.Exists)
        {
            return TenantRefusal.NotFound(_name);
        }

        var key = $"{registration.Workspace}/{registration.Name}";
        var quotas = Quotas;
        index.State.Functions.TryGetValue(key, out var existing);
        if (existing is null && index.State.Functions.Count >= quotas.MaxFunctions)
        {
            return TenantRefusal.QuotaExceeded(_name, "maxFunctions", quotas.MaxFunctions!.Value, $"already has {index.State.Functions.Count} functions, its most");
        }

        if (CheckCommon(registration.Workspace, registration.CodeBytes, registration.DependencySet, existing?.DependencySet, quotas) is { } refusal)
        {
            return refusal;
        }

        foreach (var secret in registration.Secrets.IsDefault ? [] : registration.Secrets)
        {
            if (!tenant.State.Secrets.ContainsKey(secret))
            {
                return MissingSecret(secret);
            }
        }

        if (commit)
        {
            index.State.Functions[key] = new IndexedFunction
            {
                Access = registration.Access,
                Secrets = [.. registration.Secrets.IsDefault ? [] : registration.Secrets],
                DependencySet = registration.DependencySet,
            };
            Changed();
            await WriteIndexAsync();
        }

        return null;
    }

    /// <inheritdoc />
    public async Task UnregisterFunctionAsync(string workspace, string name)
    {
        if (index.State.Functions.Remove($"{workspace}/{name}"))
        {
            Changed();
            await WriteIndexAsync();
        }
    }

    /// <inheritdoc />
    public async Task<TenantRefusal?> RegisterSnippetsAsync(string workspace, int codeBytes, string? dependencySet, bool commit)
    {
        if (!tenant.State.Exists)
        {
            return TenantRefusal.NotFound(_name);
        }

        index.State.Workspaces.TryGetValue(workspace, out var existing);
        if (CheckCommon(workspace, codeBytes, dependencySet, existing?.DependencySet, Quotas) is { } refusal)
        {
            return refusal;
        }

        if (commit)
        {
            existing ??= index.State.Workspaces[workspace] = new IndexedWorkspace();
            (existing.Snippets, existing.DependencySet) = (true, dependencySet);
            Changed();
            await WriteIndexAsync();
        }

        return null;
    }

    /// <inheritdoc />
    public async Task UnregisterSnippetsAsync(string workspace)
    {
        if (index.State.Workspaces.TryGetValue(workspace, out var existing) && existing.Snippets)
        {
            (existing.Snippets, existing.DependencySet) = (false, null);
            if (!existing.Explicit)
            {
                index.State.Workspaces.Remove(workspace);
            }

            Changed();
            await WriteIndexAsync();
        }
    }

    /// <inheritdoc />
    public async Task<(TenantRefusal? Refusal, bool Created)> PutWorkspaceAsync(string workspace, string access)
    {
        if (!tenant.State.Exists)
        {
            return (TenantRefusal.NotFound(_name), false);
        }

        var created = !WorkspaceNames().Contains(workspace);
        if (NewWorkspaceRefusal(workspace, Quotas) is { } refusal)
        {
            return (refusal, false);
        }

        if (!index.State.Workspaces.TryGetValue(workspace, out var entry))
        {
            entry = index.State.Workspaces[workspace] = new IndexedWorkspace();
        }

        (entry.Access, entry.Explicit) = (access, true);
        Changed();
        await WriteIndexAsync();
        return (null, created);
    }

    /// <inheritdoc />
    public Task<ImmutableArray<WorkspaceInfo>> GetWorkspacesAsync()
    {
        var counts = index.State.Functions.Keys.GroupBy(k => Split(k).Workspace).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return Task.FromResult(WorkspaceNames()
            .Order(StringComparer.Ordinal)
            .Select(w => new WorkspaceInfo(
                w,
                index.State.Workspaces.GetValueOrDefault(w)?.Access ?? FunctionAccess.Key,
                counts.GetValueOrDefault(w),
                index.State.Workspaces.GetValueOrDefault(w)?.Snippets ?? false))
            .ToImmutableArray());
    }

    /// <inheritdoc />
    public async Task<bool> DeleteWorkspaceAsync(string workspace)
    {
        if (!WorkspaceNames().Contains(workspace))
        {
            return false;
        }

        await RemoveWorkspaceAsync(workspace);
        await WriteIndexAsync();
        return true;
    }

    /// <inheritdoc />
    public Task<TenantQuotas?> GetQuotasAsync() => Task.FromResult(tenant.State.Exists ? Quotas : null);

    /// <inheritdoc />
    public Task<InvocationLease> LeaseInvocationsAsync(int wanted)
    {
        var rate = Quotas.InvocationsPerSecond ?? 0;
        if (rate <= 0 || !tenant.State.Exists)
        {
            return Task.FromResult(new InvocationLease(Math.Max(wanted, 1), 0, 0));
        }

        // One bucket for the whole cluster, holding at most one second's worth; silos take small leases from it.
        var now = Stopwatch.GetTimestamp();
        _tokens = _tokensAt == 0 ? rate : Math.Min(rate, _tokens + (Stopwatch.GetElapsedTime(_tokensAt, now).TotalSeconds * rate));
        _tokensAt = now;
        var granted = (int)Math.Min(Math.Max(wanted, 1), Math.Floor(_tokens));
        _tokens -= granted;
        var retryAfterMs = granted > 0 ? 0 : (int)Math.Ceiling((1 - _tokens) / rate * 1000);
        return Task.FromResult(new InvocationLease(granted, retryAfterMs, rate));
    }

    /// <inheritdoc />
    public Task<ConcurrencyLease> LeaseConcurrencyAsync(string silo, int inUse, int wanted)
    {
        ArgumentNullException.ThrowIfNull(silo);
        if (Quotas.MaxConcurrentInvocations is not { } limit || !tenant.State.Exists)
        {
            _concurrency?.Clear();
            return Task.FromResult(new ConcurrencyLease(Math.Max(wanted, 0), 0));
        }

        // One table for the whole cluster, like the rate's bucket: silos hold slots and spend them locally.
        _concurrency ??= new ConcurrencyLeases(time);
        return Task.FromResult(new ConcurrencyLease(_concurrency.Lease(silo, inUse, wanted, limit), limit));
    }

    private static (string Workspace, string Name) Split(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return (key[..slash], key[(slash + 1)..]);
    }

    private ApiKeyInfo Info(StoredKey key) =>
        new(key.Id, ApiKeys.Prefix(_name, key.Id), key.Role, key.Name, key.CreatedAt, key.CreatedBy, key.ExpiresAt);

    private TenantRefusal MissingSecret(string name) => new(
        400,
        "secret-not-found",
        "Secret not found",
        $"The function reads secret '{name}', which tenant '{_name}' does not have; set it first with PUT /api/v1/tenants/{_name}/secrets/{name}.");

    // The quotas a function and a workspace's snippets share: a new workspace, the code size and the dependency sets.
    private TenantRefusal? CheckCommon(string workspace, int codeBytes, string? dependencySet, string? replacedSet, TenantQuotas quotas)
    {
        if (NewWorkspaceRefusal(workspace, quotas) is { } refusal)
        {
            return refusal;
        }

        if (codeBytes > quotas.MaxCodeBytes)
        {
            return TenantRefusal.QuotaExceeded(_name, "maxCodeBytes", quotas.MaxCodeBytes!.Value, $"may deploy at most {quotas.MaxCodeBytes} bytes of code per function; this is {codeBytes}");
        }

        if (dependencySet is not null)
        {
            var sets = DependencySets();
            var inUseElsewhere = replacedSet is not null && CountUses(replacedSet) == 1;
            if (!sets.Contains(dependencySet) && (inUseElsewhere ? sets.Count - 1 : sets.Count) >= quotas.MaxDependencySets)
            {
                return TenantRefusal.QuotaExceeded(_name, "maxDependencySets", quotas.MaxDependencySets!.Value, $"already uses {sets.Count} distinct npm dependency sets, its most");
            }
        }

        return null;
    }

    // A workspace the tenant does not have yet would be one too many.
    private TenantRefusal? NewWorkspaceRefusal(string workspace, TenantQuotas quotas)
    {
        var workspaces = WorkspaceNames();
        return !workspaces.Contains(workspace) && workspaces.Count >= quotas.MaxWorkspaces
            ? TenantRefusal.QuotaExceeded(_name, "maxWorkspaces", quotas.MaxWorkspaces!.Value, $"already has {workspaces.Count} workspaces, its most")
            : null;
    }

    // Deletes a workspace's functions and clears the workspace grain, and drops both from the index (written by the caller).
    private async Task RemoveWorkspaceAsync(string workspace)
    {
        foreach (var key in index.State.Functions.Keys.Where(k => Split(k).Workspace == workspace).ToList())
        {
            await GrainFactory.GetFunctionDefinition(new FunctionId(_name, workspace, Split(key).Name)).DeleteForTenantAsync();
            index.State.Functions.Remove(key);
        }

        await GrainFactory.GetWorkspace(_name, workspace).ClearForTenantAsync();
        index.State.Workspaces.Remove(workspace);
        Changed();
    }

    // The functions (as workspace/name) that read a secret.
    private List<string> FunctionsReading(string secret) =>
        [.. index.State.Functions.Where(f => f.Value.Secrets.Contains(secret)).Select(f => f.Key)];

    private int CountUses(string set) =>
        index.State.Functions.Values.Count(f => f.DependencySet == set) + index.State.Workspaces.Values.Count(w => w.DependencySet == set);

    private HashSet<string> DependencySets() =>
    [
        .. index.State.Functions.Values.Select(f => f.DependencySet).OfType<string>(),
        .. index.State.Workspaces.Values.Select(w => w.DependencySet).OfType<string>(),
    ];

    private HashSet<string> WorkspaceNames() =>
        [.. index.State.Functions.Keys.Select(k => Split(k).Workspace), .. index.State.Workspaces.Keys];

    private TenantUsage Usage() => new(
        index.State.Functions.Count,
        WorkspaceNames().Count,
        DependencySets().Count,
        tenant.State.Keys.Count,
        tenant.State.Secrets.Count);

    private TenantSnapshot Snapshot() => new(
        _version,
        tenant.State.Exists,
        [.. tenant.State.Keys.Select(k => new KeyEntry(k.Id, k.Hash, k.Role, k.Name, k.ExpiresAt))],
        index.State.Functions.ToImmutableDictionary(f => f.Key, f => f.Value.Access, StringComparer.Ordinal),
        index.State.Workspaces.ToImmutableDictionary(w => w.Key, w => w.Value.Access, StringComparer.Ordinal));

    private void Changed()
    {
        _version++;
        _snapshot = null;
    }

    private ITenantDirectoryGrain Directory() => GrainFactory.GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key);

    private async Task WriteIndexAsync()
    {
        await _indexWrite.WaitAsync();
        try
        {
            await index.WriteOrFailAsync();
        }
        finally
        {
            _indexWrite.Release();
        }
    }

    // Secrets stored under an earlier master key are re-encrypted under the current one (a rotation completes as
    // tenants load).
    private async Task ReencryptAsync()
    {
        var stale = tenant.State.Secrets.Where(s => !secrets.IsCurrent(s.Value.Value)).ToList();
        if (stale.Count == 0)
        {
            return;
        }

        foreach (var (name, secret) in stale)
        {
            secret.Value = secrets.Protect(_name, name, secrets.Unprotect(_name, name, secret.Value));
        }

        await tenant.WriteOrFailAsync();
        LogReencrypted(_name, stale.Count);
    }

    private async Task ReloadAsync(FunctionId function)
    {
        try
        {
            await GrainFactory.GetFunctionDefinition(function).ReloadSecretsAsync();
        }
        catch (Exception ex)
        {
            LogReloadFailed(function.Key, ex);
        }
    }

    [LoggerMessage(EventId = 2400, Level = LogLevel.Information, Message = "Tenant {Tenant} created")]
    private partial void LogCreated(string tenant);

    [LoggerMessage(EventId = 2401, Level = LogLevel.Information, Message = "Tenant {Tenant} deleted with everything it had")]
    private partial void LogDeleted(string tenant);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Information, Message = "Tenant {Tenant}: key {KeyPrefix} created with role {Role}")]
    private partial void LogKeyCreated(string tenant, string keyPrefix, string role);

    [LoggerMessage(EventId = 2403, Level = LogLevel.Information, Message = "Tenant {Tenant}: key {KeyPrefix} revoked")]
    private partial void LogKeyRevoked(string tenant, string keyPrefix);

    [LoggerMessage(EventId = 2404, Level = LogLevel.Information, Message = "Tenant {Tenant}: {Count} secret(s) re-encrypted under the current master key")]
    private partial void LogReencrypted(string tenant, int count);

    [LoggerMessage(EventId = 2405, Level = LogLevel.Warning, Message = "Function {Function} could not be told that a secret it reads changed; it reads the new value when it next activates")]
    private partial void LogReloadFailed(string function, Exception exception);
}
