using Granary.Tenants;

namespace Granary.Gateway.Access;

/// <summary>Records changes made through the API in the tenant's audit log, with the key that made them.</summary>
internal static partial class Audit
{
    /// <summary>
    /// Appends an entry to <paramref name="tenant"/>'s log (<see cref="ITenantAuditGrain.SystemLog"/> for tenants
    /// themselves). The change is already made, so a failure to record it is logged as an error, not answered.
    /// </summary>
    public static async Task RecordAsync(this HttpContext context, IGrainFactory grains, string tenant, string action, string target, string? detail = null)
    {
        var principal = context.Principal() ?? ApiPrincipal.Admin;
        var entry = new AuditEntry(TimeProvider.System.GetUtcNow(), principal.ToActor(), action, target, detail);
        try
        {
            await grains.GetGrain<ITenantAuditGrain>(tenant).AppendAsync(entry);
        }
        catch (Exception ex)
        {
            LogAuditFailed(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Audit)), tenant, action, target, principal.Prefix, ex);
        }
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Error, Message = "Could not record {Action} of {Target} by {Key} in the audit log of tenant {Tenant}")]
    private static partial void LogAuditFailed(ILogger logger, string tenant, string action, string target, string key, Exception exception);
}
