using System.Net;
using System.Net.Sockets;

namespace Granary.Cluster.Tests.Infrastructure;

/// <summary>Free loopback ports for the servers and programs the tests start.</summary>
public static class Ports
{
    /// <summary>
    /// Gets a port that was free on 127.0.0.1 a moment ago (the OS picks it). Another process could take it before
    /// the caller binds it; the servers fail loudly if that happens.
    /// </summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
