using Granary.Tenants;

namespace Granary.Gateway.Access;

/// <summary>Who a request comes from: the key that authenticated it.</summary>
/// <param name="Role">The key's role.</param>
/// <param name="Tenant">The key's tenant; null for the admin key.</param>
/// <param name="KeyId">The key's id (<c>admin</c>, <c>anonymous</c>).</param>
/// <param name="Prefix">The key's readable prefix (for logs and the audit).</param>
/// <param name="Name">The key's name.</param>
public sealed record ApiPrincipal(string Role, string? Tenant, string KeyId, string Prefix, string Name)
{
    /// <summary>The admin key.</summary>
    public static ApiPrincipal Admin { get; } = new(TenantRoles.Admin, null, "admin", "admin", "admin key");

    /// <summary>The caller of the Custom Code API in <c>Granary:CustomCode:AnonymousTenant</c>.</summary>
    public static ApiPrincipal Anonymous(string tenant) => new(TenantRoles.Developer, tenant, "anonymous", "anonymous", "Granary:CustomCode:AnonymousTenant");

    /// <summary>Gets whether the key may do <paramref name="capability"/> in <paramref name="tenant"/>.</summary>
    public bool Allows(Capability capability, string? tenant) => RoleMatrix.Allows(Role, Tenant, capability, tenant);

    /// <summary>Gets the key as an audit entry's actor.</summary>
    public Actor ToActor() => new(KeyId, Prefix, Name, Role, Tenant);
}
