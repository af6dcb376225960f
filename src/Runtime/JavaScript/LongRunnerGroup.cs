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
            var line = File.ReadAllLines("/proc/self/cgroup").FirstOrDefault(l => l.Split(':') is [_, var c, _] && c.Split(',').Contains("cpu"));
            const string root = "/sys/fs/cgroup/cpu";
            if (line is null || !System.IO.Directory.Exists(root))
            {
                why = "no cgroup v1 cpu controller is mounted at /sys/fs/cgroup/cpu";
                return null;
            }

            var parent = root + line.Split(':')[2].TrimEnd('/');
            RemoveStale(parent);
            var directory = Path.Combine(parent, $"{Prefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..8]}");
            System.IO.Directory.CreateDirectory(directory);
            try
            {
                var idle = Path.Combine(directory, "cpu.idle");
                if (File.Exists(idle))
                {
                    File.WriteAllText(idle, "1");
                }
                else
                {
                    // Before Linux 5.15: the smallest weight there is.
                    File.WriteAllText(Path.Combine(directory, "cpu.shares"), "2");
                }
            }
            catch
            {
                TryRemove(directory);
                throw;
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
    public bool Enter(int threadId) => Write(_tasks, threadId);

    /// <summary>Moves a thread back to the process's own cpu group; false when the kernel refuses.</summary>
    public bool Leave(int threadId) => Write(_home, threadId);

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

        TryRemove(_directory);
    }

    private static bool Write(string tasks, int threadId)
    {
        if (threadId <= 0)
        {
            return false;
        }

        try
        {
            File.WriteAllText(tasks, threadId.ToString(CultureInfo.InvariantCulture));
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // Groups left by processes that are gone (killed before they could remove theirs).
    private static void RemoveStale(string parent)
    {
        foreach (var directory in System.IO.Directory.EnumerateDirectories(parent, Prefix + "*"))
        {
            var pid = Path.GetFileName(directory)[Prefix.Length..].Split('-')[0];
            if (int.TryParse(pid, CultureInfo.InvariantCulture, out var id) && !System.IO.Directory.Exists($"/proc/{id}"))
            {
                TryRemove(directory);
            }
        }
    }

    private static void TryRemove(string directory)
    {
        try
        {
            System.IO.Directory.Delete(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
