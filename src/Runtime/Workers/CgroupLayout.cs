using System.Globalization;

namespace Granary.Runtime.Workers;

/// <summary>Where a silo's worker cgroups live: cgroup v2 (one directory) or v1 (a memory and a pids hierarchy).</summary>
internal sealed class CgroupLayout : IDisposable
{
    private const string SiloLeaf = "granary-silo";

    // A pool's directories are granary-<pid>-<random>.
    private const string Prefix = "granary-";

    private readonly string? _v2;
    private readonly string? _memory;
    private readonly string? _pids;
    private readonly string? _cpu;
    private readonly string? _longCpu;

    private CgroupLayout(string? v2, string? memory, string? pids, string? cpu)
    {
        _v2 = v2;
        _memory = memory;
        _pids = pids;
        _cpu = cpu;
        // cgroup v1: the idle group inside the workers' cpu group, where the processes of a worker whose invocation is a
        // long runner go (see LongRunWatch); without it, long runners keep the workers' weight.
        var longCpu = v2 is null && cpu is not null ? Path.Combine(cpu, "long") : null;
        _longCpu = longCpu is not null && Cgroups.TryMakeIdle(longCpu) ? longCpu : null;
    }

    /// <summary>Gets whether the workers share one CPU weight (the cpu controller is available).</summary>
    public bool HasCpuWeight => _cpu is not null;

    /// <summary>Gets whether this is cgroup v2.</summary>
    public bool IsV2 => _v2 is not null;

    /// <summary>Creates the silo's own cgroup directories under the silo's cgroups, or returns null and why not.</summary>
    /// <param name="cpuWeight">The workers' CPU weight together (cgroup v2 units), applied where the cpu controller is available.</param>
    /// <param name="why">Why there are no cgroups, when null is returned.</param>
    public static CgroupLayout? Create(int cpuWeight, out string why)
    {
        var name = Cgroups.NewName(Prefix);
        try
        {
            var own = File.ReadAllLines("/proc/self/cgroup");
            if (File.Exists("/sys/fs/cgroup/cgroup.controllers"))
            {
                // cgroup v2: a child of the silo's cgroup with the memory and pids controllers for its own children.
                var path = own.FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..] ?? "/";
                var parent = "/sys/fs/cgroup" + path.TrimEnd('/');
                if (Path.GetFileName(parent) == SiloLeaf)
                {
                    // An earlier pool of this process moved the silo into its leaf: the pools' cgroups go beside it.
                    parent = Path.GetDirectoryName(parent)!;
                }

                var controllers = File.ReadAllText(Path.Combine(parent, "cgroup.controllers"));
                if (!controllers.Contains("memory", StringComparison.Ordinal) || !controllers.Contains("pids", StringComparison.Ordinal))
                {
                    why = $"the cgroup v2 hierarchy at {parent} offers no memory or pids controller";
                    return null;
                }

                EnableControllers(parent);
                Cgroups.RemoveStale(parent, Prefix);
                var directory = Path.Combine(parent, name);
                Directory.CreateDirectory(directory);
                File.WriteAllText(Path.Combine(directory, "cgroup.subtree_control"), "+memory +pids");
                why = "";
                return new CgroupLayout(directory, null, null, TryCpuWeightV2(parent, directory, cpuWeight));
            }

            string? V1(string controller)
            {
                if (Cgroups.OwnV1Directory(own, controller) is not { } parent)
                {
                    return null;
                }

                Cgroups.RemoveStale(parent, Prefix);
                var directory = parent + "/" + name;
                Directory.CreateDirectory(directory);
                return directory;
            }

            var memory = V1("memory");
            string? pids;
            try
            {
                pids = V1("pids");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Optional: a silo that is not root may have been given a memory directory only.
                pids = null;
            }

            if (memory is null)
            {
                Cgroups.TryRemove(pids);
                why = "no memory cgroup controller is mounted (neither cgroup v2 nor v1 /sys/fs/cgroup/memory)";
                return null;
            }

            string? cpu = null;
            try
            {
                // All workers in one group whose weight is the workers' share together (children inherit the group).
                cpu = V1("cpu");
                if (cpu is not null)
                {
                    File.WriteAllText(Path.Combine(cpu, "cpu.shares"), Math.Max(2, cpuWeight * 1024 / 100).ToString(CultureInfo.InvariantCulture));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Optional: the nice value still lowers the workers.
                Cgroups.TryRemove(cpu);
                cpu = null;
            }

            why = "";
            return new CgroupLayout(null, memory, pids, cpu);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            why = "the silo cannot create cgroups: " + ex.Message;
            return null;
        }
    }

    /// <summary>Creates one worker's cgroups with its process limit.</summary>
    public WorkerCgroups CreateWorker(string id, int maxProcesses)
    {
        var name = "w" + id;
        if (_v2 is not null)
        {
            var directory = Path.Combine(_v2, name);
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, "pids.max"), maxProcesses.ToString(CultureInfo.InvariantCulture));
            return new WorkerCgroups(directory, null, null, null, cpuIdle: _cpu is not null);
        }

        var memory = Path.Combine(_memory!, name);
        Directory.CreateDirectory(memory);
        string? pids = null;
        if (_pids is not null)
        {
            pids = Path.Combine(_pids, name);
            Directory.CreateDirectory(pids);
            File.WriteAllText(Path.Combine(pids, "pids.max"), maxProcesses.ToString(CultureInfo.InvariantCulture));
        }

        return new WorkerCgroups(null, memory, pids, _cpu, longCpu: _longCpu);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Cgroups.TryRemove(_v2);
        Cgroups.TryRemove(_memory);
        Cgroups.TryRemove(_pids);
        Cgroups.TryRemove(_longCpu);
        Cgroups.TryRemove(_cpu);
    }

    // cgroup v2: the cpu controller for the workers' directory, weighted as one group; null when the host has none.
    private static string? TryCpuWeightV2(string parent, string directory, int cpuWeight)
    {
        try
        {
            if (!File.ReadAllText(Path.Combine(parent, "cgroup.subtree_control")).Contains("cpu", StringComparison.Ordinal))
            {
                File.WriteAllText(Path.Combine(parent, "cgroup.subtree_control"), "+cpu");
            }

            File.WriteAllText(Path.Combine(directory, "cpu.weight"), cpuWeight.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(directory, "cgroup.subtree_control"), "+cpu");
            return directory;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void EnableControllers(string parent)
    {
        var control = Path.Combine(parent, "cgroup.subtree_control");
        var enabled = File.ReadAllText(control);
        if (enabled.Contains("memory", StringComparison.Ordinal) && enabled.Contains("pids", StringComparison.Ordinal))
        {
            return;
        }

        try
        {
            File.WriteAllText(control, "+memory +pids");
        }
        catch (IOException)
        {
            // "No internal processes": a cgroup with processes cannot delegate controllers. The silo moves itself
            // into a leaf of its own first (what systemd's Delegate=yes services do).
            var leaf = Path.Combine(parent, SiloLeaf);
            Directory.CreateDirectory(leaf);
            File.WriteAllText(Path.Combine(leaf, "cgroup.procs"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(control, "+memory +pids");
        }
    }
}
