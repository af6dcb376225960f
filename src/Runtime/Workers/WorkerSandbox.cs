using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
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

/// <summary>One worker's sandbox: its egress proxy, its cgroups and how its processes are found and ended.</summary>
internal sealed class SandboxedWorker : IDisposable
{
    private int _initPid;

    internal SandboxedWorker(WorkerEgressProxy proxy, WorkerCgroups? cgroups, bool rootless)
    {
        Proxy = proxy;
        Cgroups = cgroups;
        Rootless = rootless;
    }

    /// <summary>Gets whether the sandbox is rootless (see <see cref="WorkerSandbox.Rootless"/>).</summary>
    public bool Rootless { get; }

    /// <summary>Gets the worker's egress proxy.</summary>
    public WorkerEgressProxy Proxy { get; }

    /// <summary>Gets the worker's cgroups, or null when the host has none.</summary>
    public WorkerCgroups? Cgroups { get; }

    /// <summary>Gets the host pid of the worker's interpreter (not of bubblewrap), once it reported ready.</summary>
    public int InterpreterPid { get; private set; }

    /// <summary>
    /// Finds, once the worker reported ready, the host pids of the sandbox's init (bubblewrap's pid 1) and of the
    /// interpreter: the init is bubblewrap's child, the interpreter the init's.
    /// </summary>
    public void Locate(int bubblewrapPid)
    {
        // The cgroup's processes; without cgroups, bubblewrap's children and theirs (cheap); every process of the
        // host as a last resort (a kernel without /proc/<pid>/task/<tid>/children).
        foreach (var candidates in new Func<List<int>?>[] { () => Cgroups?.Pids(), () => Descendants(bubblewrapPid), AllPids }.Select(f => f()))
        {
            if (candidates is not { Count: > 0 })
            {
                continue;
            }

            var parents = new List<(int Pid, int Parent)>();
            foreach (var pid in candidates)
            {
                if (ParentOf(pid) is { } parent)
                {
                    parents.Add((pid, parent));
                }
            }

            var init = parents.FirstOrDefault(p => p.Parent == bubblewrapPid).Pid;
            var python = init == 0 ? 0 : parents.FirstOrDefault(p => p.Parent == init).Pid;
            if (python != 0)
            {
                _initPid = init;
                InterpreterPid = python;
                return;
            }
        }
    }

    /// <summary>Ends every process of the sandbox: the cgroup's, and the PID namespace (its init's death ends the rest).</summary>
    public void KillAll(int bubblewrapPid, bool bubblewrapReaped)
    {
        Cgroups?.KillAll();
        if (_initPid != 0 && !bubblewrapReaped)
        {
            // While bubblewrap is alive its child (the init) is not reaped, so the pid is still the init's.
            _ = PosixSignals.Kill(_initPid, PosixSignals.Sigkill);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Proxy.Dispose();
        Cgroups?.Dispose();
    }

    private static List<int> AllPids()
    {
        var pids = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                pids.Add(pid);
            }
        }

