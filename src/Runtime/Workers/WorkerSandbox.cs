using System.Diagnostics;
using System.Globalization;
using Granary.Runtime.Egress;
using Granary.Runtime.Python;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Workers;

/// <summary>
/// How a silo confines its worker processes (<c>Granary:Python:Isolation</c> or <c>Granary:NodeProcess:Isolation</c> =
/// <c>sandbox</c>), whatever their language: each worker runs under
/// bubblewrap in namespaces of its own (network, PID, IPC, UTS, mount), sees a read-only <c>/usr</c>, a private
/// size-limited <c>/tmp</c> and function directory, reaches the network only through its egress proxy, and is born in
/// cgroups of its own (memory, pids) when the host has them (or delegates them). Two forms, chosen once when the pool
/// starts: a silo running as root runs bubblewrap as root and the worker takes a uid of its tenant's own once a
/// function is loaded; a silo that is not root (rootless) runs bubblewrap in an unprivileged user namespace with one
/// fixed uid inside (<see cref="RootlessUid"/>), where tenants are apart by namespaces, not uids. A host that can do
/// neither refuses to start the language's functions.
/// </summary>
internal sealed partial class WorkerSandbox : IDisposable
{
    /// <summary>Where the worker scripts are mounted inside the sandbox.</summary>
    public const string ScriptsMount = "/granary";

    /// <summary>Where the silo's pip installs (<see cref="Packages.PackageInstaller.Root"/> of <see cref="Packages.PipPackages"/>) are mounted, read-only, inside the sandbox.</summary>
    public const string PackagesMount = "/packages";

    /// <summary>The function's own directory inside the sandbox (its working directory).</summary>
    public const string FunctionDirectory = "/function";

    /// <summary>Where the egress proxy's Unix socket is mounted inside the sandbox.</summary>
    public const string EgressSocketMount = "/run/granary/egress.sock";

    /// <summary>
    /// The uid (and gid) every worker has inside a rootless sandbox: blank workers are started before their tenant is
    /// known, and without privilege none can change its uid later. Outside, it is the silo's own uid.
    /// </summary>
    public const int RootlessUid = 1000;

    private static readonly string[] s_etcFiles =
    [
        "/etc/ld.so.cache", "/etc/ssl", "/etc/ca-certificates", "/etc/localtime", "/etc/mime.types",
    ];

    private readonly WorkerRuntimeOptions _options;
    private readonly ILogger _logger;
    private readonly string[] _baseArguments;
    private readonly CgroupLayout? _cgroups;
    private long _next;

    private WorkerSandbox(WorkerRuntimeOptions options, ILogger logger, string[] baseArguments, CgroupLayout? cgroups, EgressPolicy egress, (string Host, int Port)? publisher, bool rootless)
    {
        Rootless = rootless;
        _options = options;
        _logger = logger;
        _baseArguments = baseArguments;
        _cgroups = cgroups;
        Egress = egress;
        Publisher = publisher;
    }

    /// <summary>Gets the silo's egress policy, which every worker's proxy applies.</summary>
    public EgressPolicy Egress { get; }

    /// <summary>Gets the operator-configured event publisher (host and port) that proxies let through whatever the policy says.</summary>
    public (string Host, int Port)? Publisher { get; }

    /// <summary>
    /// Gets whether the sandbox is rootless: bubblewrap runs in an unprivileged user namespace, every worker is
    /// <see cref="RootlessUid"/> inside and the silo's uid outside, and no worker has any capability at any time.
    /// </summary>
    public bool Rootless { get; }

    /// <summary>Gets whether workers are born in cgroups of their own (memory and process limits over the whole sandbox).</summary>
    public bool HasCgroups => _cgroups is not null;

