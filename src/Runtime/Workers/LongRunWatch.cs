using System.Globalization;

namespace Granary.Runtime.Workers;

/// <summary>
/// Watches one worker's invocation for a long runner, as <c>ScriptScheduler</c> does for JavaScript: an invocation whose
/// worker's interpreter ran on a CPU for a slice (counted from its first slice, so that the hot path reads no clock) is moved,
/// with every process of its sandbox, to an idle cpu group (<see cref="WorkerCgroups.SetIdle"/>), where it only gets
/// CPU nothing else wants, until it ends. A function whose last invocation was a long runner starts its next one there. Judged by the process's CPU clock, not by how
/// long the invocation waits: an invocation waiting for I/O or for a core on a busy machine is not a long runner.
/// Not thread-safe: the worker calls it under its own lock.
/// </summary>
internal sealed class LongRunWatch(WorkerCgroups cgroups, TimeSpan slice)
{
    private readonly long _sliceNs = slice.Ticks * 100;
    private long _firstCpu = -1;
    private bool _idle;

    /// <summary>Gets the slice between two looks at the invocation's CPU time.</summary>
    public TimeSpan Slice { get; } = slice;

    /// <summary>Gets whether the invocation in progress (or the last one) was seen to spin.</summary>
    public bool Spun { get; private set; }

    /// <summary>Starts watching an invocation; one that starts demoted goes to the idle group before it runs.</summary>
    public void Start(bool demoted)
    {
        _firstCpu = -1;
        Spun = false;
        if (demoted && !_idle)
        {
            _idle = cgroups.SetIdle(true);
        }
    }

    /// <summary>
    /// Looks at the invocation's process once a slice: once it has run for a slice since the first look, it spun, and its
    /// sandbox goes to the idle group. Returns whether to look again (not once it spun).
    /// </summary>
    public bool Look(int pid)
    {
        var cpu = CpuTimeNs(pid);
        if (cpu < 0)
        {
            return false;
        }

        if (_firstCpu < 0)
        {
            _firstCpu = cpu;
            return true;
        }

        if (cpu - _firstCpu >= _sliceNs)
        {
            Spun = true;
            if (!_idle)
            {
                _idle = cgroups.SetIdle(true);
            }

            return false;
        }

        return true;
    }

    /// <summary>Ends the invocation: its sandbox leaves the idle group. Returns whether it was a long runner.</summary>
    public bool End()
    {
        if (_idle)
        {
            cgroups.SetIdle(false);
            _idle = false;
        }

        return Spun;
    }

    // The time the process's main thread has run, in ns (the first field of /proc/<pid>/schedstat); -1 when it is gone.
    private static long CpuTimeNs(int pid)
    {
        if (pid <= 0)
        {
            return -1;
        }

        try
        {
            var text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/schedstat");
            var end = text.IndexOf(' ', StringComparison.Ordinal);
            return long.TryParse(end < 0 ? text : text[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var ns) ? ns : -1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }
}
