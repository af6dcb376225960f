using System.Runtime.InteropServices;

namespace Granary.Runtime.Workers;

/// <summary>kill(2) for the sandbox's processes.</summary>
internal static class PosixSignals
{
    /// <summary>SIGKILL.</summary>
    public const int Sigkill = 9;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; true when it was sent.</summary>
    public static bool Kill(int pid, int signal) => kill(pid, signal) == 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code enabled for the assembly; this one call is blittable.
    private static extern int kill(int pid, int sig);
#pragma warning restore SYSLIB1054
}
