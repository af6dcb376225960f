using System.Collections.Concurrent;
using Granary.Tenants;

namespace Granary.Silo.Telemetry;

/// <summary>
/// Who may read a silo's <c>/metrics</c>: the admin key (<c>Granary:Auth:AdminKey</c>, when the silo is given it) or a
/// key of the <c>metrics</c> role, checked against its tenant's grain (the silo has no gateway's key views; a key it
/// verified is trusted for <see cref="Trust"/>, so a revoked key stops working on silos within that). A missing or
/// unknown key gets 401, any other key 403, each with a problem body.
/// </summary>
internal sealed class MetricsKeys(IGrainFactory grains, IConfiguration configuration, TimeProvider time)
{
    /// <summary>How long a silo trusts a metrics key it verified before asking its tenant again.</summary>
    public static readonly TimeSpan Trust = TimeSpan.FromSeconds(10);

    private const int Capacity = 1000;
    private readonly byte[]? _admin = configuration["Granary:Auth:AdminKey"] is { Length: > 0 } admin ? ApiKeys.Hash(admin) : null;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _verified = new(StringComparer.Ordinal);

    /// <summary>The middleware of the scrape endpoint's branch: answers 401/403 or lets the exporter answer.</summary>
    public static Func<RequestDelegate, RequestDelegate> Guard => next => async context =>
    {
        var keys = context.RequestServices.GetRequiredService<MetricsKeys>();
        var (status, detail) = await keys.CheckAsync(context.Request.Headers.Authorization.ToString());
        if (status == StatusCodes.Status200OK)
        {
            await next(context);
            return;
        }

        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        await Results.Problem(detail, statusCode: status, title: status == 401 ? "Unauthorized" : "Forbidden", type: status == 401 ? "unauthorized" : "forbidden").ExecuteAsync(context);
    };

    /// <summary>Checks an <c>Authorization</c> header: 200, or 401/403 with why.</summary>
    public async ValueTask<(int Status, string Detail)> CheckAsync(string header)
    {
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return (401, "Reading metrics needs the admin key or a key of the metrics role: send 'Authorization: Bearer <key>'.");
        }

        var key = header[7..].Trim();
        if (key.Length is 0 or > ApiKeys.MaxLength)
        {
            return (401, "The key is not valid: it is unknown or was revoked.");
        }

        if (_verified.TryGetValue(key, out var until) && until > time.GetUtcNow())
        {
            return (200, "");
        }

        var hash = ApiKeys.Hash(key);
        if (_admin is { } admin && ApiKeys.Matches(hash, admin))
        {
            return (200, "");
        }

        if (!ApiKeys.TryParse(key, out var tenantSpan, out var idSpan))
        {
            return (401, "The key is not valid: it is unknown or was revoked.");
        }

        var (tenant, id) = (tenantSpan.ToString(), idSpan.ToString());
        var snapshot = await grains.GetGrain<ITenantGrain>(tenant).GetSnapshotAsync(-1);
        if (snapshot is not { Exists: true } || snapshot.Keys.FirstOrDefault(k => k.Id == id) is not { } entry || !ApiKeys.Matches(hash, entry.Hash) ||
            (entry.ExpiresAt is { } expires && expires <= time.GetUtcNow()))
        {
            return (401, "The key is not valid: it is unknown or was revoked.");
        }

        if (entry.Role != TenantRoles.Metrics)
        {
            return (403, $"The key {ApiKeys.Prefix(tenant, id)} (role {entry.Role}) may not read metrics; that needs the admin key or a key of the metrics role.");
        }

        if (_verified.Count >= Capacity)
        {
            _verified.Clear();
        }

        _verified[key] = time.GetUtcNow() + Trust;
        return (200, "");
    }
}
