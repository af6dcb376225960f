using Granary.Silo.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Granary.Silo.Health;

/// <summary>Ready when grain storage accepts a write and reads it back.</summary>
internal sealed class StorageHealthCheck(FileGrainStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await storage.ProbeAsync(cancellationToken);
            return HealthCheckResult.Healthy($"File storage at {storage.Root} is writable.");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy($"File storage at {storage.Root} is not writable: {ex.Message}");
        }
    }
}
