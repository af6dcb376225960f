using System.Globalization;

namespace Granary.Runtime.Workers;

/// <summary>One worker's sandbox: its egress proxy, its cgroups and how its processes are found and ended.</summary>
internal sealed class SandboxedWorker : IDisposable
{
    private int _initPid;

    internal SandboxedWorker(WorkerEgressProxy proxy, WorkerCgroups? cgroups, bool rootless)
    {
        Proxy = proxy;
        Cgroups = cgroups;
        Rootless = rootless;
    }

    /// <summary>Gets whether the sandbox is rootless (see <see cref="WorkerSandbox.Rootless"/>).</summary>
    public bool Rootless { get; }

    /// <summary>Gets the worker's egress proxy.</summary>
    public WorkerEgressProxy Proxy { get; }

    /// <summary>Gets the worker's cgroups, or null when the host has none.</summary>
    public WorkerCgroups? Cgroups { get; }

    /// <summary>Gets the host pid of the worker's interpreter (not of bubblewrap), once it reported ready.</summary>
    public int InterpreterPid { get; private set; }

    /// <summary>
    /// Finds, once the worker reported ready, the host pids of the sandbox's init (bubblewrap's pid 1) and of the
    /// interpreter: the init is bubblewrap's child, the interpreter the init's.
    /// </summary>
    public void Locate(int bubblewrapPid)
    {
        // The cgroup's processes; without cgroups, bubblewrap's children and theirs (cheap); every process of the
        // host as a last resort (a kernel without /proc/<pid>/task/<tid>/children).
        foreach (var candidates in new Func<List<int>?>[] { () => Cgroups?.Pids(), () => Descendants(bubblewrapPid), AllPids }.Select(f => f()))
        {
            if (candidates is not { Count: > 0 })
            {
                continue;
            }

            var parents = new List<(int Pid, int Parent)>();
            foreach (var pid in candidates)
            {
                if (ParentOf(pid) is { } parent)
                {
                    parents.Add((pid, parent));
                }
            }

            var init = parents.FirstOrDefault(p => p.Parent == bubblewrapPid).Pid;
            var python = init == 0 ? 0 : parents.FirstOrDefault(p => p.Parent == init).Pid;
            if (python != 0)
            {
                _initPid = init;
                InterpreterPid = python;
                return;
            }
        }
    }

    /// <summary>Ends every process of the sandbox: the cgroup's, and the PID namespace (its init's death ends the rest).</summary>
    public void KillAll(int bubblewrapPid, bool bubblewrapReaped)
    {
        Cgroups?.KillAll();
        if (_initPid != 0 && !bubblewrapReaped)
        {
            // While bubblewrap is alive its child (the init) is not reaped, so the pid is still the init's.
            _ = PosixSignals.Kill(_initPid, PosixSignals.Sigkill);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Proxy.Dispose();
        Cgroups?.Dispose();
    }

    private static List<int> AllPids()
    {
        var pids = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                pids.Add(pid);
            }
        }

        return pids;
    }

    // A process's children and grandchildren (bubblewrap's: the namespace's init and Python).
    private static List<int> Descendants(int pid)
    {
        var children = ChildrenOf(pid);
        children.AddRange(children.SelectMany(ChildrenOf).ToList());
        return children;
    }

    // The children of every thread of a process (CONFIG_PROC_CHILDREN); empty when the kernel has no such file.
    private static List<int> ChildrenOf(int pid)
    {
        var children = new List<int>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/task"))
            {
                var file = Path.Combine(task, "children");
                if (!File.Exists(file))
                {
                    continue;
                }

                foreach (var child in File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (int.TryParse(child, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                    {
                        children.Add(id);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone, or not ours to read.
        }

        return children;
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
