using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.Packages;

/// <summary>
/// Installs functions' npm dependencies with the machine's <c>npm</c>, once per distinct dependency set: each set
/// gets its own directory under <see cref="NpmOptions.Directory"/>, named by a hash of the set, which every
/// function and workspace declaring the same set shares (see <see cref="PackageInstaller"/> for how sets are
/// installed, published and shared).
/// </summary>
public sealed partial class NpmPackages : PackageInstaller
{
    private const int MaxNameLength = 214;
    private const int MaxRangeLength = 256;

    private readonly NpmOptions _options;

    /// <summary>Creates the service.</summary>
    public NpmPackages(IOptions<NpmOptions> options, ILogger<NpmPackages> logger)
        // The silo sets Directory under its storage path; this default matches the storage's own default ("data").
        : base(string.IsNullOrEmpty(options?.Value.Directory) ? Path.Combine("data", "npm") : options.Value.Directory, "npm", logger)
    {
        _options = options!.Value;
    }

    /// <summary>
    /// Checks a dependency set: package names by npm's rules, and version ranges that can only come from the
    /// registry (semver ranges, dist-tags, <c>npm:</c> aliases). Local paths, <c>file:</c>, <c>link:</c>, git and
    /// URL specs are refused, so that a deploy cannot make npm read the host's disk or fetch arbitrary code.
    /// Returns null when the set is fine, else a message naming the bad entry.
    /// </summary>
    public static string? Validate(IReadOnlyDictionary<string, string>? dependencies, int maxDependencies)
    {
        if (dependencies is null || dependencies.Count == 0)
        {
            return null;
        }

        if (dependencies.Count > maxDependencies)
        {
            return $"{dependencies.Count} npm dependencies are declared; at most {maxDependencies} are allowed (Granary:Npm:MaxDependencies).";
        }

        foreach (var (name, range) in dependencies)
        {
            if (ValidateName(name) is { } nameProblem)
            {
                return $"npm dependency '{name}': {nameProblem}";
            }

            if (ValidateRange(range) is { } rangeProblem)
            {
                return $"npm dependency '{name}': {rangeProblem}";
            }
        }

        return null;
    }

    /// <summary>
    /// Makes sure a dependency set is installed and returns its directory (the one that holds
    /// <c>node_modules</c>). Null or empty dependencies need no work and return neither directory nor error.
    /// A failed install returns npm's own message and leaves no directory behind; it never throws for npm's
    /// failures, and a hung npm is killed after <see cref="NpmOptions.InstallTimeoutSeconds"/>.
    /// </summary>
    public async Task<PackageInstall> EnsureAsync(IReadOnlyDictionary<string, string>? dependencies, CancellationToken cancellationToken = default)
    {
        if (dependencies is null || dependencies.Count == 0)
        {
            return Nothing;
        }

        if (Validate(dependencies, _options.MaxDependencies) is { } invalid)
        {
            return new PackageInstall(null, invalid);
        }

        var sorted = Sort(dependencies);
        return await EnsureSetAsync(Hash(sorted), (directory, cancel) => InstallAsync(directory, sorted, cancel), cancellationToken);
    }

    private async Task<string?> InstallAsync(string directory, Dependency[] dependencies, CancellationToken cancellationToken)
    {
        var cache = Path.Combine(Root, CacheDirectoryName);
        Directory.CreateDirectory(cache);
        await File.WriteAllBytesAsync(Path.Combine(directory, "package.json"), PackageJson(dependencies), cancellationToken);

        var start = new ProcessStartInfo(_options.Command) { WorkingDirectory = directory };
        foreach (var argument in (string[])["install", "--ignore-scripts", "--no-audit", "--no-fund", "--omit=dev", "--no-package-lock", "--loglevel=error"])
        {
            start.ArgumentList.Add(argument);
        }

        if (!string.IsNullOrEmpty(_options.Registry))
        {
            start.ArgumentList.Add("--registry");
            start.ArgumentList.Add(_options.Registry);
        }

        // npm's cache, logs and user config live in the data directory, so installs work as any user (no home
        // directory needed) and never read the operator's ~/.npmrc by surprise.
        start.Environment["HOME"] = cache;
        start.Environment["npm_config_cache"] = cache;
        start.Environment["npm_config_update_notifier"] = "false";
        var settings = new ToolSettings("Granary:Npm:Command", "apt-get install -y npm", _options.InstallTimeoutSeconds, "Granary:Npm:InstallTimeoutSeconds");
        return await RunToolAsync(start, settings, dependencies.Length, directory, Summarize, cancellationToken);
    }

    // The lines of npm's output that explain the failure: errors only (not warnings), without blank "npm error 404"
    // lines, the pointer to npm's debug log, or the advice to install from a folder or git (which Granary refuses).
    private static string Summarize(string stderr, string stdout, int exitCode)
    {
        var text = string.IsNullOrWhiteSpace(stderr) ? stdout : stderr;
        var lines = text.Split('\n')
            .Select(l => l.TrimEnd('\r', ' '))
            .Where(IsMeaningful)
            .ToList();
        if (lines.Any(IsErrorLine))
        {
            lines = [.. lines.Where(IsErrorLine)];
        }

        var summary = string.Join('\n', lines);
        if (summary.Length == 0)
        {
            return $"npm exited with code {exitCode} and no message.";
        }

        return summary;
    }

    private static bool IsErrorLine(string line) =>
        line.StartsWith("npm error", StringComparison.Ordinal) || line.StartsWith("npm ERR!", StringComparison.Ordinal);

