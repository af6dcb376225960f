using System.Collections.Immutable;

namespace Granary.Tenants;

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
