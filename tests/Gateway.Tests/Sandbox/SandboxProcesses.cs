using System.Globalization;

namespace Granary.Gateway.Tests.Sandbox;

/// <summary>
/// Finds a sandboxed worker's processes on the host. In its PID namespace a function sees its own pids (the worker is
/// pid 2); it reports them with the namespace (<c>os.readlink("/proc/self/ns/pid")</c>), which the host sees too.
/// </summary>
internal static class SandboxProcesses
{
    /// <summary>Python code for a result field: the worker's PID namespace.</summary>
    public const string PidNamespace = "os.readlink('/proc/self/ns/pid')";

    /// <summary>Finds the host pid of the process that is <paramref name="innerPid"/> in <paramref name="pidNamespace"/>.</summary>
    public static int HostPid(int innerPid, string pidNamespace)
    {
        foreach (var (pid, ns, nsPids) in Processes())
        {
            if (ns == pidNamespace && nsPids.Length > 0 && nsPids[^1] == innerPid)
            {
                return pid;
            }
        }

        throw new InvalidOperationException($"No process on this host is pid {innerPid} of {pidNamespace}.");
    }

    /// <summary>Gets whether a process is running: it has a /proc entry and is not a zombie.</summary>
    public static bool Exists(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status").Contains("State:\tZ", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Waits until no process runs in <paramref name="pidNamespace"/>.</summary>
    public static async Task<bool> NamespaceGoneAsync(string pidNamespace, int timeoutMs = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (Processes().Any(p => p.Namespace == pidNamespace && Exists(p.Pid)))
        {
            if (Environment.TickCount64 > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    /// <summary>Waits until a process has ended.</summary>
    public static async Task<bool> GoneAsync(int pid, int timeoutMs = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (Exists(pid))
        {
            if (Environment.TickCount64 > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    private static IEnumerable<(int Pid, string Namespace, int[] NsPids)> Processes()
    {
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string ns;
            int[] nsPids;
            try
            {
                ns = new FileInfo(Path.Combine(entry, "ns", "pid")).LinkTarget ?? "";
                var line = File.ReadLines(Path.Combine(entry, "status")).FirstOrDefault(l => l.StartsWith("NSpid:", StringComparison.Ordinal)) ?? "";
                nsPids = [.. line[6..].Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture))];
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
            {
                continue;
            }

            yield return (pid, ns, nsPids);
        }
    }
}
