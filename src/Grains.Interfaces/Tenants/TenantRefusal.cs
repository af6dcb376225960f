namespace Granary.Tenants;

/// <summary>
/// Why a tenant refused a change: the tenant does not exist, a quota would be exceeded, a secret is missing or in use.
/// The gateway turns it into a problem-details answer with the same status, slug and fields.
/// </summary>
/// <param name="Status">The HTTP status (403, 404, 409, 400).</param>
/// <param name="Slug">The problem type's last part (<c>urn:granary:problem:{Slug}</c>).</param>
/// <param name="Title">A short title.</param>
/// <param name="Detail">What happened, in the user's terms, naming the quota and its value when it is one.</param>
/// <param name="Quota">The quota's name (<c>maxFunctions</c>, …), when a quota refused.</param>
/// <param name="Limit">The quota's value, when a quota refused.</param>
[GenerateSerializer, Immutable, Alias("granary.TenantRefusal")]
public sealed record TenantRefusal(
    [property: Id(0)] int Status,
    [property: Id(1)] string Slug,
    [property: Id(2)] string Title,
    [property: Id(3)] string Detail,
    [property: Id(4)] string? Quota = null,
    [property: Id(5)] long? Limit = null)
{
    /// <summary>The tenant does not exist (it was never created, or it was deleted).</summary>
    public static TenantRefusal NotFound(string tenant) =>
        new(404, "tenant-not-found", "Tenant not found", $"There is no tenant '{tenant}'; an admin creates it with PUT /api/v1/tenants/{tenant}.");

    /// <summary>A quota would be exceeded.</summary>
    public static TenantRefusal QuotaExceeded(string tenant, string quota, long limit, string what) =>
        new(403, "quota-exceeded", "Quota exceeded", $"Tenant '{tenant}' {what} (quota {quota} = {limit}).", quota, limit);
}
