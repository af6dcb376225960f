using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Text;
using Granary.Runtime.Workers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.Packages;

/// <summary>
/// Installs Python functions' <c>requirements</c> with <c>python3 -m pip install --target</c>, once per distinct set:
/// each set gets its own directory under <see cref="PipOptions.Directory"/>, named by a hash of its requirement
/// lines (in any order), which every function and workspace declaring the same set shares (see
/// <see cref="PackageInstaller"/>). The packages are in the set's <see cref="SitePackages"/> directory, which the
/// function's workers put first on <c>sys.path</c>. Only requirement specifiers are accepted: pip options, editable
/// installs, other requirement files, local paths and (unless <see cref="PipOptions.AllowDirectUrls"/>) URLs are
/// refused, so that a deploy cannot make pip read the host's disk or install from anywhere but the operator's index.
/// </summary>
public sealed partial class PipPackages : PackageInstaller
{
    /// <summary>The directory of a set that holds its packages (the one on the workers' <c>sys.path</c>).</summary>
    public const string SitePackages = "site-packages";

    private const int MaxLineLength = 1000;

    // pip's own settings that the operator may give the silo's environment: an offline mirror and how to reach it.
    private static readonly string[] s_passedThrough =
    [
        "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_TRUSTED_HOST", "PIP_CERT", "PIP_CLIENT_CERT", "PIP_FIND_LINKS", "PIP_TIMEOUT", "PIP_RETRIES",
        "PIP_CONFIG_FILE", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR",
        "REQUESTS_CA_BUNDLE", "PATH",
    ];

    private static readonly string[] s_archives = [".whl", ".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".egg"];

    private readonly PipOptions _options;
    private readonly string _interpreter;

    /// <summary>Creates the service.</summary>
    public PipPackages(IOptions<PipOptions> options, IOptions<WorkerRuntimeOptions> python, ILogger<PipPackages> logger)
        // The silo sets Directory under its storage path; this default matches the storage's own default ("data").
        : base(string.IsNullOrEmpty(options?.Value.Directory) ? Path.Combine("data", "pip") : options.Value.Directory, "pip", logger)
    {
        ArgumentNullException.ThrowIfNull(python);
        _options = options!.Value;
        _interpreter = _options.Interpreter ?? python.Value.Interpreter;
    }

    /// <summary>Gets the options the service was made with.</summary>
    public PipOptions Options => _options;

    /// <summary>
    /// Splits requirements as users give them (list entries, each of which may be several lines of a
    /// <c>requirements.txt</c>) into requirement specifiers: comments and blank lines dropped, continuation lines
    /// joined, whitespace collapsed. Returns the specifiers, or the first problem naming the line.
    /// </summary>
    public static (IReadOnlyList<string> Requirements, string? Problem) Parse(IEnumerable<string>? lines, bool allowDirectUrls)
    {
        var requirements = new List<string>();

        // A spec's ImmutableArray that was never set (an older record's) is none, as null is.
        if (lines is null or ImmutableArray<string> { IsDefault: true })
        {
            return (requirements, null);
        }

        var text = string.Join('\n', lines).Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\\\n", " ", StringComparison.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = StripComment(raw).Trim();
            if (line.Length == 0)
            {
                continue;
            }

            line = Whitespace().Replace(line, " ");
            if (Check(line, allowDirectUrls) is { } problem)
            {
                return (requirements, $"'{Printable(line)}': {problem}");
            }

            requirements.Add(Normalize(line));
        }

        return (requirements, null);
    }

    /// <summary>The lines of a <c>requirements.txt</c> given as one text (without the empty line after its last newline).</summary>
    public static IEnumerable<string> Lines(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        return lines.Length > 0 && lines[^1].Length == 0 ? lines[..^1] : lines;
    }

    /// <summary>Checks a requirements set against the rules and <paramref name="options"/>; returns null when it is fine, else a message naming the bad line.</summary>
    public static string? Validate(IEnumerable<string>? lines, PipOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (requirements, problem) = Parse(lines, options.AllowDirectUrls);
        return Validate(requirements, problem, options);
    }

    /// <summary>
    /// Gets the name of a requirements set: the same for the same requirements in any order (it names the set's install
    /// directory), or null for none (or an invalid set). Tenants count their distinct sets against a quota.
    /// </summary>
    public static string? SetName(IEnumerable<string>? lines)
    {
        var (requirements, problem) = Parse(lines, allowDirectUrls: true);
        return problem is not null || requirements.Count == 0 ? null : Hash(Canonical(requirements));
    }

