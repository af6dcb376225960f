using System.Globalization;
using Granary.Runtime.Egress;
using Granary.Runtime.Packages;
using Granary.Runtime.Python;
using Granary.Runtime.Workers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Granary.Runtime.Tests.Python.PythonRunner;

namespace Granary.Runtime.Tests.Packages;

/// <summary>
/// Python requirements installed by the machine's real pip from a package index served on loopback by the test, with
/// wheels (and a source distribution) built here; functions import them in real sandboxed workers.
/// </summary>
public sealed class PipPackagesTests(PipPackagesTests.Fixture pip) : IClassFixture<PipPackagesTests.Fixture>
{
    private const string Probe = """
        import granaryprobe

        def main(event, context):
            return {"value": granaryprobe.VALUE, "file": granaryprobe.__file__}
        """;

    [Theory]
    [InlineData("-e .", "pip requirement '-e .': editable installs (-e) are not allowed; name a package from the index.")]
    [InlineData("--index-url http://evil.example/simple", "pip requirement '--index-url http://evil.example/simple': '--index-url' is not allowed: packages come from the operator's index (Granary:Pip:IndexUrl).")]
    [InlineData("-i http://evil.example/simple", "pip requirement '-i http://evil.example/simple': '-i' is not allowed: packages come from the operator's index (Granary:Pip:IndexUrl).")]
    [InlineData("requests==2.32.3 --extra-index-url=http://evil.example", "pip requirement 'requests==2.32.3 --extra-index-url=http://evil.example': pip options ('--extra-index-url=http://evil.example') are not allowed in requirements; give requirement specifiers only (name, extras, versions, markers).")]
    [InlineData("-r /etc/passwd", "pip requirement '-r /etc/passwd': other requirement files are not allowed; list the requirements themselves.")]
    [InlineData("./mypackage", "pip requirement './mypackage': local paths are not allowed; name a package from the index.")]
    [InlineData("/tmp/evil-1.0-py3-none-any.whl", "pip requirement '/tmp/evil-1.0-py3-none-any.whl': local paths are not allowed; name a package from the index.")]
    [InlineData("evil-1.0.tar.gz", "pip requirement 'evil-1.0.tar.gz': local archives are not allowed; name a package from the index.")]
    [InlineData("https://evil.example/evil-1.0.tar.gz", "pip requirement 'https://evil.example/evil-1.0.tar.gz': URLs are not allowed; name a package from the index.")]
    [InlineData("evil @ https://evil.example/evil-1.0-py3-none-any.whl", "pip requirement 'evil @ https://evil.example/evil-1.0-py3-none-any.whl': URLs are not allowed (Granary:Pip:AllowDirectUrls is off); name a package from the index.")]
    [InlineData("requests;;", "pip requirement 'requests;;': not a requirement specifier (name[extras] versions ; markers, as in PEP 508).")]
    public void ValidateRefusesWhatReachesOutsideTheIndex(string line, string expected)
    {
        Assert.Equal(expected, PipPackages.Validate([line], new PipOptions()));
    }

    [Fact]
    public void ValidateAcceptsSpecifiersExtrasMarkersAndRequirementsText()
    {
        var text = "# pinned\nrequests==2.32.3  # HTTP\npydantic>=2,<3\nuvicorn[standard] ~= 0.30 ; python_version >= \"3.8\"\n\nattrs \\\n  >=23\n";

        var (requirements, problem) = PipPackages.Parse([text, "Flask"], allowDirectUrls: false);

        Assert.Null(problem);
        Assert.Equal(["requests==2.32.3", "pydantic>=2,<3", "uvicorn[standard]~=0.30 ; python_version >= \"3.8\"", "attrs>=23", "Flask"], requirements);
        Assert.Null(PipPackages.Validate([text], new PipOptions()));
        Assert.Null(PipPackages.Validate(["evil @ https://pkgs.example/evil-1.0-py3-none-any.whl"], new PipOptions { AllowDirectUrls = true }));
        Assert.Equal(
            "pip requirement 'evil @ file:///etc/evil.whl': only http and https URLs are allowed.",
            PipPackages.Validate(["evil @ file:///etc/evil.whl"], new PipOptions { AllowDirectUrls = true }));
        Assert.Equal(
            "2 pip requirements are declared; at most 1 are allowed (Granary:Pip:MaxRequirements).",
            PipPackages.Validate(["a", "b"], new PipOptions { MaxRequirements = 1 }));
        Assert.Equal(PipPackages.SetName(["b==1", "a"]), PipPackages.SetName(["a", "  b==1 "]));
        Assert.NotEqual(PipPackages.SetName(["a==1"]), PipPackages.SetName(["a==2"]));
        Assert.Null(PipPackages.SetName(["# nothing"]));
    }