    private static bool IsMeaningful(string line)
    {
        var body = line;
        foreach (var prefix in (string[])["npm error", "npm ERR!", "npm warn", "npm WARN"])
        {
            if (body.StartsWith(prefix, StringComparison.Ordinal))
            {
                body = body[prefix.Length..];
                break;
            }
        }

        body = body.Trim();
        return body.Length > 0
            && !StatusOnly().IsMatch(body)
            && !body.Contains("A complete log of this run can be found in", StringComparison.Ordinal)
            && !body.Contains("Note that you can also install from a", StringComparison.Ordinal)
            && !body.Contains("tarball, folder, http url", StringComparison.Ordinal);
    }

    private static byte[] PackageJson(Dependency[] dependencies)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("name", "granary-deps");
            json.WriteBoolean("private", true);
            json.WriteStartObject("dependencies");
            foreach (var (name, range) in dependencies)
            {
                json.WriteString(name, range);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Gets the name of a dependency set: the same for the same packages and ranges in any order (it names the set's
    /// install directory), or null for no dependencies. Tenants count their distinct sets against a quota.
    /// </summary>
    public static string? SetName(IReadOnlyDictionary<string, string>? dependencies) =>
        dependencies is null || dependencies.Count == 0 ? null : Hash(Sort(dependencies));

    private static Dependency[] Sort(IReadOnlyDictionary<string, string> dependencies) => dependencies
        .Select(d => new Dependency(d.Key, d.Value.Trim()))
        .OrderBy(d => d.Name, StringComparer.Ordinal)
        .ToArray();

    private static string Hash(Dependency[] sorted)
    {
        var text = new StringBuilder();
        foreach (var (name, range) in sorted)
        {
            text.Append(name).Append('@').Append(range).Append('\n');
        }

        return Hash(text.ToString());
    }

    private static string? ValidateName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "the package name is empty.";
        }

        if (name.Length > MaxNameLength)
        {
            return $"the package name is longer than {MaxNameLength} characters.";
        }

        if (name is "node_modules" or "favicon.ico" or "granary-deps")
        {
            return $"'{name}' is a reserved package name.";
        }

        return PackageName().IsMatch(name)
            ? null
            : "not a valid npm package name (lowercase letters, digits and - . _ ~, optionally @scope/, not starting with . or _).";
    }

    private static string? ValidateRange(string? range)
    {
        if (string.IsNullOrWhiteSpace(range))
        {
            return "the version range is empty.";
        }

        if (range.Length > MaxRangeLength)
        {
            return $"the version range is longer than {MaxRangeLength} characters.";
        }

        var value = range.Trim();
        if (!value.StartsWith("npm:", StringComparison.OrdinalIgnoreCase))
        {
            return ValidateRegistryRange(value);
        }

        // npm:<name>[@<range>], an alias of another registry package.
        var alias = value[4..];
        var at = alias.IndexOf('@', alias.StartsWith('@') ? 1 : 0);
        var target = at < 0 ? alias : alias[..at];
        if (ValidateName(target) is { } problem)
        {
            return $"the alias '{value}' does not name a valid package: {problem}";
        }

        return at < 0 ? null : at == alias.Length - 1 ? $"the alias '{value}' has an empty version range." : ValidateRegistryRange(alias[(at + 1)..]);
    }

    private static string? ValidateRegistryRange(string value)
    {
        var kind = value switch
        {
            _ when value.StartsWith("file:", StringComparison.OrdinalIgnoreCase) => "a local file or directory",
            _ when value.StartsWith("link:", StringComparison.OrdinalIgnoreCase) => "a link to a local directory",
            _ when value.StartsWith("git:", StringComparison.OrdinalIgnoreCase)
                || value.StartsWith("git+", StringComparison.OrdinalIgnoreCase)
                || value.StartsWith("github:", StringComparison.OrdinalIgnoreCase)
                || value.StartsWith("gitlab:", StringComparison.OrdinalIgnoreCase)
                || value.StartsWith("bitbucket:", StringComparison.OrdinalIgnoreCase)
                || value.StartsWith("gist:", StringComparison.OrdinalIgnoreCase) => "a git repository",
            _ when value.StartsWith("http:", StringComparison.OrdinalIgnoreCase)
                || value.StartsWith("https:", StringComparison.OrdinalIgnoreCase)
                || value.Contains("://", StringComparison.Ordinal) => "a URL",
            // Semver ranges never contain a slash: npm reads "a/b" as a GitHub repository and "./a" as a folder.
            _ when value.StartsWith('.') || value.Contains('/', StringComparison.Ordinal) || value.Contains('\\', StringComparison.Ordinal) => "a path or a git repository",
            _ => null,
        };
        if (kind is not null)
        {
            return $"'{value}' is {kind}; only registry version ranges, dist-tags and npm: aliases are allowed.";
        }

        return RegistryRange().IsMatch(value)
            ? null
            : $"'{value}' is not a version range, dist-tag or npm: alias.";
    }

    // npm's validate-npm-package-name rules for new packages: lowercase, URL-safe, not starting with . or _.
    [GeneratedRegex(@"^(?:@[a-z0-9\-~][a-z0-9\-._~]*/)?[a-z0-9\-~][a-z0-9\-._~]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PackageName();

    // Semver ranges (1.2.3, ^4, ~1.2, >=1 <2, 1.x || 2.x, 1.0.0-beta.1+build) and dist-tags (latest, next).
    [GeneratedRegex(@"^[0-9A-Za-z.\-+*^~<>=|_ ]+$", RegexOptions.CultureInvariant)]
    private static partial Regex RegistryRange();

    [GeneratedRegex(@"^\d{3}$", RegexOptions.CultureInvariant)]
    private static partial Regex StatusOnly();

    private readonly record struct Dependency(string Name, string Range);
}
