using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Granary.Runtime;

/// <summary>
/// Gives the C heap's free pages back to the OS after V8 runtimes go. A runtime's teardown frees its compilers' zones and
/// its embedder's allocations into glibc's arenas (one per thread that allocated, up to eight per core), which keep them:
/// deploys, each of which loads the code in a scratch isolate, left tens of MiB of free heap in the process per 10,000.
/// A trim (<c>malloc_trim(0)</c>: every arena, free pages in the middle included) runs 2 s after a teardown, and at most
/// once in <see cref="MinInterval"/>, on a thread of its own at the process's priority (a
/// thread-pool thread may have been demoted by a JavaScript run): the trim holds each arena's lock
/// while it walks it, and a demoted thread preempted there would make every thread that allocates from the arena wait.
/// Off glibc it does nothing.
/// </summary>
internal static class NativeHeap
{
    /// <summary>The least time between two trims: a process that tears runtimes down all the time trims this often.</summary>
    internal static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan s_delay = TimeSpan.FromSeconds(2);
    private static int s_scheduled;
    private static long s_lastTrim = long.MinValue;
    private static bool s_unavailable = !OperatingSystem.IsLinux();
    private static int s_trims;

    /// <summary>Gets how many trims have run (for tests).</summary>
    internal static int Trims => Volatile.Read(ref s_trims);

    /// <summary>Schedules a trim, unless one is already due.</summary>
    public static void TrimSoon()
    {
        if (s_unavailable || Interlocked.Exchange(ref s_scheduled, 1) == 1)
        {
            return;
        }

        var last = Volatile.Read(ref s_lastTrim);
        var sinceLast = last == long.MinValue ? TimeSpan.MaxValue : Stopwatch.GetElapsedTime(last);
        var delay = sinceLast >= MinInterval - s_delay ? s_delay : MinInterval - sinceLast;
        _ = Task.Delay(delay).ContinueWith(static _ => new Thread(Trim) { IsBackground = true, Name = "Granary native heap trim" }.Start(), TaskScheduler.Default);
    }

    private static void Trim()
    {
        // Teardowns that come while the trim runs schedule the next one.
        Volatile.Write(ref s_lastTrim, Stopwatch.GetTimestamp());
        Volatile.Write(ref s_scheduled, 0);
        try
        {
            _ = MallocTrim(0);
            Interlocked.Increment(ref s_trims);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            s_unavailable = true;
        }
    }

    // LibraryImport needs unsafe code enabled for the assembly; this call is blittable.
    [DllImport("libc", EntryPoint = "malloc_trim")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallocTrim(nuint pad);
}
