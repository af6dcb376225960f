namespace Granary.Tenants;

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
