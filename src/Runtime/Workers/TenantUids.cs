using System.Text;
using Granary.Runtime.Python;

namespace Granary.Runtime.Workers;

/// <summary>
/// The uids sandboxed workers run as: one per tenant, <c>UidRangeStart + hash(tenant) mod UidRangeSize</c>, probing
/// on when another tenant holds it, so that no two tenants share a uid in this process. Stable for the life of the
/// process (a tenant keeps its uid across its functions and versions).
/// </summary>
internal static class TenantUids
{
    private static readonly Lock s_gate = new();
    private static readonly Dictionary<string, int> s_byTenant = new(StringComparer.Ordinal);
    private static readonly Dictionary<int, string> s_byUid = [];

    /// <summary>Gets the uid of <paramref name="tenant"/> in the range of <paramref name="options"/>.</summary>
    public static int Get(string tenant, WorkerRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        lock (s_gate)
        {
            if (s_byTenant.TryGetValue(tenant, out var known) && known >= options.UidRangeStart && known < (long)options.UidRangeStart + options.UidRangeSize)
            {
                return known;
            }

            // FNV-1a: stable across processes and restarts (string.GetHashCode is randomized per process).
            var hash = 14695981039346656037UL;
            foreach (var b in Encoding.UTF8.GetBytes(tenant))
            {
                hash = (hash ^ b) * 1099511628211UL;
            }

            var size = (ulong)options.UidRangeSize;
            for (ulong probe = 0; probe < size; probe++)
            {
                var uid = options.UidRangeStart + (int)((hash + probe) % size);
                if (!s_byUid.TryGetValue(uid, out var holder))
                {
                    s_byUid[uid] = tenant;
                    s_byTenant[tenant] = uid;
                    return uid;
                }

                if (holder == tenant)
                {
                    return uid;
                }
            }

            throw new InvalidOperationException($"Every uid of {PythonLauncher.ConfigurationSection}:UidRangeStart..+UidRangeSize is taken; widen UidRangeSize.");
        }
    }
}
