using System.Diagnostics.Metrics;
using Granary.Functions;
using Granary.Runtime.Telemetry;

namespace Granary.Silo.Telemetry;

/// <summary>
/// Registers what a silo already counts with Granary's observable gauges while the host runs: its function
/// activations (<c>granary.functions.active</c>) and the calls they serve now (<c>granary.invocations.in_flight</c>),
/// read from <see cref="LocalFunctions"/> when a reader collects. A client-mode gateway has no activations.
/// </summary>
internal sealed class SiloGauges(IServiceProvider services) : IHostedService
{
    private LocalFunctions? _local;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _local = services.GetService<LocalFunctions>();
        if (_local is { } local)
        {
            GranaryMetrics.Observe(local, "active", static l => [new Measurement<long>(l.Count)]);
            GranaryMetrics.Observe(local, "in-flight", static l => [new Measurement<long>(l.InFlight)]);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_local is { } local)
        {
            GranaryMetrics.Forget(local, "active");
            GranaryMetrics.Forget(local, "in-flight");
        }

        return Task.CompletedTask;
    }
}
