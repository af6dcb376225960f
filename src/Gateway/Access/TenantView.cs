using System.Collections.Frozen;
using Granary.Tenants;

namespace Granary.Gateway.Access;

/// <summary>A gateway's view of one tenant (see <see cref="TenantViews"/>): its keys and who may call its functions.</summary>
internal sealed record TenantView(
    string Tenant,
    long Version,
    bool Exists,
    FrozenDictionary<string, (KeyEntry Entry, KeyCheck Check)> Keys,
    FrozenDictionary<string, string> Functions,
    FrozenDictionary<string, string> Workspaces,
    long FetchedAt) : TenantViews.IFetched
{
    private readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _functions = Functions.GetAlternateLookup<ReadOnlySpan<char>>();
    private readonly FrozenDictionary<string, (KeyEntry Entry, KeyCheck Check)>.AlternateLookup<ReadOnlySpan<char>> _keys = Keys.GetAlternateLookup<ReadOnlySpan<char>>();

    public static TenantView From(string tenant, TenantSnapshot snapshot, long fetchedAt) => new(
        tenant,
        snapshot.Version,
        snapshot.Exists,
        snapshot.Keys.ToFrozenDictionary(k => k.Id, k => (k, new KeyCheck(new ApiPrincipal(k.Role, tenant, k.Id, ApiKeys.Prefix(tenant, k.Id), k.Name), null)), StringComparer.Ordinal),
        snapshot.Functions.ToFrozenDictionary(StringComparer.Ordinal),
        snapshot.Workspaces.ToFrozenDictionary(StringComparer.Ordinal),
        fetchedAt);

    /// <summary>Gets the access of a function (<c>public</c> or <c>key</c>), or null when the tenant has no such function.</summary>
    public string? FunctionAccess(string workspace, string name)
    {
        Span<char> key = stackalloc char[workspace.Length + 1 + name.Length];
        workspace.AsSpan().CopyTo(key);
        key[workspace.Length] = '/';
        name.AsSpan().CopyTo(key[(workspace.Length + 1)..]);
        return _functions.TryGetValue(key, out var access) ? access : null;
    }

    /// <summary>Finds a key by its id without allocating.</summary>
    public bool TryGetKey(ReadOnlySpan<char> id, out (KeyEntry Entry, KeyCheck Check) key) => _keys.TryGetValue(id, out key);

    /// <summary>Gets who may run a workspace's snippets, or null when the workspace has neither snippets nor settings.</summary>
    public string? WorkspaceAccess(string workspace) => Workspaces.GetValueOrDefault(workspace);
}
