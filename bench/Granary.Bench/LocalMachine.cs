using System.Net;
using System.Net.Sockets;

namespace Granary.Bench;

/// <summary>Free loopback ports and temporary directories for the hosts and processes the benchmark starts.</summary>
internal static class LocalMachine
{
    /// <summary>Distinct free loopback ports: every listener stays open until all the ports are known.</summary>
    public static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (var listener in listeners)
            {
                listener.Start();
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }

    /// <summary>Deletes a directory tree, retrying a few times while a process that just exited still holds a file.</summary>
    public static void DeleteDirectory(string path)
    {
        for (var attempt = 1; Directory.Exists(path); attempt++)
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (IOException) when (attempt < 5)
            {
                Thread.Sleep(100);
            }
        }
    }
}
