using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Granary.Gateway.Hosting;

/// <summary>
/// Ready when the gateway, as an Orleans client, reaches the cluster and it has an active silo: the gateway can
/// forward invocations. It reports what <see cref="ClusterWatch"/> last saw (at most a second old).
/// </summary>
internal sealed class ClusterClientHealthCheck(ClusterConnection connection) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var view = connection.Current;
        return Task.FromResult(view switch
        {
            { ActiveSilos: > 0 } => HealthCheckResult.Healthy($"{view.ActiveSilos} active silo(s)."),
            { Problem: { } problem } => HealthCheckResult.Unhealthy($"The cluster does not answer: {problem}"),
            _ => HealthCheckResult.Unhealthy("The cluster has no active silo."),
        });
    }
}
