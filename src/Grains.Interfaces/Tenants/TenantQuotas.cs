namespace Granary.Tenants;

/// <summary>
/// A tenant's quotas. On a tenant, a null field means "the configured default" (<c>Granary:Tenants:Defaults</c>);
/// <see cref="Resolve"/> fills them in. <see cref="InvocationsPerSecond"/> 0 means unlimited.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.TenantQuotas")]
public sealed record TenantQuotas
{
    /// <summary>Gets the most functions the tenant may have (Custom Code snippets not counted).</summary>
    [Id(0)] public int? MaxFunctions { get; init; }

    /// <summary>Gets the most workspaces the tenant may have.</summary>
    [Id(1)] public int? MaxWorkspaces { get; init; }

    /// <summary>Gets the largest code of one function (or one workspace's snippets), in bytes.</summary>
    [Id(2)] public int? MaxCodeBytes { get; init; }

    /// <summary>Gets the most invocations of the tenant's functions that may run or wait at once across the cluster (silos lease shares of it from the tenant grain).</summary>
    [Id(3)] public int? MaxConcurrentInvocations { get; init; }

    /// <summary>Gets the invocations per second the tenant may start across the cluster (a token bucket holding one second's worth); 0 is unlimited.</summary>
    [Id(4)] public int? InvocationsPerSecond { get; init; }

    /// <summary>Gets the most distinct npm dependency sets the tenant's functions and workspaces may use.</summary>
    [Id(5)] public int? MaxDependencySets { get; init; }

    /// <summary>Gets these quotas with every unset field taken from <paramref name="defaults"/>.</summary>
    public TenantQuotas Resolve(TenantQuotas defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        return new TenantQuotas
        {
            MaxFunctions = MaxFunctions ?? defaults.MaxFunctions,
            MaxWorkspaces = MaxWorkspaces ?? defaults.MaxWorkspaces,
            MaxCodeBytes = MaxCodeBytes ?? defaults.MaxCodeBytes,
            MaxConcurrentInvocations = MaxConcurrentInvocations ?? defaults.MaxConcurrentInvocations,
            InvocationsPerSecond = InvocationsPerSecond ?? defaults.InvocationsPerSecond,
            MaxDependencySets = MaxDependencySets ?? defaults.MaxDependencySets,
        };
    }
}
