namespace Granary.Cluster.Tests.Infrastructure;

/// <summary>
/// Finds the servers' programs. A missing one fails the test with the command that installs it: these tests
/// never skip (house style, rule 23), so a machine without the servers shows red rather than green.
/// </summary>
internal static class Binaries
{
    /// <summary>Returns the first path that exists, or throws naming the Debian package to install.</summary>
    public static string Require(string path, string package, params string[] alternatives)
    {
        foreach (var candidate in alternatives.Prepend(path))
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"{string.Join(" or ", alternatives.Prepend(path))} is missing. Install it with: apt-get install -y {package}");
    }

    /// <summary>
    /// Gets the newest Debian PostgreSQL server's bin directory, <c>/usr/lib/postgresql/&lt;version&gt;/bin</c>
    /// (Debian keeps it off PATH so that several versions can be installed side by side).
    /// </summary>
    public static string PostgresBin()
    {
        const string Root = "/usr/lib/postgresql";
        var newest = Directory.Exists(Root)
            ? Directory.GetDirectories(Root)
                .Select(dir => (Dir: dir, Version: decimal.TryParse(Path.GetFileName(dir), System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : -1))
                .Where(x => x.Version >= 0 && File.Exists(Path.Combine(x.Dir, "bin", "initdb")) && File.Exists(Path.Combine(x.Dir, "bin", "postgres")))
                .OrderByDescending(x => x.Version)
                .Select(x => Path.Combine(x.Dir, "bin"))
                .FirstOrDefault()
            : null;
        return newest ?? throw new InvalidOperationException(
            $"No PostgreSQL server found under {Root}/<version>/bin (initdb, postgres). Install it with: apt-get install -y postgresql");
    }
}
