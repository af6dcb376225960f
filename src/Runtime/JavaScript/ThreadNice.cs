using System.Runtime.InteropServices;

namespace Granary.Runtime.JavaScript;

/// <summary>Sets threads' CPU priority (Linux keeps a nice value per thread).</summary>
internal static partial class ThreadNice
{
    private const int PrioProcess = 0;

    /// <summary>Sets the calling thread's nice value; 0, another OS, or a refusal leaves it as it is.</summary>
    public static void Lower(int nice)
    {
        if (nice <= 0 || !OperatingSystem.IsLinux())
        {
            return;
        }

        // who = 0 with PRIO_PROCESS means the calling thread on Linux. Raising one's own nice value needs no privilege.
        _ = SetPriority(PrioProcess, 0, nice);
    }

    /// <summary>
    /// Sets the calling thread's nice value, lower or higher; false when the OS refuses (lowering it needs
    /// <c>CAP_SYS_NICE</c> or a <c>RLIMIT_NICE</c> that allows it). Always true off Linux, where nothing is set.
    /// </summary>
    public static bool TrySet(int nice) => !OperatingSystem.IsLinux() || SetPriority(PrioProcess, 0, nice) == 0;

    /// <summary>Sets another thread's nice value (by its Linux thread id); false when the OS refuses or off Linux.</summary>
    public static bool TrySetFor(int threadId, int nice) => OperatingSystem.IsLinux() && threadId > 0 && SetPriority(PrioProcess, threadId, nice) == 0;

    /// <summary>
    /// Puts another thread (by its Linux thread id) in the <c>SCHED_IDLE</c> class, where any ordinary thread that wakes
    /// preempts it at once; false when the OS refuses or off Linux. Raising one's own nice value or moving to
    /// <c>SCHED_IDLE</c> needs no privilege; leaving it needs the same as lowering a nice value.
    /// </summary>
    public static bool TrySetIdleClassFor(int threadId)
    {
        if (!OperatingSystem.IsLinux() || threadId <= 0)
        {
            return false;
        }

        var param = 0;
        return SchedSetScheduler(threadId, SchedIdle, ref param) == 0;
    }

    /// <summary>
    /// Puts the calling thread back in the ordinary class (<c>SCHED_OTHER</c>) at <paramref name="nice"/>; false when the
    /// OS refuses. Always true off Linux.
    /// </summary>
    public static bool TrySetOrdinary(int nice)
    {
        if (!OperatingSystem.IsLinux())
        {
            return true;
        }

        var param = 0;
        return SchedSetScheduler(0, SchedOther, ref param) == 0 && SetPriority(PrioProcess, 0, nice) == 0;
    }

    /// <summary>
    /// Puts another thread (by its Linux thread id) back in the ordinary class (<c>SCHED_OTHER</c>); false when the OS
    /// refuses (leaving <c>SCHED_IDLE</c> needs <c>CAP_SYS_NICE</c> or a <c>RLIMIT_NICE</c> that allows it) or off Linux.
    /// </summary>
    public static bool TrySetOrdinaryFor(int threadId)
    {
        if (!OperatingSystem.IsLinux() || threadId <= 0)
        {
            return false;
        }

        var param = 0;
        return SchedSetScheduler(threadId, SchedOther, ref param) == 0;
    }

    /// <summary>Gets the calling thread's Linux thread id (0 off Linux).</summary>
    public static int CurrentThreadId()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        // /proc/thread-self links to /proc/<pid>/task/<tid>.
        var target = new DirectoryInfo("/proc/thread-self").LinkTarget ?? "";
        return int.TryParse(Path.GetFileName(target), System.Globalization.CultureInfo.InvariantCulture, out var tid) ? tid : 0;
    }

    /// <summary>
    /// Restricts a thread (by its Linux thread id; 0 for the calling thread) to the CPUs in <paramref name="mask"/> (bit n
    /// is CPU n; the first 64 CPUs); false when the OS refuses or off Linux.
    /// </summary>
    public static bool TrySetAffinity(int threadId, ulong mask)
    {
        if (!OperatingSystem.IsLinux() || threadId < 0)
        {
            return false;
        }

        return SchedSetAffinity(threadId, sizeof(ulong), ref mask) == 0;
    }

    /// <summary>Gets the CPUs the calling thread may run on (bit n is CPU n; the first 64); all of them when unknown.</summary>
    public static ulong GetAffinity()
    {
        var all = Environment.ProcessorCount >= 64 ? ulong.MaxValue : (1UL << Environment.ProcessorCount) - 1;
        if (!OperatingSystem.IsLinux())
        {
            return all;
        }

        ulong mask = 0;
        return SchedGetAffinity(0, sizeof(ulong), ref mask) >= 0 && mask != 0 ? mask : all;
    }

    /// <summary>
    /// Gets the CPU time, in ns, a thread of this process (by its Linux thread id) has run so far; -1 off Linux or when
    /// the thread is gone. One system call: the thread's own CPU clock (Linux's <c>MAKE_THREAD_CPUCLOCK(tid,
    /// CPUCLOCK_SCHED)</c>), readable for any thread of the calling process.
    /// </summary>
    public static long CpuTimeNs(int threadId) =>
        OperatingSystem.IsLinux() && threadId > 0 ? ClockNs((~threadId << 3) | 6) : -1;

    /// <summary>Gets the CPU time, in ns, the calling thread has run so far (<c>CLOCK_THREAD_CPUTIME_ID</c>); -1 off Linux.</summary>
    public static long CurrentThreadCpuTimeNs() => OperatingSystem.IsLinux() ? ClockNs(ClockThreadCpuTime) : -1;

    private const int ClockThreadCpuTime = 3;

    private static long ClockNs(int clock) =>
        ClockGetTime(clock, out var time) == 0 ? (time.Seconds * 1_000_000_000) + time.Nanoseconds : -1;

    private const int SchedOther = 0;
    private const int SchedIdle = 5;

    // LibraryImport needs unsafe code enabled for the assembly; these calls are blittable.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SchedSetScheduler(int pid, int policy, ref int param);

    [DllImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SchedSetAffinity(int pid, nint cpusetsize, ref ulong mask);

    // The raw system call returns the size of the mask it wrote; glibc's wrapper returns 0 — both succeed when >= 0.
    [DllImport("libc", EntryPoint = "sched_getaffinity", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SchedGetAffinity(int pid, nint cpusetsize, ref ulong mask);

    [DllImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int ClockGetTime(int clockId, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SetPriority(int which, int who, int priority);
#pragma warning restore SYSLIB1054
}