        return pids;
    }

    // A process's children and grandchildren (bubblewrap's: the namespace's init and Python).
    private static List<int> Descendants(int pid)
    {
        var children = ChildrenOf(pid);
        children.AddRange(children.SelectMany(ChildrenOf).ToList());
        return children;
    }

    // The children of every thread of a process (CONFIG_PROC_CHILDREN); empty when the kernel has no such file.
    private static List<int> ChildrenOf(int pid)
    {
        var children = new List<int>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/task"))
            {
                var file = Path.Combine(task, "children");
                if (!File.Exists(file))
                {
                    continue;
                }

                foreach (var child in File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (int.TryParse(child, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                    {
                        children.Add(id);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone, or not ours to read.
        }

        return children;
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}

/// <summary>Where a silo's worker cgroups live: cgroup v2 (one directory) or v1 (a memory and a pids hierarchy).</summary>
internal sealed class CgroupLayout : IDisposable
{
    private const string SiloLeaf = "granary-silo";

    // A pool's directories are granary-<pid>-<random>.
    private const string Prefix = "granary-";

    private readonly string? _v2;
    private readonly string? _memory;
    private readonly string? _pids;
    private readonly string? _cpu;
    private readonly string? _longCpu;

    private CgroupLayout(string? v2, string? memory, string? pids, string? cpu)
    {
        _v2 = v2;
        _memory = memory;
        _pids = pids;
        _cpu = cpu;
        // cgroup v1: the idle group inside the workers' cpu group, where the processes of a worker whose invocation is a
        // long runner go (see LongRunWatch); without it, long runners keep the workers' weight.
        var longCpu = v2 is null && cpu is not null ? Path.Combine(cpu, "long") : null;
        _longCpu = longCpu is not null && Cgroups.TryMakeIdle(longCpu) ? longCpu : null;
    }

    /// <summary>Gets whether the workers share one CPU weight (the cpu controller is available).</summary>
    public bool HasCpuWeight => _cpu is not null;

    /// <summary>Gets whether this is cgroup v2.</summary>
    public bool IsV2 => _v2 is not null;

    /// <summary>Creates the silo's own cgroup directories under the silo's cgroups, or returns null and why not.</summary>
    /// <param name="cpuWeight">The workers' CPU weight together (cgroup v2 units), applied where the cpu controller is available.</param>
    /// <param name="why">Why there are no cgroups, when null is returned.</param>
    public static CgroupLayout? Create(int cpuWeight, out string why)
    {
        var name = Cgroups.NewName(Prefix);
        try
        {
            var own = File.ReadAllLines("/proc/self/cgroup");
            if (File.Exists("/sys/fs/cgroup/cgroup.controllers"))
            {
                // cgroup v2: a child of the silo's cgroup with the memory and pids controllers for its own children.
                var path = own.FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..] ?? "/";
                var parent = "/sys/fs/cgroup" + path.TrimEnd('/');
                if (Path.GetFileName(parent) == SiloLeaf)
                {
                    // An earlier pool of this process moved the silo into its leaf: the pools' cgroups go beside it.
                    parent = Path.GetDirectoryName(parent)!;
                }

                var controllers = File.ReadAllText(Path.Combine(parent, "cgroup.controllers"));
                if (!controllers.Contains("memory", StringComparison.Ordinal) || !controllers.Contains("pids", StringComparison.Ordinal))
                {
                    why = $"the cgroup v2 hierarchy at {parent} offers no memory or pids controller";
                    return null;
                }

                EnableControllers(parent);
                Cgroups.RemoveStale(parent, Prefix);
                var directory = Path.Combine(parent, name);
                Directory.CreateDirectory(directory);
                File.WriteAllText(Path.Combine(directory, "cgroup.subtree_control"), "+memory +pids");
                why = "";
                return new CgroupLayout(directory, null, null, TryCpuWeightV2(parent, directory, cpuWeight));
            }

            string? V1(string controller)
            {
                if (Cgroups.OwnV1Directory(own, controller) is not { } parent)
                {
                    return null;
                }

                Cgroups.RemoveStale(parent, Prefix);
                var directory = parent + "/" + name;
                Directory.CreateDirectory(directory);
                return directory;
            }

            var memory = V1("memory");
            string? pids;
            try
            {
                pids = V1("pids");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Optional: a silo that is not root may have been given a memory directory only.
                pids = null;
            }

            if (memory is null)
            {
                Cgroups.TryRemove(pids);
                why = "no memory cgroup controller is mounted (neither cgroup v2 nor v1 /sys/fs/cgroup/memory)";
                return null;
            }

            string? cpu = null;
            try
            {
                // All workers in one group whose weight is the workers' share together (children inherit the group).
                cpu = V1("cpu");
                if (cpu is not null)
                {
                    File.WriteAllText(Path.Combine(cpu, "cpu.shares"), Math.Max(2, cpuWeight * 1024 / 100).ToString(CultureInfo.InvariantCulture));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Optional: the nice value still lowers the workers.
                Cgroups.TryRemove(cpu);
                cpu = null;
            }

            why = "";
            return new CgroupLayout(null, memory, pids, cpu);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            why = "the silo cannot create cgroups: " + ex.Message;
            return null;
        }
    }

    /// <summary>Creates one worker's cgroups with its process limit.</summary>
    public WorkerCgroups CreateWorker(string id, int maxProcesses)
    {
        var name = "w" + id;
        if (_v2 is not null)
        {
            var directory = Path.Combine(_v2, name);
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, "pids.max"), maxProcesses.ToString(CultureInfo.InvariantCulture));
            return new WorkerCgroups(directory, null, null, null, cpuIdle: _cpu is not null);
        }

        var memory = Path.Combine(_memory!, name);
        Directory.CreateDirectory(memory);
        string? pids = null;
        if (_pids is not null)
        {
            pids = Path.Combine(_pids, name);
            Directory.CreateDirectory(pids);
            File.WriteAllText(Path.Combine(pids, "pids.max"), maxProcesses.ToString(CultureInfo.InvariantCulture));
        }

        return new WorkerCgroups(null, memory, pids, _cpu, longCpu: _longCpu);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Cgroups.TryRemove(_v2);
        Cgroups.TryRemove(_memory);
        Cgroups.TryRemove(_pids);
        Cgroups.TryRemove(_longCpu);
        Cgroups.TryRemove(_cpu);
    }

    // cgroup v2: the cpu controller for the workers' directory, weighted as one group; null when the host has none.
    private static string? TryCpuWeightV2(string parent, string directory, int cpuWeight)
    {
        try
        {
            if (!File.ReadAllText(Path.Combine(parent, "cgroup.subtree_control")).Contains("cpu", StringComparison.Ordinal))
            {
                File.WriteAllText(Path.Combine(parent, "cgroup.subtree_control"), "+cpu");
            }

            File.WriteAllText(Path.Combine(directory, "cpu.weight"), cpuWeight.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(directory, "cgroup.subtree_control"), "+cpu");
            return directory;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void EnableControllers(string parent)
    {
        var control = Path.Combine(parent, "cgroup.subtree_control");
        var enabled = File.ReadAllText(control);
        if (enabled.Contains("memory", StringComparison.Ordinal) && enabled.Contains("pids", StringComparison.Ordinal))
        {
            return;
        }

        try
        {
            File.WriteAllText(control, "+memory +pids");
        }
        catch (IOException)
        {
            // "No internal processes": a cgroup with processes cannot delegate controllers. The silo moves itself
            // into a leaf of its own first (what systemd's Delegate=yes services do).
            var leaf = Path.Combine(parent, SiloLeaf);
            Directory.CreateDirectory(leaf);
            File.WriteAllText(Path.Combine(leaf, "cgroup.procs"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(control, "+memory +pids");
        }
    }
}

/// <summary>One worker's cgroups: limits, membership, kill and removal.</summary>
internal sealed class WorkerCgroups : IDisposable
{
    private readonly string? _v2;
    private readonly string? _memory;
    private readonly string? _pids;
    private readonly string? _sharedCpu;
    private readonly string? _longCpu;
    private readonly bool _cpuIdle;

    internal WorkerCgroups(string? v2, string? memory, string? pids, string? sharedCpu, bool cpuIdle = false, string? longCpu = null)
    {
        _v2 = v2;
        _memory = memory;
        _pids = pids;
        _sharedCpu = sharedCpu;
        _cpuIdle = v2 is not null && cpuIdle;
        _longCpu = sharedCpu is null ? null : longCpu;
    }

    /// <summary>
    /// Gets whether the worker can be demoted as a long runner: its own cgroup v2 directory has the cpu controller
    /// (<c>cpu.idle</c>), or cgroup v1 has the workers' idle group.
    /// </summary>
    public bool CanDemote => _cpuIdle || _longCpu is not null;

    /// <summary>
    /// Moves every process of the worker where it only gets CPU nothing else wants (an idle cpu group), or back; false
    /// when the kernel refused. Processes forked meanwhile keep the group they were forked in.
    /// </summary>
    public bool SetIdle(bool idle)
    {
        if (_cpuIdle)
        {
            return Cgroups.TryWrite(Path.Combine(_v2!, "cpu.idle"), idle ? "1" : "0");
        }

        if (_longCpu is null)
        {
            return false;
        }

        var procs = Path.Combine(idle ? _longCpu : _sharedCpu!, "cgroup.procs");
        var moved = true;
        foreach (var pid in Pids())
        {
            moved &= Cgroups.TryWrite(procs, pid.ToString(CultureInfo.InvariantCulture));
        }

        return moved;
    }

    /// <summary>
    /// Gets the <c>cgroup.procs</c> files the worker's first process writes itself into: its own cgroups, and on cgroup v1
    /// the cpu group all workers share.
    /// </summary>
    public IReadOnlyList<string> ProcsFiles =>
        [.. new[] { _v2, _memory, _pids, _sharedCpu }.OfType<string>().Select(d => Path.Combine(d, "cgroup.procs"))];

    /// <summary>Sets the memory limit of the whole sandbox (swap included where the host accounts for it).</summary>
    public void SetMemoryLimit(long bytes)
    {
        var value = bytes.ToString(CultureInfo.InvariantCulture);
        if (_v2 is not null)
        {
            File.WriteAllText(Path.Combine(_v2, "memory.max"), value);
            Cgroups.TryWrite(Path.Combine(_v2, "memory.swap.max"), "0");
            return;
        }

        File.WriteAllText(Path.Combine(_memory!, "memory.limit_in_bytes"), value);
        Cgroups.TryWrite(Path.Combine(_memory!, "memory.memsw.limit_in_bytes"), value);
    }

    /// <summary>
    /// Gets whether the kernel killed a process of the sandbox for lack of memory, or the sandbox reached its memory
    /// limit (so a worker that died then died of it).
    /// </summary>
    public bool OomKilled()
    {
        try
        {
            var file = _v2 is not null ? Path.Combine(_v2, "memory.events") : Path.Combine(_memory!, "memory.oom_control");
            foreach (var line in File.ReadLines(file))
            {
                if ((line.StartsWith("oom_kill ", StringComparison.Ordinal) && line[9..].Trim() != "0")
                    || (_v2 is not null && line.StartsWith("max ", StringComparison.Ordinal) && line[4..].Trim() != "0"))
                {
                    return true;
                }
            }

            if (_v2 is null && File.ReadAllText(Path.Combine(_memory!, "memory.failcnt")).Trim() is { Length: > 0 } failures && failures != "0")
            {
                return true;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Removed already.
        }

        return false;
    }

    /// <summary>Gets the host pids of every process in the sandbox.</summary>
    public List<int> Pids()
    {
        var pids = new List<int>();
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(_v2 ?? _pids ?? _memory!, "cgroup.procs")))
            {
                if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    pids.Add(pid);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Removed already.
        }

        return pids;
    }

    /// <summary>Kills every process in the sandbox's cgroups.</summary>
    public void KillAll()
    {
        if (_v2 is not null && Cgroups.TryWrite(Path.Combine(_v2, "cgroup.kill"), "1"))
        {
            return;
        }

        // cgroup v1 (or a v2 kernel before 5.14): signal what is listed, a few rounds for what forked meanwhile
        // (pids.max bounds how many there can be).
        for (var round = 0; round < 4; round++)
        {
            var pids = Pids();
            if (pids.Count == 0)
            {
                return;
            }

            foreach (var pid in pids)
            {
                _ = PosixSignals.Kill(pid, PosixSignals.Sigkill);
            }
        }
    }

    /// <summary>Removes the cgroups (once their processes are gone; retried briefly while the kernel reaps them).</summary>
    public void Dispose()
    {
        foreach (var directory in new[] { _v2, _memory, _pids })
        {
            if (directory is null)
            {
                continue;
            }

            for (var attempt = 0; attempt < 50 && Directory.Exists(directory); attempt++)
            {
                Cgroups.TryRemove(directory);
                if (Directory.Exists(directory))
                {
                    Thread.Sleep(10);
                }
            }
        }
    }
}

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

/// <summary>
/// The uids sandboxed workers run as: one per tenant, <c>UidRangeStart + hash(tenant) mod UidRangeSize</c>, probing
/// on when another tenant holds it, so that no two tenants share a uid in this process. Stable for the life of the
/// process (a tenant keeps its uid across its functions and versions).
/// </summary>
internal static class TenantUids
{
    private static readonly Lock s_gate = new();
    private static readonly Dictionary<string, int> s_byTenant = new(StringComparer.Ordinal);
    private static readonly Dictionary<int, string> s_byUid = [];

    /// <summary>Gets the uid of <paramref name="tenant"/> in the range of <paramref name="options"/>.</summary>
    public static int Get(string tenant, WorkerRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        lock (s_gate)
        {
            if (s_byTenant.TryGetValue(tenant, out var known) && known >= options.UidRangeStart && known < (long)options.UidRangeStart + options.UidRangeSize)
            {
                return known;
            }

            // FNV-1a: stable across processes and restarts (string.GetHashCode is randomized per process).
            var hash = 14695981039346656037UL;
            foreach (var b in Encoding.UTF8.GetBytes(tenant))
            {
                hash = (hash ^ b) * 1099511628211UL;
            }

            var size = (ulong)options.UidRangeSize;
            for (ulong probe = 0; probe < size; probe++)
            {
                var uid = options.UidRangeStart + (int)((hash + probe) % size);
                if (!s_byUid.TryGetValue(uid, out var holder))
                {
                    s_byUid[uid] = tenant;
                    s_byTenant[tenant] = uid;
                    return uid;
                }

                if (holder == tenant)
                {
                    return uid;
                }
            }

            throw new InvalidOperationException($"Every uid of {PythonLauncher.ConfigurationSection}:UidRangeStart..+UidRangeSize is taken; widen UidRangeSize.");
        }
    }
}