    [Fact]
    public async Task EnsureAsyncRefusesAnInvalidSetWithoutRunningPip()
    {
        var packages = pip.Create("invalid");

        var install = await packages.EnsureAsync(["-e ."], TestContext.Current.CancellationToken);

        Assert.Equal(new PackageInstall(null, "pip requirement '-e .': editable installs (-e) are not allowed; name a package from the index."), install);
        Assert.Equal(0, packages.Installs);
        Assert.Equal(new PackageInstall(null, null), await packages.EnsureAsync(["# only a comment", ""], TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AFunctionImportsItsRequirementsInItsSandbox()
    {
        var directory = await Fixture.InstallAsync(pip.Packages, "granaryprobe==1.0");
        await using var function = new PythonFunction(Definition(Probe), pip.Pool, Limits, NullLogger.Instance, packagesRoot: directory);

        var body = await OkAsync(function);

        Assert.Equal("wheel-ok", body.GetProperty("value").GetString());
        Assert.Equal($"{WorkerSandbox.PackagesMount}/installs/{Path.GetFileName(directory)}/site-packages/granaryprobe/__init__.py", body.GetProperty("file").GetString());
        Assert.True(File.Exists(Path.Combine(directory, PipPackages.SitePackages, "granaryprobe", "__init__.py")));
        Assert.True(File.Exists(Path.Combine(directory, PackageInstaller.MarkerFileName)));
    }

    // Granary:Python:Isolation=none (single-tenant hosts): the worker is handed the set's path on the host.
    [Fact]
    public async Task AnUnsandboxedWorkerImportsItsRequirementsFromTheHost()
    {
        var directory = await Fixture.InstallAsync(pip.Packages, "granaryprobe==1.0");
        await using var pool = new WorkerPool(
            Options.Create(new WorkerRuntimeOptions { Interpreter = LocalPackageIndex.Interpreter, WarmWorkers = 0, Isolation = WorkerRuntimeOptions.NoIsolation }),
            NullLogger<WorkerPool>.Instance);
        await using var function = new PythonFunction(Definition(Probe), pool, Limits, NullLogger.Instance, packagesRoot: directory);

        var body = await OkAsync(function);

        Assert.Equal("wheel-ok", body.GetProperty("value").GetString());
        Assert.Equal(Path.Combine(directory, PipPackages.SitePackages, "granaryprobe", "__init__.py"), body.GetProperty("file").GetString());
    }

    [Fact]
    public async Task TwoFunctionsDeclaringOneSetShareOneInstall()
    {
        var packages = pip.Create("shared");

        var installs = await Task.WhenAll(
            packages.EnsureAsync(["granaryprobe==1.0", "granaryhelper"], TestContext.Current.CancellationToken),
            packages.EnsureAsync(["granaryhelper", "granaryprobe == 1.0"], TestContext.Current.CancellationToken));
        var fromDisk = await pip.Create("shared").EnsureAsync(["granaryhelper\ngranaryprobe==1.0"], TestContext.Current.CancellationToken);

        Assert.Null(installs[0].Error);
        Assert.Equal(installs[0], installs[1]);
        Assert.Equal(installs[0], fromDisk);
        Assert.Equal(1, packages.Installs);
        Assert.Equal(
            [".cache", Path.GetFileName(installs[0].Directory!)],
            Directory.GetDirectories(packages.Root).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task TwoFunctionsWithDifferentVersionsOfOnePackageEachSeeTheirOwn()
    {
        var one = await Fixture.InstallAsync(pip.Packages, "granaryver==1.0");
        var two = await Fixture.InstallAsync(pip.Packages, "granaryver==2.0");
        const string code = "import granaryver\n\ndef main(event, context):\n    return {\"version\": granaryver.VERSION}\n";
        await using var first = new PythonFunction(Definition(code, name: "v1"), pip.Pool, Limits, NullLogger.Instance, packagesRoot: one);
        await using var second = new PythonFunction(Definition(code, name: "v2"), pip.Pool, Limits, NullLogger.Instance, packagesRoot: two);
        await using var none = new PythonFunction(Definition("def main(event, context):\n    try:\n        import granaryver\n        return {\"version\": granaryver.VERSION}\n    except ImportError as e:\n        return {\"error\": type(e).__name__}\n", name: "none"), pip.Pool, Limits, NullLogger.Instance);

        var results = await Task.WhenAll(OkAsync(first), OkAsync(second), OkAsync(none));

        Assert.NotEqual(one, two);
        Assert.Equal("1.0", results[0].GetProperty("version").GetString());
        Assert.Equal("2.0", results[1].GetProperty("version").GetString());
        Assert.Equal("ModuleNotFoundError", results[2].GetProperty("error").GetString());
    }

    // A tenant's code may read its own set but neither change it (a read-only mount, as function code is, of files that
    // are not the tenant's) nor list the others.
    [Fact]
    public async Task AFunctionCanNeitherWriteItsSetNorListTheOthers()
    {
        var directory = await Fixture.InstallAsync(pip.Packages, "granaryprobe==1.0");
        await using var function = new PythonFunction(Definition("""
            import os, granaryprobe

            def main(event, context):
                try:
                    with open(granaryprobe.__file__, "a") as f:
                        f.write("x = 1\n")
                    write = "written"
                except OSError as e:
                    write = e.strerror
                try:
                    listing = os.listdir("/packages")
                except OSError as e:
                    listing = e.strerror
                with open("/proc/self/mountinfo") as f:
                    mount = [line.split()[5] for line in f if line.split()[4] == "/packages"]
                return {"write": write, "listing": listing, "mount": mount}
            """), pip.Pool, Limits, NullLogger.Instance, packagesRoot: directory);

        var body = await OkAsync(function);

        Assert.Equal("Permission denied", body.GetProperty("write").GetString());
        Assert.StartsWith("ro,", body.GetProperty("mount")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("Permission denied", body.GetProperty("listing").GetString());
    }

    [Fact]
    public async Task ABadRequirementFailsWithPipsMessageAndLeavesNoDirectory()
    {
        var packages = pip.Create("missing");

        var first = await packages.EnsureAsync(["granary-no-such-package-zz9==1.0"], TestContext.Current.CancellationToken);
        var second = await packages.EnsureAsync(["granary-no-such-package-zz9==1.0"], TestContext.Current.CancellationToken);

        Assert.Null(first.Directory);
        Assert.Equal(
            "pip install failed: ERROR: Could not find a version that satisfies the requirement granary-no-such-package-zz9==1.0 (from versions: none)\n"
            + "ERROR: No matching distribution found for granary-no-such-package-zz9==1.0\n"
            + "Granary installs wheels only (Granary:Pip:AllowSourceBuilds is off): a package published only as a source distribution cannot be installed.",
            first.Error);
        Assert.Equal(first, second);
        Assert.Equal(2, packages.Installs);
        Assert.Equal([".cache"], Directory.GetDirectories(packages.Root).Select(d => Path.GetFileName(d)).ToArray());
    }

    [Fact]
    public async Task ASourceOnlyPackageIsRefusedUnlessSourceBuildsAreAllowed()
    {
        var refused = await pip.Create("wheels-only").EnsureAsync(["granarysource==1.0"], TestContext.Current.CancellationToken);
        var allowed = pip.Create("source-builds", o => o.AllowSourceBuilds = true);
        var directory = await Fixture.InstallAsync(allowed, "granarysource==1.0");
        await using var function = new PythonFunction(Definition("import granarysource\n\ndef main(event, context):\n    return {\"value\": granarysource.VALUE}\n"), pip.Pool, Limits, NullLogger.Instance, packagesRoot: directory);

        Assert.Null(refused.Directory);
        Assert.Contains("No matching distribution found for granarysource==1.0", refused.Error, StringComparison.Ordinal);
        Assert.EndsWith("Granary:Pip:AllowSourceBuilds is off): a package published only as a source distribution cannot be installed.", refused.Error, StringComparison.Ordinal);
        Assert.Equal("built-from-source", (await OkAsync(function)).GetProperty("value").GetString());
    }

    [Fact]
    public async Task AnInstallThatHangsIsKilledAtTheTimeout()
    {
        // An index that accepts connections and never answers: pip waits on it until Granary kills it.
        using var index = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        index.Start();
        var port = ((System.Net.IPEndPoint)index.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        var packages = pip.Create("hang", o =>
        {
            o.IndexUrl = $"http://127.0.0.1:{port}/simple";
            o.InstallTimeoutSeconds = 2;
        });

        var install = await packages.EnsureAsync(["granaryprobe==1.0"], TestContext.Current.CancellationToken);

        Assert.Equal(new PackageInstall(null, "pip install timed out after 2 s (Granary:Pip:InstallTimeoutSeconds)."), install);
        Assert.Equal([".cache"], Directory.GetDirectories(packages.Root).Select(d => Path.GetFileName(d)).ToArray());
    }

    [Fact]
    public async Task AMissingInterpreterFailsWithTheInstallHint()
    {
        var packages = pip.Create("no-python", o => o.Interpreter = "/nonexistent/granary-python3");

        var install = await packages.EnsureAsync(["granaryprobe==1.0"], TestContext.Current.CancellationToken);

        Assert.Equal(new PackageInstall(null, "pip was not found (Granary:Pip:Interpreter = '/nonexistent/granary-python3'); install it with: apt-get install -y python3-pip"), install);
    }

    /// <summary>The index, the shared pip service installing from it, and a sandboxed worker pool that mounts its sets.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private readonly LocalPackageIndex _index = new();
        private WorkerPool? _pool;

        public Fixture()
        {
            LocalPackageIndex.RequirePip();
            _index.AddWheel("granaryprobe", "1.0", "granaryprobe", "VALUE = \"wheel-ok\"\n");
            _index.AddWheel("granaryhelper", "0.1", "granaryhelper", "HELP = 1\n");
            _index.AddWheel("granaryver", "1.0", "granaryver", "VERSION = \"1.0\"\n");
            _index.AddWheel("granaryver", "2.0", "granaryver", "VERSION = \"2.0\"\n");
            _index.AddSourceOnly("granarysource", "1.0", "granarysource", "VALUE = \"built-from-source\"\n");
            Directory.CreateDirectory(Root);
            Packages = Create("installs");
        }

        public string Root { get; } = Path.Combine(Path.GetTempPath(), "granary-pip-tests-" + Guid.NewGuid().ToString("N")[..12]);

        public PipPackages Packages { get; }

        public WorkerPool Pool => _pool ?? throw new InvalidOperationException("The fixture is not initialized.");

        public PipPackages Create(string name, Action<PipOptions>? configure = null)
        {
            var options = new PipOptions { Directory = Path.Combine(Root, name), IndexUrl = _index.Url };
            configure?.Invoke(options);
            return new PipPackages(Options.Create(options), Options.Create(new WorkerRuntimeOptions { Interpreter = LocalPackageIndex.Interpreter }), NullLogger<PipPackages>.Instance);
        }

        /// <summary>Installs a set, failing the test with pip's message if that fails; returns its directory.</summary>
        public static async Task<string> InstallAsync(PipPackages packages, params string[] requirements)
        {
            var install = await packages.EnsureAsync(requirements, TestContext.Current.CancellationToken);
            Assert.True(install.Error is null, install.Error);
            Assert.NotNull(install.Directory);
            return install.Directory;
        }

        public async ValueTask InitializeAsync()
        {
            // Sets of the shared service and of the source-builds one are mounted: the pool mounts one root, so both
            // live under it (the pool's root is the fixture's root).
            var mounted = new PipPackages(Options.Create(new PipOptions { Directory = Root }), Options.Create(new WorkerRuntimeOptions()), NullLogger<PipPackages>.Instance);
            _pool = new WorkerPool(Options.Create(new WorkerRuntimeOptions { Interpreter = LocalPackageIndex.Interpreter, WarmWorkers = 1 }), NullLogger<WorkerPool>.Instance, EgressPolicy.Default, pip: mounted);
            await _pool.WarmUpAsync(TestContext.Current.CancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            if (_pool is not null)
            {
                await _pool.DisposeAsync();
            }

            _index.Dispose();
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
                // Left in the temporary directory.
            }
        }
    }
}
