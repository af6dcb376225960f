using System.Runtime.InteropServices;

namespace Granary.Runtime.JavaScript;

/// <summary>Lowers the calling thread's CPU priority (Linux keeps a nice value per thread).</summary>
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

    [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code enabled for the assembly; this one call is blittable.
    private static extern int SetPriority(int which, int who, int priority);
#pragma warning restore SYSLIB1054
}
