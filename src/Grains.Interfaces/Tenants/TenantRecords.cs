using System.Collections.Immutable;

namespace Granary.Tenants;

// The records the tenant grain exchanges with the gateway, kept together so that their serializer ids and aliases
// are reviewed in one place (never renumber an [Id]).

/// <summary>A tenant as the API shows it: its quotas in effect, the ones set on it, and what it uses.</summary>
/// <param name="Name">The tenant name.</param>
/// <param name="Quotas">The quotas in effect (set ones, else the configured defaults).</param>
/// <param name="Overrides">The quotas set on the tenant itself (null fields follow the defaults).</param>
/// <param name="Usage">What the tenant uses now.</param>
/// <param name="CreatedAt">When the tenant was created.</param>
/// <param name="UpdatedAt">When its settings last changed.</param>
[GenerateSerializer, Immutable, Alias("granary.TenantInfo")]
public sealed record TenantInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] TenantQuotas Quotas,
    [property: Id(2)] TenantQuotas Overrides,
    [property: Id(3)] TenantUsage Usage,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset UpdatedAt);

/// <summary>What a tenant uses, counted against its quotas.</summary>
/// <param name="Functions">Its functions.</param>
/// <param name="Workspaces">Its workspaces (with functions, snippets or settings).</param>
/// <param name="DependencySets">The distinct npm dependency sets its functions and workspaces use.</param>
/// <param name="Keys">Its API keys.</param>
/// <param name="Secrets">Its secrets.</param>
[GenerateSerializer, Immutable, Alias("granary.TenantUsage")]
public sealed record TenantUsage(
    [property: Id(0)] int Functions,
    [property: Id(1)] int Workspaces,
    [property: Id(2)] int DependencySets,
    [property: Id(3)] int Keys,
    [property: Id(4)] int Secrets);

/// <summary>A workspace of a tenant as the API lists it.</summary>
/// <param name="Name">The workspace name.</param>
/// <param name="Access">Who may run its Custom Code snippets through <c>/v2/functions/{workspace}/run/…</c>.</param>
/// <param name="Functions">How many functions it holds.</param>
/// <param name="HasSnippets">Whether it holds Custom Code snippets.</param>
[GenerateSerializer, Immutable, Alias("granary.WorkspaceInfo")]
public sealed record WorkspaceInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] string Access,
    [property: Id(2)] int Functions,
    [property: Id(3)] bool HasSnippets);

/// <summary>A secret as listings show it: its name and times, never its value.</summary>
/// <param name="Name">The secret's name, which is also the environment variable a function sees.</param>
/// <param name="CreatedAt">When it was first set.</param>
/// <param name="UpdatedAt">When its value last changed.</param>
[GenerateSerializer, Immutable, Alias("granary.SecretInfo")]
public sealed record SecretInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] DateTimeOffset CreatedAt,
    [property: Id(2)] DateTimeOffset UpdatedAt);

/// <summary>An API key as listings show it: never the key itself, only the prefix that names it.</summary>
/// <param name="Id">The key's id, unique in its tenant (<c>DELETE …/keys/{id}</c> revokes it).</param>
/// <param name="Prefix">The start of the key (<c>gk_{tenant}_{id}</c>), which names it in logs without revealing it.</param>
/// <param name="Role">Its role (see <see cref="TenantRoles"/>).</param>
/// <param name="Name">The name its creator gave it.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="CreatedBy">Who created it: the creating key's prefix.</param>
/// <param name="ExpiresAt">When it stops working, if it was given an end.</param>
[GenerateSerializer, Immutable, Alias("granary.ApiKeyInfo")]
public sealed record ApiKeyInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Prefix,
    [property: Id(2)] string Role,
    [property: Id(3)] string Name,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] string? CreatedBy,
    [property: Id(6)] DateTimeOffset? ExpiresAt = null);

