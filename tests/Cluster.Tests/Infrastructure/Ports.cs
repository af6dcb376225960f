using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Granary.Cluster.Tests.Infrastructure;

/// <summary>Free loopback ports for the servers and programs the tests start.</summary>
public static class Ports
{
    private const int Lowest = 10000;

    // Below the kernel's ephemeral range (net.ipv4.ip_local_port_range, 32768–60999 by default). A port the kernel picks
    // for a listener on port 0 comes from that range, and so does the local port of every outgoing connection the tests
    // make (clients of Redis, PostgreSQL, the gateways), so a port chosen there could be taken by a connection before
    // the server bound it: a silo failed to start in CI with "address already in use". Each test process starts at its
    // own place in the range (by its pid) and counts up, so processes running at once seldom meet.
    private static readonly int s_highest = EphemeralLow() - 1;
    private static int s_next = Lowest + (Environment.ProcessId * 7919 % Math.Max(1, s_highest - Lowest));

    /// <summary>
    /// Gets a port that was free on 127.0.0.1 a moment ago, below the ephemeral range. Another process could still bind
    /// it before the caller does; the servers fail loudly if that happens.
    /// </summary>
    public static int FreePort()
    {
        var span = s_highest - Lowest + 1;
        for (var tries = 0; span > 1000 && tries < span; tries++)
        {
            var port = Lowest + ((Interlocked.Increment(ref s_next) - Lowest) % span + span) % span;
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: the next one.
            }
        }

        // No room below the ephemeral range (an unusual kernel setting): let the kernel pick.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int EphemeralLow()
    {
        try
        {
            var first = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0];
            return int.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }
}