    /// <summary>
    /// Checks that this machine can build the sandbox (bubblewrap present, namespaces allowed) and finds the cgroups
    /// workers go into. Throws <see cref="InvalidOperationException"/> naming the language's <c>Isolation</c> setting when it
    /// cannot isolate.
    /// </summary>
    public static WorkerSandbox Create(WorkerRuntimeOptions options, string scriptsDirectory, string? packagesRoot, EgressPolicy egress, ILogger logger, WorkerLauncher? launcher = null)
    {
        launcher ??= PythonLauncher.Instance;
        var fix = $"Install bubblewrap (apt-get install -y bubblewrap) and either run the silo as root, or let unprivileged users create user namespaces "
            + "(sysctl kernel.unprivileged_userns_clone=1 where that setting exists, user.max_user_namespaces above 0; on Ubuntu 24.04+ also kernel.apparmor_restrict_unprivileged_userns=0 or an AppArmor profile for bwrap; "
            + "in a container, a seccomp profile that allows user namespaces), "
            + $"or set {launcher.SectionName}:Isolation=none on a single-tenant host (no isolation between {launcher.Language} functions).";
        if (!OperatingSystem.IsLinux())
        {
            throw new InvalidOperationException($"{launcher.Language} functions need a Linux host to be isolated ({launcher.SectionName}:Isolation=sandbox). " + fix);
        }

        if (!File.Exists(options.Bubblewrap))
        {
            throw new InvalidOperationException($"{launcher.Language} functions cannot be isolated: bubblewrap ({launcher.SectionName}:Bubblewrap = {options.Bubblewrap}) is not installed. " + fix);
        }

        // Not root: the sandbox is built in an unprivileged user namespace (or not at all, which the trial tells).
        var rootless = !Environment.IsPrivilegedProcess || options.RootlessEvenAsRoot;
        var arguments = BaseArguments(options, scriptsDirectory, packagesRoot, rootless, launcher.ReadOnlyDirectories);

        // One real sandbox, run once: a kernel without user-visible namespaces, or a container without the
        // privileges to make them, fails here rather than on the first function.
        var trial = new ProcessStartInfo(options.Bubblewrap)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var argument in arguments)
        {
            trial.ArgumentList.Add(argument);
        }

        trial.ArgumentList.Add("--");
        trial.ArgumentList.Add(options.Interpreter);
        foreach (var argument in launcher.TrialArguments)
        {
            trial.ArgumentList.Add(argument);
        }

