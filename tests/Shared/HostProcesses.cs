using System.Globalization;

namespace Granary.Tests;

/// <summary>
/// Processes on the host, as the tests see them from outside a Python worker's sandbox. In its PID namespace a function
/// sees its own pids (the worker is pid 2); it reports them with the namespace (<c>os.readlink("/proc/self/ns/pid")</c>),
/// which the host sees too. Shared by the runtime and gateway tests (linked into both projects).
/// </summary>
internal static class HostProcesses
{
    /// <summary>Python code for a result field: the worker's PID namespace.</summary>
    public const string PidNamespace = "os.readlink('/proc/self/ns/pid')";

    /// <summary>Finds the host pid of the process that is <paramref name="innerPid"/> in the PID namespace <paramref name="pidNamespace"/>.</summary>
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

    /// <summary>Finds the host pid of the process a function reported as <c>{"pid": …, "pidns": …}</c> (its own view).</summary>
    public static int HostPid(System.Text.Json.JsonElement reported) =>
        HostPid(reported.GetProperty("pid").GetInt32(), reported.GetProperty("pidns").GetString()!);

    /// <summary>Gets whether a process is running: it has a /proc entry and is not a zombie waiting to be reaped.</summary>
    public static bool ProcessExists(int pid)
    {
        try
        {
            // /proc/<pid>/stat is "pid (comm) S ...": the state follows the last ')'.
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].TrimStart()[0];
            return state is not ('Z' or 'X');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>Waits until a process has ended (its exit is asynchronous to the call that ended it).</summary>
    public static Task<bool> ProcessGoneAsync(int pid, int timeoutMs = 5000) => WaitAsync(() => ProcessExists(pid), timeoutMs);

    /// <summary>Gets whether any process still runs in the PID namespace <paramref name="pidNamespace"/>.</summary>
    public static bool NamespaceHasProcesses(string pidNamespace) =>
        Processes().Any(p => p.Namespace == pidNamespace && ProcessExists(p.Pid));

    /// <summary>Waits until no process runs in the PID namespace <paramref name="pidNamespace"/>.</summary>
    public static Task<bool> NamespaceGoneAsync(string pidNamespace, int timeoutMs = 5000) =>
        WaitAsync(() => NamespaceHasProcesses(pidNamespace), timeoutMs);

    // Polls until `stillThere` is false; false when it still is after the timeout.
    private static async Task<bool> WaitAsync(Func<bool> stillThere, int timeoutMs)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (stillThere())
        {
            if (Environment.TickCount64 > deadline)
            {
                return false;
            }

            await Task.Delay(10);
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