/// <summary>A key just created: the only time its secret value is shown.</summary>
/// <param name="Info">The key as listings show it.</param>
/// <param name="Key">The key itself, to be sent as <c>Authorization: Bearer {Key}</c>.</param>
[GenerateSerializer, Immutable, Alias("granary.CreatedApiKey")]
public sealed record CreatedApiKey(
    [property: Id(0)] ApiKeyInfo Info,
    [property: Id(1)] string Key);

/// <summary>What a tenant records of one of its functions when it is deployed: what quotas and access rules need.</summary>
/// <param name="Workspace">The function's workspace.</param>
/// <param name="Name">The function's name.</param>
/// <param name="Access">Who may invoke it (see <see cref="FunctionAccess"/>).</param>
/// <param name="Secrets">The names of the tenant secrets it reads.</param>
/// <param name="CodeBytes">The size of its code, in bytes.</param>
/// <param name="DependencySet">A stable name of its npm dependency set, or null when it has none.</param>
[GenerateSerializer, Immutable, Alias("granary.FunctionRegistration")]
public sealed record FunctionRegistration(
    [property: Id(0)] string Workspace,
    [property: Id(1)] string Name,
    [property: Id(2)] string Access,
    [property: Id(3)] ImmutableArray<string> Secrets,
    [property: Id(4)] int CodeBytes,
    [property: Id(5)] string? DependencySet);

/// <summary>
/// What a gateway needs to know of a tenant to authenticate and route without asking again per request: its keys
/// (hashes only), and which of its functions and workspaces exist and who may call them. Versioned: a gateway holds
/// the last one and asks for a newer one once per <c>Granary:Auth:RefreshMs</c> while the tenant has traffic, or on a miss.
/// </summary>
/// <param name="Version">Changes whenever anything in the snapshot changes.</param>
/// <param name="Exists">Whether the tenant exists.</param>
/// <param name="Keys">The tenant's keys.</param>
/// <param name="Functions">The tenant's functions as <c>workspace/name</c> with their access.</param>
/// <param name="Workspaces">The tenant's workspaces with their access.</param>
[GenerateSerializer, Immutable, Alias("granary.TenantSnapshot")]
public sealed record TenantSnapshot(
    [property: Id(0)] long Version,
    [property: Id(1)] bool Exists,
    [property: Id(2)] ImmutableArray<KeyEntry> Keys,
    [property: Id(3)] ImmutableDictionary<string, string> Functions,
    [property: Id(4)] ImmutableDictionary<string, string> Workspaces);

/// <summary>One key of a tenant as gateways verify it.</summary>
/// <param name="Id">The key id.</param>
/// <param name="Hash">SHA-256 of the whole key.</param>
/// <param name="Role">Its role.</param>
/// <param name="Name">Its name.</param>
/// <param name="ExpiresAt">When it stops working, if ever.</param>
[GenerateSerializer, Immutable, Alias("granary.KeyEntry")]
public sealed record KeyEntry(
    [property: Id(0)] string Id,
    [property: Id(1)] byte[] Hash,
    [property: Id(2)] string Role,
    [property: Id(3)] string Name,
    [property: Id(4)] DateTimeOffset? ExpiresAt = null);

/// <summary>The tenants that exist, for gateways to refuse unknown tenant names without activating a grain.</summary>
/// <param name="Version">Changes whenever a tenant is created or deleted.</param>
/// <param name="Tenants">The tenant names.</param>
[GenerateSerializer, Immutable, Alias("granary.TenantList")]
public sealed record TenantList(
    [property: Id(0)] long Version,
    [property: Id(1)] ImmutableArray<string> Tenants);

/// <summary>Invocations a silo may start for a tenant, from the tenant's cluster-wide token bucket.</summary>
/// <param name="Granted">How many invocations the silo may start (0 when the bucket is empty).</param>
/// <param name="RetryAfterMs">When nothing was granted, how long until a token is available, in ms.</param>
/// <param name="PerSecond">The tenant's rate quota in effect (0 = unlimited).</param>
[GenerateSerializer, Immutable, Alias("granary.InvocationLease")]
public sealed record InvocationLease(
    [property: Id(0)] int Granted,
    [property: Id(1)] int RetryAfterMs,
    [property: Id(2)] int PerSecond);

