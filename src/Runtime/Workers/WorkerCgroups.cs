using System.Globalization;

namespace Granary.Runtime.Workers;

/// <summary>One worker's cgroups: limits, membership, kill and removal.</summary>
internal sealed class WorkerCgroups : IDisposable
{
    private readonly string? _v2;
    private readonly string? _memory;
    private readonly string? _pids;
    private readonly string? _sharedCpu;
    private readonly string? _longCpu;
    private readonly bool _cpuIdle;

    internal WorkerCgroups(string? v2, string? memory, string? pids, string? sharedCpu, bool cpuIdle = false, string? longCpu = null)
    {
        _v2 = v2;
        _memory = memory;
        _pids = pids;
        _sharedCpu = sharedCpu;
        _cpuIdle = v2 is not null && cpuIdle;
        _longCpu = sharedCpu is null ? null : longCpu;
    }

    /// <summary>
    /// Gets whether the worker can be demoted as a long runner: its own cgroup v2 directory has the cpu controller
    /// (<c>cpu.idle</c>), or cgroup v1 has the workers' idle group.
    /// </summary>
    public bool CanDemote => _cpuIdle || _longCpu is not null;

    /// <summary>
    /// Moves every process of the worker where it only gets CPU nothing else wants (an idle cpu group), or back; false
    /// when the kernel refused. Processes forked meanwhile keep the group they were forked in.
    /// </summary>
    public bool SetIdle(bool idle)
    {
        if (_cpuIdle)
        {
            return Cgroups.TryWrite(Path.Combine(_v2!, "cpu.idle"), idle ? "1" : "0");
        }

        if (_longCpu is null)
        {
            return false;
        }

        var procs = Path.Combine(idle ? _longCpu : _sharedCpu!, "cgroup.procs");
        var moved = true;
        foreach (var pid in Pids())
        {
            moved &= Cgroups.TryWrite(procs, pid.ToString(CultureInfo.InvariantCulture));
        }

        return moved;
    }

    /// <summary>
    /// Gets the <c>cgroup.procs</c> files the worker's first process writes itself into: its own cgroups, and on cgroup v1
    /// the cpu group all workers share.
    /// </summary>
    public IReadOnlyList<string> ProcsFiles =>
        [.. new[] { _v2, _memory, _pids, _sharedCpu }.OfType<string>().Select(d => Path.Combine(d, "cgroup.procs"))];

    /// <summary>Sets the memory limit of the whole sandbox (swap included where the host accounts for it).</summary>
    public void SetMemoryLimit(long bytes)
    {
        var value = bytes.ToString(CultureInfo.InvariantCulture);
        if (_v2 is not null)
        {
            File.WriteAllText(Path.Combine(_v2, "memory.max"), value);
            Cgroups.TryWrite(Path.Combine(_v2, "memory.swap.max"), "0");
            return;
        }

        File.WriteAllText(Path.Combine(_memory!, "memory.limit_in_bytes"), value);
        Cgroups.TryWrite(Path.Combine(_memory!, "memory.memsw.limit_in_bytes"), value);
    }

    /// <summary>
    /// Gets whether the kernel killed a process of the sandbox for lack of memory, or the sandbox reached its memory
    /// limit (so a worker that died then died of it).
    /// </summary>
    public bool OomKilled()
    {
        try
        {
            var file = _v2 is not null ? Path.Combine(_v2, "memory.events") : Path.Combine(_memory!, "memory.oom_control");
            foreach (var line in File.ReadLines(file))
            {
                if ((line.StartsWith("oom_kill ", StringComparison.Ordinal) && line[9..].Trim() != "0")
                    || (_v2 is not null && line.StartsWith("max ", StringComparison.Ordinal) && line[4..].Trim() != "0"))
                {
                    return true;
                }
            }

            if (_v2 is null && File.ReadAllText(Path.Combine(_memory!, "memory.failcnt")).Trim() is { Length: > 0 } failures && failures != "0")
            {
                return true;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Removed already.
        }

        return false;
    }

    /// <summary>Gets the host pids of every process in the sandbox.</summary>
    public List<int> Pids()
    {
        var pids = new List<int>();
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(_v2 ?? _pids ?? _memory!, "cgroup.procs")))
            {
                if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    pids.Add(pid);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Removed already.
        }

        return pids;
    }

    /// <summary>Kills every process in the sandbox's cgroups.</summary>
    public void KillAll()
    {
        if (_v2 is not null && Cgroups.TryWrite(Path.Combine(_v2, "cgroup.kill"), "1"))
        {
            return;
        }

        // cgroup v1 (or a v2 kernel before 5.14): signal what is listed, a few rounds for what forked meanwhile
        // (pids.max bounds how many there can be).
        for (var round = 0; round < 4; round++)
        {
            var pids = Pids();
            if (pids.Count == 0)
            {
                return;
            }

            foreach (var pid in pids)
            {
                _ = PosixSignals.Kill(pid, PosixSignals.Sigkill);
            }
        }
    }

    /// <summary>Removes the cgroups (once their processes are gone; retried briefly while the kernel reaps them).</summary>
    public void Dispose()
    {
        foreach (var directory in new[] { _v2, _memory, _pids })
        {
            if (directory is null)
            {
                continue;
            }

            for (var attempt = 0; attempt < 50 && Directory.Exists(directory); attempt++)
            {
                Cgroups.TryRemove(directory);
                if (Directory.Exists(directory))
                {
                    Thread.Sleep(10);
                }
            }
        }
    }
}
