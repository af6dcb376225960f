using Granary.Gateway.Apis;

namespace Granary.Gateway.Hosting;

/// <summary>
/// In client mode, reads the cluster's active silos once a second: tells <see cref="InFlightCalls"/> when one
/// leaves (killed, crashed or shut down), so that calls it was running are checked and no new call goes to a function
/// instance it hosted (<see cref="FunctionReferences.SiloLost"/>), and records what it saw in the
/// <see cref="ClusterConnection"/> (readiness, and whether the gateway serves yet).
/// </summary>
internal sealed partial class ClusterWatch(IClusterClient client, InFlightCalls calls, FunctionReferences functions, ClusterConnection connection, ILogger<ClusterWatch> logger) : BackgroundService
{
    private static readonly TimeSpan s_period = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_connectingPeriod = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        HashSet<SiloAddress>? known = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            // Ten times a second while connecting, so that the gateway serves as soon as a silo is there.
            await Task.Delay(connection.Connected ? s_period : s_connectingPeriod, stoppingToken);
            Dictionary<SiloAddress, SiloStatus> hosts;
            try
            {
                hosts = await client.GetGrain<IManagementGrain>(0).GetHosts(true, stoppingToken).WaitAsync(TimeSpan.FromSeconds(3), stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever the cluster answers (timeouts and cancellations included), the watch goes on: a
                // faulted background service would stop the gateway.
                LogUnreachable(ex.Message);
                connection.Unreachable(ex.Message);
                continue;
            }

            var active = hosts.Keys.ToHashSet();
            connection.Answered(active.Count);
            if (known is not null)
            {
                foreach (var silo in known.Where(s => !active.Contains(s)))
                {
                    calls.SiloLost(silo.ToString());
                    functions.SiloLost(silo.ToString());
                }
            }

            known = active;
        }
    }

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "Could not read the cluster's silos: {Reason}")]
    private partial void LogUnreachable(string reason);
}