        using (var process = Process.Start(trial) ?? throw new InvalidOperationException("bubblewrap did not start. " + fix))
        {
            var error = process.StandardError.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromSeconds(options.StartTimeoutSeconds)))
            {
                process.Kill();
                throw new InvalidOperationException($"{launcher.Language} functions cannot be isolated: a trial sandbox did not finish. " + fix);
            }

            if (process.ExitCode != 0)
            {
                var what = rootless
                    ? $"the silo is not root, so its sandbox needs an unprivileged user namespace, and a trial one failed ({error.Trim()}) ({launcher.SectionName}:Isolation=sandbox). "
                    : $"a trial sandbox failed ({error.Trim()}). ";
                throw new InvalidOperationException($"{launcher.Language} functions cannot be isolated: " + what + fix);
            }
        }

        var cgroups = CgroupLayout.Create(options.WorkersCpuWeight, out var why);
        if (cgroups is null)
        {
            if (rootless)
            {
                LogNoCgroupsRootless(logger, launcher.Language, why);
            }
            else
            {
                LogNoCgroups(logger, launcher.Language, why);
            }
        }

        LogMode(
            logger,
            launcher.Language,
            rootless
                ? $"rootless (bubblewrap in an unprivileged user namespace as uid {Environment.UserName}; every worker is uid {RootlessUid} inside; tenants apart by PID, mount, network and IPC namespaces, not uids)"
                : "root (bubblewrap as root; each tenant's functions run as a uid of its own)",
            cgroups is null ? "none: RLIMIT_AS per process" : cgroups.IsV2 ? "v2" : "v1");

        (string, int)? publisher = PublisherAddress.TryParse(options.PublisherProxyAddress, out var uri) ? (uri.IdnHost, uri.Port) : null;

        return new WorkerSandbox(options, logger, arguments, cgroups, egress, publisher, rootless);
    }

    /// <summary>
    /// Prepares one worker's sandbox: its host-side directory (the egress socket), its cgroups and its proxy, and the
    /// start information that launches it (a shell that enters the cgroups, then execs bubblewrap).
    /// </summary>
    public SandboxedWorker Prepare(ProcessStartInfo start, string hostDirectory)
    {
        ArgumentNullException.ThrowIfNull(start);
        var id = Interlocked.Increment(ref _next);
        var socketPath = Path.Combine(hostDirectory, "egress.sock");
        var proxy = new WorkerEgressProxy(socketPath, Egress, Publisher, _logger);
        var cgroups = _cgroups?.CreateWorker(id.ToString(CultureInfo.InvariantCulture), _options.MaxProcesses);

        // sh: enter every cgroup, then become bubblewrap, so that nothing of the sandbox is ever outside them.
        start.FileName = "/bin/sh";
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("n=$1; shift; while [ \"$n\" -gt 0 ]; do echo $$ > \"$1\" || exit 111; shift; n=$((n-1)); done; exec \"$@\"");
        start.ArgumentList.Add("granary-sandbox");
        var procs = cgroups?.ProcsFiles ?? [];
        start.ArgumentList.Add(procs.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var file in procs)
        {
            start.ArgumentList.Add(file);
        }

        start.ArgumentList.Add(_options.Bubblewrap);
        foreach (var argument in _baseArguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var argument in new[] { "--perms", "0755", "--dir", "/run", "--perms", "0755", "--dir", "/run/granary", "--bind" })
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add(socketPath);
        start.ArgumentList.Add(EgressSocketMount);
        start.ArgumentList.Add("--");
        start.ArgumentList.Add(_options.Interpreter);
        return new SandboxedWorker(proxy, cgroups, Rootless);
    }

    /// <inheritdoc />
    public void Dispose() => _cgroups?.Dispose();

    private static string[] BaseArguments(WorkerRuntimeOptions options, string scriptsDirectory, string? packagesRoot, bool rootless, IReadOnlyList<string> readOnly)
    {
        var arguments = new List<string>();
        if (rootless)
        {
            var inside = RootlessUid.ToString(CultureInfo.InvariantCulture);
            arguments.AddRange([
                // A user namespace of the worker's own, where it is RootlessUid (the silo's uid outside, nothing else
                // mapped); bubblewrap drops every capability before the interpreter starts. No nested user namespace
                // (it would give the function capabilities over mounts of its own, e.g. a tmpfs without quota), and
                // the sandbox's init dies with bubblewrap (there may be no cgroup to end the namespace).
                "--unshare-user", "--uid", inside, "--gid", inside, "--disable-userns", "--die-with-parent",
            ]);
        }

        arguments.AddRange(
        [
            "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--hostname", "granary",
            "--ro-bind", "/usr", "/usr",
        ]);

        // Merged-/usr systems link these into /usr; older ones have them as directories.
        foreach (var top in new[] { "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32" })
        {
            var info = new FileInfo(top);
            if (info.LinkTarget is { } target)
            {
                arguments.AddRange(["--symlink", target, top]);
            }
            else if (Directory.Exists(top))
            {
                arguments.AddRange(["--ro-bind", top, top]);
            }
        }

        foreach (var path in s_etcFiles.Concat(Directory.Exists("/etc") ? Directory.GetDirectories("/etc", "python3*") : []))
        {
            arguments.AddRange(["--ro-bind-try", path, path]);
        }

        // An interpreter outside /usr (a pyenv or a venv) brings its installation prefix, read-only.
        var interpreter = ResolveLinks(options.Interpreter);
        if (!interpreter.StartsWith("/usr/", StringComparison.Ordinal) && Path.GetDirectoryName(Path.GetDirectoryName(interpreter)) is { Length: > 1 } prefix)
        {
            arguments.AddRange(["--ro-bind", prefix, prefix]);
        }

        var tmp = (options.TmpQuotaMb * 1024L * 1024).ToString(CultureInfo.InvariantCulture);
        var own = (options.DirectoryQuotaMb * 1024L * 1024).ToString(CultureInfo.InvariantCulture);
        arguments.AddRange([
            "--proc", "/proc",
            "--dev", "/dev",
            "--perms", "1777", "--size", tmp, "--tmpfs", "/dev/shm",
            "--perms", "1777", "--size", tmp, "--tmpfs", "/tmp",
            "--perms", "0700", "--size", own, "--tmpfs", FunctionDirectory,
            "--ro-bind", scriptsDirectory, ScriptsMount,
            "--chdir", FunctionDirectory,
            "--setenv", "HOME", FunctionDirectory,
        ]);

        // Every pip set, read-only, as function code is: a worker is handed the path of its own function's set only, and
        // the directory above the sets cannot be listed by tenants' uids (WorkerPool makes it 0711).
        if (packagesRoot is not null)
        {
            arguments.AddRange(["--ro-bind", packagesRoot, PackagesMount]);
        }

        // What the language shares with every worker, read-only at its own path (Node.js: the installed npm package
        // sets); after the tmpfs mounts, which would hide a directory under /tmp.
        foreach (var directory in readOnly)
        {
            // Its parents are made traversable (bubblewrap would make them root's only): /var/lib/granary for /var/lib/granary/npm.
            var parents = new List<string>();
            for (var parent = Path.GetDirectoryName(directory); parent is { Length: > 1 } && parent != "/tmp" && !parent.StartsWith("/usr", StringComparison.Ordinal); parent = Path.GetDirectoryName(parent))
            {
                parents.Insert(0, parent);
            }

            foreach (var parent in parents)
            {
                arguments.AddRange(["--perms", "0755", "--dir", parent]);
            }

            arguments.AddRange(["--ro-bind", directory, directory]);
        }

        // Root: the blank worker starts as root in the sandbox with only what it needs to take its tenant's uid when
        // a function loads (chown its directory, setgid, setuid); after that it has no capability at all. Rootless:
        // it never has any.
        arguments.AddRange(rootless
            ? ["--cap-drop", "ALL"]
            : ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_CHOWN"]);
        return [.. arguments];
    }

    private static string ResolveLinks(string path)
    {
        try
        {
            return new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
        }
        catch (IOException)
        {
            return Path.GetFullPath(path);
        }
    }

    [LoggerMessage(EventId = 1312, Level = LogLevel.Warning, Message = "{Language} workers run without cgroups ({Reason}): a worker's memory limit applies to each of its processes (RLIMIT_AS) but not to all of them together, and its process count is not limited; namespaces, uids, quotas and the egress proxy still hold")]
    private static partial void LogNoCgroups(ILogger logger, string language, string reason);

    [LoggerMessage(EventId = 1315, Level = LogLevel.Warning, Message = "{Language} workers run without cgroups ({Reason}): a worker's memory limit applies to each of its processes (RLIMIT_AS) but not to all of them together, and its process count is not limited (RLIMIT_NPROC would count every process of the silo's uid, the silo's own threads included, so it is not set); namespaces, quotas and the egress proxy still hold. Give the silo a cgroup subtree of its own (systemd: Delegate=yes) to bound them")]
    private static partial void LogNoCgroupsRootless(ILogger logger, string language, string reason);

    [LoggerMessage(EventId = 1316, Level = LogLevel.Information, Message = "{Language} sandbox: {Mode}; cgroups: {Cgroups}")]
    private static partial void LogMode(ILogger logger, string language, string mode, string cgroups);
}
