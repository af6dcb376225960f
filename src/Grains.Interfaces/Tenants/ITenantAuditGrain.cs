using System.Collections.Immutable;

namespace Granary.Tenants;

/// <summary>
/// A tenant's audit log, keyed by the tenant's name (<see cref="SystemLog"/> for changes to tenants themselves):
/// the most recent changes, newest first, bounded by <c>Granary:Tenants:AuditSize</c>, written to storage as each arrives.
/// </summary>
public interface ITenantAuditGrain : IGrainWithStringKey
{
    /// <summary>The key of the log of tenant creations and deletions (not a valid tenant name, so it never clashes).</summary>
    const string SystemLog = "_system";

    /// <summary>Appends an entry and writes it to storage.</summary>
    Task AppendAsync(AuditEntry entry);

    /// <summary>Gets up to <paramref name="limit"/> entries, newest first.</summary>
    Task<ImmutableArray<AuditEntry>> GetAsync(int limit);

    /// <summary>Removes every entry (the tenant was deleted).</summary>
    Task ClearAsync();
}