    /// <summary>
    /// Makes sure a requirements set is installed and returns its directory (the one that holds
    /// <see cref="SitePackages"/>). No requirements need no work and return neither directory nor error. A failed
    /// install returns pip's own message and leaves no directory behind; it never throws for pip's failures, and a
    /// hung pip is killed after <see cref="PipOptions.InstallTimeoutSeconds"/>.
    /// </summary>
    public async Task<PackageInstall> EnsureAsync(IEnumerable<string>? lines, CancellationToken cancellationToken = default)
    {
        var (requirements, problem) = Parse(lines, _options.AllowDirectUrls);
        if (Validate(requirements, problem, _options) is { } invalid)
        {
            return new PackageInstall(null, invalid);
        }

        if (requirements.Count == 0)
        {
            return Nothing;
        }

        var canonical = Canonical(requirements);
        return await EnsureSetAsync(Hash(canonical), (directory, cancel) => InstallAsync(directory, canonical, requirements.Count, cancel), cancellationToken);
    }

    // The rules beyond Parse's: its problem, else the operator's limit on the number of requirements.
    private static string? Validate(IReadOnlyList<string> requirements, string? problem, PipOptions options)
    {
        if (problem is not null)
        {
            return "pip requirement " + problem;
        }

        return requirements.Count > options.MaxRequirements
            ? $"{requirements.Count} pip requirements are declared; at most {options.MaxRequirements} are allowed (Granary:Pip:MaxRequirements)."
            : null;
    }