/// <summary>
/// The concurrency slots a silo holds for a tenant: how many of the tenant's invocations may run or wait on it at once,
/// out of the tenant's cluster-wide <see cref="TenantQuotas.MaxConcurrentInvocations"/>. A grant replaces the silo's
/// previous one and lapses unless renewed within <see cref="Lifetime"/>.
/// </summary>
/// <param name="Granted">How many invocations the silo may have running or waiting at once (never fewer than it said it has).</param>
/// <param name="Limit">The tenant's concurrency quota in effect (0 = unlimited, and nothing is held).</param>
[GenerateSerializer, Immutable, Alias("granary.ConcurrencyLease")]
public sealed record ConcurrencyLease(
    [property: Id(0)] int Granted,
    [property: Id(1)] int Limit)
{
    /// <summary>How long a grant holds without being renewed; the slots of a silo that stopped renewing go back to the pool.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(3);
}

/// <summary>
/// Why a tenant refused a change: the tenant does not exist, a quota would be exceeded, a secret is missing or in use.
/// The gateway turns it into a problem-details answer with the same status, slug and fields.
/// </summary>
/// <param name="Status">The HTTP status (403, 404, 409, 400).</param>
/// <param name="Slug">The problem type's last part (<c>urn:granary:problem:{Slug}</c>).</param>
/// <param name="Title">A short title.</param>
/// <param name="Detail">What happened, in the user's terms, naming the quota and its value when it is one.</param>
/// <param name="Quota">The quota's name (<c>maxFunctions</c>, …), when a quota refused.</param>
/// <param name="Limit">The quota's value, when a quota refused.</param>
[GenerateSerializer, Immutable, Alias("granary.TenantRefusal")]
public sealed record TenantRefusal(
    [property: Id(0)] int Status,
    [property: Id(1)] string Slug,
    [property: Id(2)] string Title,
    [property: Id(3)] string Detail,
    [property: Id(4)] string? Quota = null,
    [property: Id(5)] long? Limit = null)
{
    /// <summary>The tenant does not exist (it was never created, or it was deleted).</summary>
    public static TenantRefusal NotFound(string tenant) =>
        new(404, "tenant-not-found", "Tenant not found", $"There is no tenant '{tenant}'; an admin creates it with PUT /api/v1/tenants/{tenant}.");

    /// <summary>A quota would be exceeded.</summary>
    public static TenantRefusal QuotaExceeded(string tenant, string quota, long limit, string what) =>
        new(403, "quota-exceeded", "Quota exceeded", $"Tenant '{tenant}' {what} (quota {quota} = {limit}).", quota, limit);
}

/// <summary>One change to a tenant: who made it, what and when.</summary>
/// <param name="At">When the change was made.</param>
/// <param name="Actor">Who made it.</param>
/// <param name="Action">What was done, as <c>resource.verb</c> (<c>function.deploy</c>, <c>key.revoke</c>, …).</param>
/// <param name="Target">What it was done to (<c>workspace/function</c>, a key id, a secret name, …).</param>
/// <param name="Detail">More about it (the version deployed, the key's role, …), if any.</param>
[GenerateSerializer, Immutable, Alias("granary.AuditEntry")]
public sealed record AuditEntry(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] Actor Actor,
    [property: Id(2)] string Action,
    [property: Id(3)] string Target,
    [property: Id(4)] string? Detail);

/// <summary>Who made a change: the key's id, prefix, name and role.</summary>
/// <param name="KeyId">The key's id (<c>admin</c> for the operator's admin key, <c>anonymous</c> for <c>Granary:CustomCode:AnonymousTenant</c>).</param>
/// <param name="Prefix">The key's readable prefix.</param>
/// <param name="Name">The key's name.</param>
/// <param name="Role">The key's role.</param>
/// <param name="Tenant">The key's tenant; null for the admin key.</param>
[GenerateSerializer, Immutable, Alias("granary.Actor")]
public sealed record Actor(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string Prefix,
    [property: Id(2)] string Name,
    [property: Id(3)] string Role,
    [property: Id(4)] string? Tenant);
