using System.Collections.Concurrent;
using System.Globalization;
using Granary.Runtime.Python;

namespace Granary.Runtime.Workers;

/// <summary>The user and group a worker runs as when the silo is root, read from <c>/etc/passwd</c>.</summary>
internal sealed record WorkerIdentity(int Uid, int Gid)
{
    private static readonly ConcurrentDictionary<string, WorkerIdentity?> s_known = new(StringComparer.Ordinal);

    /// <summary>Gets the identity of <paramref name="user"/> (a name or a numeric uid), or null when workers keep the silo's user.</summary>
    public static WorkerIdentity? Resolve(string? user)
    {
        if (string.IsNullOrWhiteSpace(user) || !Environment.IsPrivilegedProcess || !OperatingSystem.IsLinux())
        {
            return null;
        }

        return s_known.GetOrAdd(user, static name =>
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var fields = line.Split(':');
                if (fields.Length > 3 && (fields[0] == name || fields[2] == name)
                    && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
                    && int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
                {
                    return new WorkerIdentity(uid, gid);
                }
            }

            throw new InvalidOperationException($"The worker user '{name}' ({PythonLauncher.ConfigurationSection}:WorkerUser) is not in /etc/passwd.");
        });
    }
}