    private async Task<string?> InstallAsync(string directory, string canonical, int count, CancellationToken cancellationToken)
    {
        var cache = Path.Combine(Root, CacheDirectoryName);
        Directory.CreateDirectory(cache);
        if (!OperatingSystem.IsWindows())
        {
            // The cache is the silo's alone; the sets themselves are read by every tenant's workers.
            File.SetUnixFileMode(cache, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var requirementsFile = Path.Combine(directory, "requirements.txt");
        await File.WriteAllTextAsync(requirementsFile, canonical, cancellationToken);

        // The working directory is the set's own (nothing in it looks like a package), so a name is never read as a path.
        var start = new ProcessStartInfo(_interpreter) { WorkingDirectory = directory };
        string[] arguments =
        [
            "-m", "pip", "install", "--target", Path.Combine(directory, SitePackages), "--requirement", requirementsFile,
            "--no-input", "--disable-pip-version-check", "--no-color", "--progress-bar", "off", "--no-warn-script-location",
            "--cache-dir", cache,
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (!_options.AllowSourceBuilds)
        {
            start.ArgumentList.Add("--only-binary=:all:");
        }

        if (!string.IsNullOrEmpty(_options.IndexUrl))
        {
            start.ArgumentList.Add("--index-url");
            start.ArgumentList.Add(_options.IndexUrl);
        }

        foreach (var extra in _options.ExtraIndexUrls)
        {
            start.ArgumentList.Add("--extra-index-url");
            start.ArgumentList.Add(extra);
        }

        // Nothing of the silo's environment (its connection strings, keys) reaches pip, or a package's build, but
        // pip's own settings; its home is the cache, so the operator's ~/.config/pip is never read by surprise.
        var inherited = s_passedThrough.Select(name => (name, value: Environment.GetEnvironmentVariable(name))).Where(v => v.value is not null).ToList();
        start.Environment.Clear();
        foreach (var (name, value) in inherited)
        {
            start.Environment[name] = value;
        }

        start.Environment.TryAdd("PATH", "/usr/bin:/bin");
        start.Environment["HOME"] = cache;
        start.Environment["LANG"] = "C.UTF-8";
        start.Environment["PIP_ROOT_USER_ACTION"] = "ignore";
        start.Environment["PYTHONNOUSERSITE"] = "1";
        var settings = new ToolSettings(
            _options.Interpreter is null ? "Granary:Python:Interpreter" : "Granary:Pip:Interpreter",
            "apt-get install -y python3-pip",
            _options.InstallTimeoutSeconds,
            "Granary:Pip:InstallTimeoutSeconds");
        var error = await RunToolAsync(start, settings, count, directory, Summarize, cancellationToken);
        if (error is not null && !_options.AllowSourceBuilds && error.Contains("No matching distribution found", StringComparison.Ordinal))
        {
            error += "\nGranary installs wheels only (Granary:Pip:AllowSourceBuilds is off): a package published only as a source distribution cannot be installed.";
        }

        return error;
    }

    // pip's ERROR lines when it printed any (they say what failed), else the end of what it printed; never its notices.
    private static string Summarize(string stderr, string stdout, int exitCode)
    {
        var lines = (stderr + "\n" + stdout).Split('\n')
            .Select(l => l.TrimEnd('\r', ' '))
            .Where(l => l.Trim().Length > 0 && !l.StartsWith("[notice]", StringComparison.Ordinal))
            .ToList();
        if (exitCode == 1 && lines.Any(l => l.Contains("No module named pip", StringComparison.Ordinal)))
        {
            return "pip is not installed for this interpreter; install it with: apt-get install -y python3-pip";
        }

        var errors = lines.Where(l => l.StartsWith("ERROR:", StringComparison.Ordinal)).ToList();
        var summary = string.Join('\n', errors.Count > 0 ? errors : lines.TakeLast(20));
        return summary.Length == 0 ? $"pip exited with code {exitCode} and no message." : summary;
    }

    private static string Canonical(IReadOnlyList<string> requirements)
    {
        var text = new StringBuilder();
        foreach (var requirement in requirements.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            text.Append(requirement).Append('\n');
        }

        return text.ToString();
    }

    // One spelling per requirement, so that "a == 1" and "a==1" are one set: no spaces in the specifier (before any
    // marker; a URL keeps its own), and "; " before the marker.
    private static string Normalize(string line)
    {
        var semicolon = line.IndexOf(';', StringComparison.Ordinal);
        var head = semicolon < 0 ? line : line[..semicolon];
        if (!head.Contains('@', StringComparison.Ordinal))
        {
            head = head.Replace(" ", "", StringComparison.Ordinal);
        }

        return semicolon < 0 ? head.Trim() : head.Trim() + " ; " + line[(semicolon + 1)..].Trim();
    }

    // pip's rule: '#' starts a comment at the start of a line or after whitespace.
    private static string StripComment(string line)
    {
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return line[..i];
            }
        }

        return line;
    }

    private static string? Check(string line, bool allowDirectUrls)
    {
        if (line.Length > MaxLineLength)
        {
            return $"the line is longer than {MaxLineLength} characters.";
        }

        var option = line.StartsWith('-') ? line.Split(' ', '=')[0] : line.Split(' ').Skip(1).FirstOrDefault(t => t.StartsWith('-'));
        if (option is not null)
        {
            return option switch
            {
                "-e" or "--editable" => "editable installs (-e) are not allowed; name a package from the index.",
                "-r" or "--requirement" or "-c" or "--constraint" => "other requirement files are not allowed; list the requirements themselves.",
                "-i" or "--index-url" or "--extra-index-url" or "-f" or "--find-links" or "--trusted-host" or "--no-index" =>
                    $"'{option}' is not allowed: packages come from the operator's index (Granary:Pip:IndexUrl).",
                _ => $"pip options ('{option}') are not allowed in requirements; give requirement specifiers only (name, extras, versions, markers).",
            };
        }

        var match = Requirement().Match(line);
        if (!match.Success)
        {
            return line.Contains("://", StringComparison.Ordinal) ? "URLs are not allowed; name a package from the index."
                : line.StartsWith('.') || line.StartsWith('~') || line.Contains('/', StringComparison.Ordinal) || line.Contains('\\', StringComparison.Ordinal)
                    ? "local paths are not allowed; name a package from the index."
                : "not a requirement specifier (name[extras] versions ; markers, as in PEP 508).";
        }

        var name = match.Groups["name"].Value;
        if (s_archives.Any(a => name.EndsWith(a, StringComparison.OrdinalIgnoreCase)))
        {
            return "local archives are not allowed; name a package from the index.";
        }

        if (match.Groups["url"].Success)
        {
            if (!allowDirectUrls)
            {
                return "URLs are not allowed (Granary:Pip:AllowDirectUrls is off); name a package from the index.";
            }

            if (!Uri.TryCreate(match.Groups["url"].Value, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
            {
                return "only http and https URLs are allowed.";
            }
        }

        return null;
    }

    private static string Printable(string line) => line.Length > 120 ? line[..120] + "…" : line;

    // PEP 508: a name, optional extras, then version specifiers or "@ URL", then optional markers after ';'.
    [GeneratedRegex("""^(?<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?) ?(?:\[ ?[A-Za-z0-9._-]+(?: ?, ?[A-Za-z0-9._-]+)* ?\])? ?(?:@ ?(?<url>\S+)|\(? ?(?:(?:~=|===|==|!=|<=|>=|<|>) ?[A-Za-z0-9.*+!_-]+(?: ?, ?(?:~=|===|==|!=|<=|>=|<|>) ?[A-Za-z0-9.*+!_-]+)*)? ?\)?)? ?(?:; ?[A-Za-z0-9_.'"<>=!~(), -]+)?$""", RegexOptions.CultureInvariant)]
    private static partial Regex Requirement();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();
}
