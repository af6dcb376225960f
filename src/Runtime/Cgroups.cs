using System.Globalization;

namespace Granary.Runtime;

/// <summary>
/// The cgroup file system as this process uses it: where it sits in a hierarchy, writing a control file, and removing
/// directories, its own and those left by processes that were killed. Shared by the Python sandbox's worker groups
/// and the JavaScript long runners' group.
/// </summary>
internal static class Cgroups
{
    /// <summary>
    /// Gets this process's directory in the cgroup v1 hierarchy of <paramref name="controller"/> (mounted at
    /// <c>/sys/fs/cgroup/&lt;controller&gt;</c>), or null when there is none. <paramref name="own"/> is
    /// <c>/proc/self/cgroup</c>, read once by the caller.
    /// </summary>
    public static string? OwnV1Directory(IEnumerable<string> own, string controller)
    {
        var line = own.FirstOrDefault(l => l.Split(':') is [_, var c, _] && c.Split(',').Contains(controller));
        var root = $"/sys/fs/cgroup/{controller}";
        return line is null || !Directory.Exists(root) ? null : root + line.Split(':')[2].TrimEnd('/');
    }

    /// <summary>
    /// Gets a name for a directory of this process, <c>&lt;prefix&gt;&lt;pid&gt;-&lt;random&gt;</c>: what
    /// <see cref="RemoveStale"/> removes once the process is gone.
    /// </summary>
    public static string NewName(string prefix) =>
        $"{prefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>
    /// Makes <paramref name="directory"/> a cgroup v1 cpu group the kernel schedules only when nothing else wants the
    /// CPU: <c>cpu.idle</c> (Linux 5.15 on), else the smallest weight there is. False, with the directory removed,
    /// when it cannot.
    /// </summary>
    public static bool TryMakeIdle(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            var idle = Path.Combine(directory, "cpu.idle");
            if (File.Exists(idle) ? TryWrite(idle, "1") : TryWrite(Path.Combine(directory, "cpu.shares"), "2"))
            {
                return true;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not allowed here.
        }

        TryRemove(directory);
        return false;
    }

    /// <summary>
    /// Removes the directories under <paramref name="parent"/> named <c>&lt;prefix&gt;&lt;pid&gt;-&lt;suffix&gt;</c>
    /// whose pid is no longer running: what a process that was killed could not remove.
    /// </summary>
    public static void RemoveStale(string parent, string prefix)
    {
        foreach (var directory in Directory.EnumerateDirectories(parent, prefix + "*"))
        {
            var parts = Path.GetFileName(directory)[prefix.Length..].Split('-');
            if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && !Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}"))
            {
                TryRemove(directory);
            }
        }
    }

    /// <summary>Removes a cgroup directory and the ones below it; one still in use (or gone) stays as it is.</summary>
    public static void TryRemove(string? directory)
    {
        if (directory is null)
        {
            return;
        }

        try
        {
            // Each cgroup directory is removed with rmdir (its files are not real files).
            foreach (var child in Directory.GetDirectories(directory))
            {
                TryRemove(child);
            }

            Directory.Delete(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Busy (a process not yet reaped) or gone.
        }
    }

    /// <summary>Writes a control file; false when the kernel refuses (or the cgroup is gone).</summary>
    public static bool TryWrite(string file, string value)
    {
        try
        {
            File.WriteAllText(file, value);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
