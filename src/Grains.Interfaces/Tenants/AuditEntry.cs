namespace Granary.Tenants;

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
