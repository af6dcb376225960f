using Granary.Tenants;

namespace Granary.Gateway.Access;

/// <summary>What a request needs its key to allow; the role matrix (<see cref="RoleMatrix.Allows"/>) decides.</summary>
public enum Capability
{
    /// <summary>Create, list and delete tenants, and read the system audit log (admin only).</summary>
    ManageTenants,

    /// <summary>Read the tenant itself (its quotas and usage): any key of the tenant.</summary>
    ReadTenant,

    /// <summary>Create, list and revoke the tenant's keys: owner.</summary>
    ManageKeys,

    /// <summary>Read the tenant's audit log: owner.</summary>
    ReadAudit,

    /// <summary>Deploy, read and delete functions, workspaces, snippets, secrets and invocation records: owner, developer.</summary>
    Develop,

    /// <summary>Invoke functions and run snippets whose access is <c>key</c>: every role but metrics.</summary>
    Invoke,

    /// <summary>Read the host's metrics (<c>/metrics</c>), which cover every tenant: admin, metrics.</summary>
    ReadMetrics,
}

/// <summary>The role matrix: which role may do what, in which tenant.</summary>
public static class RoleMatrix
{
    /// <summary>Gets whether a key of <paramref name="role"/> in <paramref name="keyTenant"/> may do <paramref name="capability"/> in <paramref name="tenant"/>.</summary>
    public static bool Allows(string role, string? keyTenant, Capability capability, string? tenant)
    {
        if (role == TenantRoles.Admin)
        {
            return true;
        }

        // The metrics role reads metrics and nothing else, and no other tenant key reads them (they show every tenant).
        if (capability == Capability.ReadMetrics || role == TenantRoles.Metrics)
        {
            return capability == Capability.ReadMetrics && role == TenantRoles.Metrics && keyTenant is not null;
        }

        if (keyTenant is null || tenant is null || keyTenant != tenant || capability == Capability.ManageTenants)
        {
            return false;
        }

        return role switch
        {
            TenantRoles.Owner => true,
            TenantRoles.Developer => capability is Capability.ReadTenant or Capability.Develop or Capability.Invoke,
            TenantRoles.Invoker => capability is Capability.ReadTenant or Capability.Invoke,
            _ => false,
        };
    }

    /// <summary>Describes a capability in the user's words, for a 403's detail.</summary>
    public static string Describe(Capability capability) => capability switch
    {
        Capability.ManageTenants => "manage tenants",
        Capability.ReadTenant => "read the tenant",
        Capability.ManageKeys => "manage the keys of the tenant",
        Capability.ReadAudit => "read the audit log of the tenant",
        Capability.Develop => "deploy, read or delete in the tenant",
        Capability.ReadMetrics => "read the host's metrics",
        _ => "invoke functions of the tenant",
    };
}
