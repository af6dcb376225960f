using Orleans.Configuration;
using System.Net;
using System.Net.Sockets;

namespace Granary.Silo.Hosting;

/// <summary>The address a silo advertises, and the membership timings Granary uses on a LAN.</summary>
internal static class ClusterAddresses
{
    /// <summary>An IP address as is, or a host name resolved to its first IPv4 address (IPv6 if it has none).</summary>
    public static IPAddress Resolve(string address)
    {
        if (IPAddress.TryParse(address, out var ip))
        {
            return ip;
        }

        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(address);
        }
        catch (SocketException ex)
        {
            throw new InvalidOperationException($"{ClusterEndpointOptions.SectionName}:AdvertisedAddress: the host name '{address}' does not resolve: {ex.Message}", ex);
        }

        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException($"{ClusterEndpointOptions.SectionName}:AdvertisedAddress: the host name '{address}' has no address.");
    }

    /// <summary>
    /// Membership tuned for silos on one LAN: a silo that stops answering (a killed process, a lost machine) is
    /// declared dead in about <c>ProbeTimeoutMs × MissedProbesLimit</c> plus one probe period — 2–3 s with the
    /// defaults — instead of Orleans' cloud defaults (5 s probes, 3 misses). A killed process refuses the probe's
    /// connection at once, so the detection does not wait for timeouts.
    /// </summary>
    public static void TuneForLan(ClusterMembershipOptions options, ClusterEndpointOptions cluster)
    {
        options.ProbeTimeout = TimeSpan.FromMilliseconds(cluster.ProbeTimeoutMs);
        options.NumMissedProbesLimit = cluster.MissedProbesLimit;

        // Each silo re-reads the table often enough to learn of joins and deaths it missed a gossip message for.
        options.TableRefreshTimeout = TimeSpan.FromSeconds(5);

        // Each silo writes its heartbeat to the table every 10 s (not 5 min), so that after a whole-cluster outage the
        // rows of silos that never came back are soon stale and new silos need not reach them to join.
        options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);

        // A dead silo's row is removed after an hour rather than a week: restarts on a LAN reuse addresses.
        options.DefunctSiloExpiration = TimeSpan.FromHours(1);
        options.DefunctSiloCleanupPeriod = TimeSpan.FromMinutes(10);
    }
}
