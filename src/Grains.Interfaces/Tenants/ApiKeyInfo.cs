namespace Granary.Tenants;

/// <summary>An API key as listings show it: never the key itself, only the prefix that names it.</summary>
/// <param name="Id">The key's id, unique in its tenant (<c>DELETE …/keys/{id}</c> revokes it).</param>
/// <param name="Prefix">The start of the key (<c>gk_{tenant}_{id}</c>), which names it in logs without revealing it.</param>
/// <param name="Role">Its role (see <see cref="TenantRoles"/>).</param>
/// <param name="Name">The name its creator gave it.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="CreatedBy">Who created it: the creating key's prefix.</param>
/// <param name="ExpiresAt">When it stops working, if it was given an end.</param>
[GenerateSerializer, Immutable, Alias("granary.ApiKeyInfo")]
public sealed record ApiKeyInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Prefix,
    [property: Id(2)] string Role,
    [property: Id(3)] string Name,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] string? CreatedBy,
    [property: Id(6)] DateTimeOffset? ExpiresAt = null);

/// <summary>A key just created: the only time its secret value is shown.</summary>
/// <param name="Info">The key as listings show it.</param>
/// <param name="Key">The key itself, to be sent as <c>Authorization: Bearer {Key}</c>.</param>
[GenerateSerializer, Immutable, Alias("granary.CreatedApiKey")]
public sealed record CreatedApiKey(
    [property: Id(0)] ApiKeyInfo Info,
    [property: Id(1)] string Key);
