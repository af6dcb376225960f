namespace Granary.Tenants;

/// <summary>
/// The one directory of tenants (key <see cref="Key"/>): which tenants exist, for listing and for gateways to refuse
/// unknown tenant names cheaply; and the hash of the admin key an embedded host generated for itself.
/// </summary>
public interface ITenantDirectoryGrain : IGrainWithStringKey
{
    /// <summary>The grain key of the directory.</summary>
    const string Key = "tenants";

    /// <summary>Gets the tenants, or null when <paramref name="knownVersion"/> is still current.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<TenantList?> GetTenantsAsync(long knownVersion);

    /// <summary>Used by tenant grains: records that the tenant exists (true) or no longer does (false).</summary>
    Task SetExistsAsync(string tenant, bool exists);

    /// <summary>Gets the stored hash of a generated admin key, or null when none was generated.</summary>
    Task<byte[]?> GetAdminKeyHashAsync();

    /// <summary>Stores the hash of a generated admin key unless one is stored; returns the stored hash.</summary>
    Task<byte[]> SetAdminKeyHashAsync(byte[] hash);
}
