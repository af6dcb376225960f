using System.Globalization;

namespace Granary.Runtime.JavaScript;

/// <summary>
/// Where demoted long runners run (see <see cref="ScriptScheduler"/>): a cgroup v1 <c>cpu</c> group of this process
/// marked <c>cpu.idle</c>, which the kernel schedules as one idle entity beside everything else, and CPUs other than
/// the first when the machine has two or more. Measured on 2 cores (Linux 6.18): forty threads each in the
/// <c>SCHED_IDLE</c> class still took the CPU from a waking request thread for whole scheduler ticks (a healthy
/// function's p99 went from 0.8 to 4 ms); the same threads in one idle group, kept off the first CPU, left it within
/// 1.3–1.7×. Where the group cannot be made (cgroup v2, no cpu controller, no permission) long runners fall back to
/// <c>SCHED_IDLE</c> per thread.
/// </summary>
internal sealed class LongRunnerGroup : IDisposable
{
    private const string Prefix = "granary-js-";

    private readonly string _tasks;
    private readonly string _home;
    private readonly string _directory;

    private LongRunnerGroup(string directory, string home)
    {
        _directory = directory;
        _tasks = Path.Combine(directory, "tasks");
        _home = Path.Combine(home, "tasks");
    }

    /// <summary>Gets the group's directory.</summary>
    public string Directory => _directory;

    /// <summary>Makes the group under this process's cpu cgroup (cgroup v1), or returns null and why not.</summary>
    public static LongRunnerGroup? Create(out string why)
    {
        if (!OperatingSystem.IsLinux())
        {
            why = "not Linux";
            return null;
        }

        try
        {
            if (Cgroups.OwnV1Directory(File.ReadAllLines("/proc/self/cgroup"), "cpu") is not { } parent)
            {
                why = "no cgroup v1 cpu controller is mounted at /sys/fs/cgroup/cpu";
                return null;
            }

            Cgroups.RemoveStale(parent, Prefix);
            var directory = Path.Combine(parent, Cgroups.NewName(Prefix));
            if (!Cgroups.TryMakeIdle(directory))
            {
                why = $"the kernel refused to make {directory} an idle group";
                return null;
            }

            why = "";
            return new LongRunnerGroup(directory, parent);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            why = ex.Message;
            return null;
        }
    }

    /// <summary>Moves a thread (by its Linux thread id) into the group; false when the kernel refuses.</summary>
    public bool Enter(int threadId) => threadId > 0 && Cgroups.TryWrite(_tasks, threadId.ToString(CultureInfo.InvariantCulture));

    /// <summary>Moves a thread back to the process's own cpu group; false when the kernel refuses.</summary>
    public bool Leave(int threadId) => threadId > 0 && Cgroups.TryWrite(_home, threadId.ToString(CultureInfo.InvariantCulture));

    /// <inheritdoc />
    public void Dispose()
    {
        // Threads still inside (the process is ending) go home first, or the directory cannot be removed.
        try
        {
            foreach (var task in File.ReadAllLines(_tasks))
            {
                if (int.TryParse(task, CultureInfo.InvariantCulture, out var id))
                {
                    Leave(id);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        Cgroups.TryRemove(_directory);
    }
}
