using Granary.Silo.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Granary.Silo.Health;

/// <summary>Ready when grain storage answers: the file storage accepts a write, the database a query.</summary>
internal sealed class StorageHealthCheck(IStorageProbe storage) : IHealthCheck
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_timeout);
        try
        {
            await storage.ProbeAsync(timeout.Token);
            return HealthCheckResult.Healthy($"{storage.Description} answers.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"{storage.Description} does not answer: {ex.Message}");
        }
    }
}
