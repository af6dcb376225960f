using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Granary.Tenants;

/// <summary>
/// A tenant, keyed by its name: its settings and quotas, its API keys (hashes only), its secrets (encrypted), and the
/// index of its functions and workspaces that quotas, access rules and gateways read. One activation per tenant in
/// the cluster, so its counts are exact wherever a deployment arrives.
/// </summary>
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>Gets the tenant, or null when it does not exist.</summary>
    [AlwaysInterleave]
    Task<TenantInfo?> GetAsync();

    /// <summary>Creates the tenant, or changes its quotas. Returns true when it was created.</summary>
    Task<bool> PutAsync(TenantQuotas quotas);

    /// <summary>
    /// Deletes the tenant with everything it has: functions (with their versions and invocation records), workspaces
    /// (with their snippets and cache), keys, secrets and audit log. Returns false when it did not exist.
    /// </summary>
    [ResponseTimeout("00:10:00")]
    Task<bool> DeleteAsync();

    /// <summary>
    /// Creates a key with a role of <see cref="TenantRoles.TenantKeyRoles"/>, valid until <paramref name="expiresAt"/>
    /// when given; null when the tenant does not exist.
    /// </summary>
    Task<CreatedApiKey?> CreateKeyAsync(string role, string name, string? createdBy, DateTimeOffset? expiresAt);

    /// <summary>Gets the tenant's keys (never the keys themselves).</summary>
    [AlwaysInterleave]
    Task<ImmutableArray<ApiKeyInfo>> GetKeysAsync();

    /// <summary>Revokes a key: it stops working on every gateway within <c>Granary:Auth:RefreshMs</c>. False when there is no such key.</summary>
    Task<bool> RevokeKeyAsync(string id);

    /// <summary>Sets a secret (encrypted before it is stored). Returns the refusal, or null, and whether the secret is new.</summary>
    Task<(TenantRefusal? Refusal, bool Created)> SetSecretAsync(string name, string value);

    /// <summary>Gets the names and times of the tenant's secrets, never their values.</summary>
    [AlwaysInterleave]
    Task<ImmutableArray<SecretInfo>> GetSecretsAsync();

    /// <summary>Deletes a secret; refused (409) while a function uses it, 404 when there is none.</summary>
    Task<TenantRefusal?> DeleteSecretAsync(string name);

    /// <summary>
    /// Used by function grains as they load: the values of the named secrets, decrypted, for the function's environment.
    /// Refused when one of them does not exist.
    /// </summary>
    [AlwaysInterleave]
    Task<(TenantRefusal? Refusal, ImmutableDictionary<string, string> Values)> GetSecretValuesAsync(ImmutableArray<string> names);

    /// <summary>Used by gateways: the snapshot, or null when <paramref name="knownVersion"/> is still current.</summary>
    [AlwaysInterleave]
    Task<TenantSnapshot?> GetSnapshotAsync(long knownVersion);

    /// <summary>
    /// Used by a function's definition grain: checks that the tenant exists, the quotas (functions, workspaces, code
    /// size, dependency sets) and that the secrets exist; with <paramref name="commit"/>, also records the function.
    /// The grain checks before it installs packages and compiles, and commits before it stores the version.
    /// </summary>
    Task<TenantRefusal?> RegisterFunctionAsync(FunctionRegistration registration, bool commit);

    /// <summary>Used by a function's definition grain when the function is deleted.</summary>
    [AlwaysInterleave]
    Task UnregisterFunctionAsync(string workspace, string name);

    /// <summary>Used by a workspace grain before it stores Custom Code snippets: the same checks as for a function.</summary>
    Task<TenantRefusal?> RegisterSnippetsAsync(string workspace, int codeBytes, string? dependencySet, bool commit);

    /// <summary>Used by a workspace grain when its snippets are deleted.</summary>
    [AlwaysInterleave]
    Task UnregisterSnippetsAsync(string workspace);

    /// <summary>Creates a workspace or changes who may run its snippets. Returns the refusal (quota, no tenant), or null.</summary>
    Task<(TenantRefusal? Refusal, bool Created)> PutWorkspaceAsync(string workspace, string access);

    /// <summary>Gets the tenant's workspaces.</summary>
    [AlwaysInterleave]
    Task<ImmutableArray<WorkspaceInfo>> GetWorkspacesAsync();

    /// <summary>Deletes a workspace with its functions, snippets and cache. False when it did not exist.</summary>
    [ResponseTimeout("00:10:00")]
    Task<bool> DeleteWorkspaceAsync(string workspace);

    /// <summary>Used by silos: the tenant's quotas in effect, or null when the tenant does not exist.</summary>
    [AlwaysInterleave]
    Task<TenantQuotas?> GetQuotasAsync();

    /// <summary>Used by silos: up to <paramref name="wanted"/> invocations from the tenant's cluster-wide token bucket.</summary>
    [AlwaysInterleave]
    Task<InvocationLease> LeaseInvocationsAsync(int wanted);

    /// <summary>
    /// Used by silos: sets how many concurrency slots <paramref name="silo"/> holds for the tenant. The silo asks for
    /// <paramref name="wanted"/> (replacing what it held, so asking for less returns slots) and is granted at most what
    /// the other silos' unexpired grants leave of the quota, but never fewer than <paramref name="inUse"/>, the
    /// invocations it already runs: those are counted against the quota whatever happens.
    /// </summary>
    [AlwaysInterleave]
    Task<ConcurrencyLease> LeaseConcurrencyAsync(string silo, int inUse, int wanted);
}
