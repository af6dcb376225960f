using System.Runtime.InteropServices;
using Granary.Runtime.JavaScript;

namespace Granary.Runtime;

/// <summary>
/// Gives the C heap's free pages back to the OS after V8 runtimes go. A runtime's teardown frees its compilers' zones and
/// its embedder's allocations into glibc's arenas (one per thread that allocated, up to eight per core), which keep them:
/// deploys, each of which loads the code in a scratch isolate, left hundreds of MiB of free heap in the process. A trim
/// (<c>malloc_trim(0)</c>: every arena, free pages in the middle included) runs a few seconds after the last teardown,
/// once for a burst, on a thread of its own at nice 19; off glibc it does nothing.
/// </summary>
internal static class NativeHeap
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(2);
    private static int _scheduled;
    private static bool _unavailable = !OperatingSystem.IsLinux();
    private static int _trims;

    /// <summary>Gets how many trims have run (for tests).</summary>
    internal static int Trims => Volatile.Read(ref _trims);

    /// <summary>Schedules a trim, unless one is already due.</summary>
    public static void TrimSoon()
    {
        if (_unavailable || Interlocked.Exchange(ref _scheduled, 1) == 1)
        {
            return;
        }

        _ = Task.Delay(Delay).ContinueWith(static _ => new Thread(Trim) { IsBackground = true, Name = "Granary native heap trim" }.Start(), TaskScheduler.Default);
    }

    private static void Trim()
    {
        ThreadNice.Lower(19);

        // Teardowns that come while the trim runs schedule the next one.
        Volatile.Write(ref _scheduled, 0);
        try
        {
            _ = MallocTrim(0);
            Interlocked.Increment(ref _trims);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            _unavailable = true;
        }
    }

    // LibraryImport needs unsafe code enabled for the assembly; this call is blittable.
    [DllImport("libc", EntryPoint = "malloc_trim")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallocTrim(nuint pad);
}
