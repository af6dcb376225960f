using Microsoft.Extensions.Options;

namespace Granary.Tenants;

/// <summary>The directory of tenants and the generated admin key's hash (see <see cref="ITenantDirectoryGrain"/>).</summary>
[GrainType("tenants")]
public sealed class TenantDirectoryGrain(
    [PersistentState("directory", GranaryStorage.Name)] IPersistentState<TenantDirectoryState> state,
    IOptions<TenantOptions> options)
    : Grain, ITenantDirectoryGrain
{
    private long _version;
    private TenantList? _list;

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _version = Random.Shared.NextInt64(1, long.MaxValue / 2);
        if (!state.State.Seeded)
        {
            // The first start: the default tenant exists (its grain makes its own record when it first activates).
            state.State.Seeded = true;
            if (options.Value.CreateDefaultTenant)
            {
                state.State.Tenants.Add(TenantOptions.DefaultTenant);
            }

            await state.WriteOrFailAsync();
        }
    }

    /// <inheritdoc />
    public Task<TenantList?> GetTenantsAsync(long knownVersion) =>
        Task.FromResult(knownVersion == _version ? null : _list ??= new TenantList(_version, [.. state.State.Tenants]));

    /// <inheritdoc />
    public async Task SetExistsAsync(string tenant, bool exists)
    {
        if (exists ? state.State.Tenants.Add(tenant) : state.State.Tenants.Remove(tenant))
        {
            _version++;
            _list = null;
            await state.WriteOrFailAsync();
        }
    }

    /// <inheritdoc />
    public Task<byte[]?> GetAdminKeyHashAsync() => Task.FromResult(state.State.AdminKeyHash);

    /// <inheritdoc />
    public async Task<byte[]> SetAdminKeyHashAsync(byte[] hash)
    {
        if (state.State.AdminKeyHash is null)
        {
            state.State.AdminKeyHash = hash;
            await state.WriteOrFailAsync();
        }

        return state.State.AdminKeyHash;
    }
}

/// <summary>The persisted state of the tenant directory.</summary>
public sealed class TenantDirectoryState
{
    /// <summary>Gets or sets the tenants that exist.</summary>
    public SortedSet<string> Tenants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Gets or sets whether the first start's defaults were applied.</summary>
    public bool Seeded { get; set; }

    /// <summary>Gets or sets the SHA-256 of the admin key an embedded host generated, if it did.</summary>
    public byte[]? AdminKeyHash { get; set; }
}
