using System.ComponentModel.DataAnnotations;

namespace Granary.Tenants;

/// <summary>Tenants' defaults and bookkeeping (configuration section <c>Granary:Tenants</c>).</summary>
public sealed class TenantOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Granary:Tenants";

    /// <summary>The tenant that exists from the first start (unless <see cref="CreateDefaultTenant"/> is off).</summary>
    public const string DefaultTenant = "default";

    /// <summary>
    /// Gets or sets whether the tenant <c>default</c> exists from the first start, so a single-team host needs no
    /// tenant administration (default true). Once deleted it stays deleted.
    /// </summary>
    public bool CreateDefaultTenant { get; set; } = true;

    /// <summary>Gets or sets how many audit entries are kept per tenant (the oldest go first).</summary>
    [Range(10, 1_000_000)]
    public int AuditSize { get; set; } = 1000;

    /// <summary>Gets or sets the quotas of a tenant that does not set its own (<c>Granary:Tenants:Defaults:*</c>).</summary>
    public TenantQuotaDefaults Defaults { get; set; } = new();

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(Defaults, new ValidationContext(Defaults), results, validateAllProperties: true);
        return results.Select(r => new ValidationResult(r.ErrorMessage, r.MemberNames.Select(m => $"{nameof(Defaults)}:{m}")));
    }
}

/// <summary>The default quotas of tenants (<c>Granary:Tenants:Defaults</c>); each tenant may set its own.</summary>
public sealed class TenantQuotaDefaults
{
    /// <summary>Gets or sets how many functions a tenant may have.</summary>
    [Range(1, 10_000_000)]
    public int MaxFunctions { get; set; } = 1000;

    /// <summary>Gets or sets how many workspaces a tenant may have.</summary>
    [Range(1, 10_000_000)]
    public int MaxWorkspaces { get; set; } = 100;

    /// <summary>Gets or sets the largest code of one function or one workspace's snippets, in bytes (never more than <c>Granary:Limits:MaxCodeBytes</c>).</summary>
    [Range(1, 64 * 1024 * 1024)]
    public int MaxCodeBytes { get; set; } = 1024 * 1024;

    /// <summary>Gets or sets how many invocations of a tenant's functions may run or wait at once across the cluster (OpenWhisk's default is 100).</summary>
    [Range(1, 1_000_000)]
    public int MaxConcurrentInvocations { get; set; } = 100;

    /// <summary>Gets or sets how many invocations per second a tenant may start across the cluster; 0 (the default) is unlimited.</summary>
    [Range(0, 10_000_000)]
    public int InvocationsPerSecond { get; set; }

    /// <summary>Gets or sets how many distinct npm dependency sets a tenant's functions and workspaces may use (each is an install on disk).</summary>
    [Range(0, 100_000)]
    public int MaxDependencySets { get; set; } = 20;

    /// <summary>Gets these defaults as quotas.</summary>
    public TenantQuotas ToQuotas() => new()
    {
        MaxFunctions = MaxFunctions,
        MaxWorkspaces = MaxWorkspaces,
        MaxCodeBytes = MaxCodeBytes,
        MaxConcurrentInvocations = MaxConcurrentInvocations,
        InvocationsPerSecond = InvocationsPerSecond,
        MaxDependencySets = MaxDependencySets,
    };
}
