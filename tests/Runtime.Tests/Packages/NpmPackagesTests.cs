using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Granary.Functions;
using Granary.Runtime.JavaScript;
using Granary.Runtime.Packages;
using Granary.Runtime.Tests.JavaScript;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.Packages;

/// <summary>npm dependencies: validation, installs with the machine's real npm from the real registry, and require() of them.</summary>
public sealed class NpmPackagesTests(NpmPackagesTests.Fixture npm, IsolatePoolFixture isolates)
    : IClassFixture<NpmPackagesTests.Fixture>, IClassFixture<IsolatePoolFixture>
{
    [Fact]
    public void ValidateAcceptsRegistryRangesTagsAndAliases()
    {
        var dependencies = new Dictionary<string, string>
        {
            ["lodash"] = "^4",
            ["ms"] = "2.1.3",
            ["@types/node"] = ">=18 <21",
            ["uuid"] = "1.x || 2.x",
            ["react"] = "latest",
            ["left-pad"] = "~1.3.0",
            ["my-ms"] = "npm:ms@^2",
            ["my-types"] = "npm:@types/node",
        };

        Assert.Null(NpmPackages.Validate(dependencies, 50));
        Assert.Null(NpmPackages.Validate(null, 50));
        Assert.Null(NpmPackages.Validate(new Dictionary<string, string>(), 0));
    }

    [Theory]
    [InlineData("Lodash")]
    [InlineData(".hidden")]
    [InlineData("_private")]
    [InlineData("a b")]
    [InlineData("@scope")]
    [InlineData("../etc")]
    [InlineData("node_modules")]
    [InlineData("")]
    public void ValidateRejectsBadPackageNames(string name)
    {
        var message = NpmPackages.Validate(new Dictionary<string, string> { ["ms"] = "2.1.3", [name] = "1.0.0" }, 50);

        Assert.NotNull(message);
        Assert.StartsWith($"npm dependency '{name}': ", message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateRejectsNamesLongerThanNpmAllows()
    {
        var name = new string('a', 215);

        Assert.Equal($"npm dependency '{name}': the package name is longer than 214 characters.", NpmPackages.Validate(new Dictionary<string, string> { [name] = "1" }, 50));
    }

    [Theory]
    [InlineData("file:../secrets", "a local file or directory")]
    [InlineData("link:/etc", "a link to a local directory")]
    [InlineData("git+https://github.com/evil/evil.git", "a git repository")]
    [InlineData("git://github.com/evil/evil", "a git repository")]
    [InlineData("github:evil/evil", "a git repository")]
    [InlineData("https://example.com/evil.tgz", "a URL")]
    [InlineData("evil/evil", "a path or a git repository")]
    [InlineData("./local", "a path or a git repository")]
    [InlineData("/etc/passwd", "a path or a git repository")]
    [InlineData("~/evil", "a path or a git repository")]
    public void ValidateRejectsLocalPathsGitAndUrls(string range, string kind)
    {
        var message = NpmPackages.Validate(new Dictionary<string, string> { ["ms"] = "2.1.3", ["evil"] = range }, 50);

        Assert.Equal($"npm dependency 'evil': '{range}' is {kind}; only registry version ranges, dist-tags and npm: aliases are allowed.", message);
    }

    [Theory]
    [InlineData("", "the version range is empty.")]
    [InlineData("   ", "the version range is empty.")]
    [InlineData("workspace:*", "'workspace:*' is not a version range, dist-tag or npm: alias.")]
    [InlineData("npm:ms@file:../x", "'file:../x' is a local file or directory; only registry version ranges, dist-tags and npm: aliases are allowed.")]
    [InlineData("npm:Evil", "the alias 'npm:Evil' does not name a valid package: not a valid npm package name (lowercase letters, digits and - . _ ~, optionally @scope/, not starting with . or _).")]
    public void ValidateRejectsRangesThatAreNotRegistryRanges(string range, string problem)
    {
        Assert.Equal($"npm dependency 'evil': {problem}", NpmPackages.Validate(new Dictionary<string, string> { ["evil"] = range }, 50));
    }

    [Fact]
    public void ValidateRejectsVersionRangesLongerThan256Characters()
    {
        Assert.Equal(
            "npm dependency 'ms': the version range is longer than 256 characters.",
            NpmPackages.Validate(new Dictionary<string, string> { ["ms"] = new string('1', 257) }, 50));
    }

    [Fact]
    public void ValidateRejectsMoreDependenciesThanAllowed()
    {
        Assert.Equal(
            "2 npm dependencies are declared; at most 1 are allowed (Granary:Npm:MaxDependencies).",
            NpmPackages.Validate(new Dictionary<string, string> { ["ms"] = "2", ["lodash"] = "4" }, 1));
    }

    [Fact]
    public async Task EnsureAsyncWithoutDependenciesDoesNothing()
    {
        var packages = Fixture.Create(Path.Combine(npm.Root, "nothing"));

        Assert.Equal(new PackageInstall(null, null), await packages.EnsureAsync(null, TestContext.Current.CancellationToken));
        Assert.Equal(new PackageInstall(null, null), await packages.EnsureAsync(new Dictionary<string, string>(), TestContext.Current.CancellationToken));
        Assert.Equal(0, packages.Installs);
        Assert.False(Directory.Exists(packages.Root));
    }

    [Fact]
    public async Task EnsureAsyncRefusesAnInvalidSetWithoutRunningNpm()
    {
        var install = await npm.Packages.EnsureAsync(new Dictionary<string, string> { ["evil"] = "file:/etc" }, TestContext.Current.CancellationToken);

        Assert.Equal(new PackageInstall(null, "npm dependency 'evil': 'file:/etc' is a local file or directory; only registry version ranges, dist-tags and npm: aliases are allowed."), install);
    }

    [Fact]
    public async Task EnsureAsyncInstallsOnceAndReusesTheDirectory()
    {
        var directory = await npm.InstallAsync(new() { ["ms"] = "2.1.3" });
        var marker = Path.Combine(directory, NpmPackages.MarkerFileName);
        var installs = npm.Packages.Installs;
        var written = File.GetLastWriteTimeUtc(marker);

        var again = await npm.Packages.EnsureAsync(new Dictionary<string, string> { ["ms"] = " 2.1.3 " }, TestContext.Current.CancellationToken);
        var fromDisk = await Fixture.Create(npm.Packages.Root).EnsureAsync(new Dictionary<string, string> { ["ms"] = "2.1.3" }, TestContext.Current.CancellationToken);

        Assert.Equal(Path.Combine(npm.Packages.Root, Path.GetFileName(directory)), directory);
        Assert.Equal(16, Path.GetFileName(directory).Length);
        Assert.True(File.Exists(Path.Combine(directory, "node_modules", "ms", "index.js")));
        Assert.Equal(new PackageInstall(directory, null), again);
        Assert.Equal(new PackageInstall(directory, null), fromDisk);
        Assert.Equal(installs, npm.Packages.Installs);
        Assert.Equal(written, File.GetLastWriteTimeUtc(marker));
    }

    [Fact]
    public async Task ConcurrentEnsureAsyncCallsForOneSetShareOneInstall()
    {
        npm.RequireNpm();
        var packages = Fixture.Create(Path.Combine(npm.Root, "concurrent"));
        var dependencies = new Dictionary<string, string> { ["ms"] = "2.1.2" };

        var installs = await Task.WhenAll(
            packages.EnsureAsync(dependencies, TestContext.Current.CancellationToken),
            packages.EnsureAsync(new Dictionary<string, string>(dependencies), TestContext.Current.CancellationToken));

        Assert.Null(installs[0].Error);
        Assert.NotNull(installs[0].Directory);
        Assert.Equal(installs[0], installs[1]);
        Assert.Equal(1, packages.Installs);
        Assert.True(File.Exists(Path.Combine(installs[0].Directory!, "node_modules", "ms", "package.json")));
    }

    [Fact]
    public async Task AMissingPackageFailsWithNpmsMessageAndLeavesNoDirectory()
    {
        npm.RequireNpm();
        var packages = Fixture.Create(Path.Combine(npm.Root, "missing"));
        var dependencies = new Dictionary<string, string> { ["granary-no-such-package-zz9"] = "1.0.0" };

        var first = await packages.EnsureAsync(dependencies, TestContext.Current.CancellationToken);
        var second = await packages.EnsureAsync(dependencies, TestContext.Current.CancellationToken);

        Assert.Null(first.Directory);
        Assert.NotNull(first.Error);
        Assert.StartsWith("npm install failed: ", first.Error, StringComparison.Ordinal);
        Assert.Contains("E404", first.Error, StringComparison.Ordinal);
        Assert.Contains("granary-no-such-package-zz9", first.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("complete log", first.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("install from a", first.Error, StringComparison.Ordinal);
        Assert.Equal(first, second);
        Assert.Equal(2, packages.Installs);
        Assert.Equal([".cache"], Directory.GetDirectories(packages.Root).Select(d => Path.GetFileName(d)).ToArray());
    }

    [Fact]
    public async Task AMissingNpmCommandFailsWithTheInstallHint()
    {
        var packages = Fixture.Create(Path.Combine(npm.Root, "no-npm"), o => o.Command = "granary-no-such-npm-zz9");

        var install = await packages.EnsureAsync(new Dictionary<string, string> { ["ms"] = "2.1.3" }, TestContext.Current.CancellationToken);

        Assert.Equal(new PackageInstall(null, "npm was not found (Granary:Npm:Command = 'granary-no-such-npm-zz9'); install it with: apt-get install -y npm"), install);
        Assert.Equal(0, packages.Installs);
        Assert.Equal([".cache"], Directory.GetDirectories(packages.Root).Select(d => Path.GetFileName(d)).ToArray());
    }

    [Fact]
    public async Task AnInstallThatHangsIsKilledAtTheTimeout()
    {
        npm.RequireNpm();
        // A registry that accepts connections and never answers: npm waits on it until Granary kills it.
        using var registry = new TcpListener(IPAddress.Loopback, 0);
        registry.Start();
        var port = ((IPEndPoint)registry.LocalEndpoint).Port;
        var packages = Fixture.Create(Path.Combine(npm.Root, "hang"), o =>
        {
            o.Registry = $"http://127.0.0.1:{port}/";
            o.InstallTimeoutSeconds = 2;
        });
        var started = Stopwatch.GetTimestamp();

        var install = await packages.EnsureAsync(new Dictionary<string, string> { ["ms"] = "2.0.0" }, TestContext.Current.CancellationToken);

        Assert.Equal(new PackageInstall(null, "npm install timed out after 2 s (Granary:Npm:InstallTimeoutSeconds)."), install);
        Assert.InRange(Stopwatch.GetElapsedTime(started).TotalSeconds, 2, 20);
        Assert.Equal([".cache"], Directory.GetDirectories(packages.Root).Select(d => Path.GetFileName(d)).ToArray());
    }

    [Fact]
    public async Task AFunctionRequiresAnInstalledPackage()
    {
        var directory = await npm.InstallAsync(new() { ["ms"] = "2.1.3" });

        var result = await RunWithPackagesAsync("const ms = require('ms');\nexports.main = () => ({ twoHours: ms('2h'), text: ms(60000, { long: true }) });", directory);

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("{\"twoHours\":7200000,\"text\":\"1 minute\"}", result.Text());
    }

    [Fact]
    public async Task LodashLoadsWithItsRelativeRequiresJsonAndSubpaths()
    {
        var directory = await npm.InstallAsync(new() { ["lodash"] = "4.17.21" });

        var result = await RunWithPackagesAsync("""
            const _ = require('lodash');
            const fp = require('lodash/fp');
            const chunk = require('lodash/chunk');
            exports.main = () => ({
              chunk: _.chunk([1, 2, 3, 4], 2),
              fp: fp.map((x) => x * 2)([1, 2]),
              subpath: chunk(['a', 'b', 'c'], 2),
              same: require('lodash') === _ && require('lodash/chunk.js') === chunk,
              version: require('lodash/package.json').version,
            });
            """, directory);

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("{\"chunk\":[[1,2],[3,4]],\"fp\":[2,4],\"subpath\":[[\"a\",\"b\"],[\"c\"]],\"same\":true,\"version\":\"4.17.21\"}", result.Text());
    }

    [Fact]
    public async Task RequireOfAPackageWithoutDependenciesSaysToListIt()
    {
        await using var function = Create(isolates.Pool, "const ms = require('ms');\nexports.main = () => ms('2h');");

        var error = await function.WarmUpAsync();

        Assert.NotNull(error);
        Assert.Equal(CodeErrorKinds.Load, error.Kind);
        Assert.Contains("Cannot find module 'ms': an npm package must be listed in the function's dependencies to be installed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APackageThatIsNotInstalledIsNotFoundWithTheSameHint()
    {
        var directory = await npm.InstallAsync(new() { ["ms"] = "2.1.3" });

        var result = await RunWithPackagesAsync("""
            exports.main = () => {
              try { require('lodash'); return 'loaded'; } catch (e) { return { code: e.code, message: e.message }; }
            };
            """, directory);

        Assert.Equal("{\"code\":\"MODULE_NOT_FOUND\",\"message\":\"Cannot find module 'lodash': an npm package must be listed in the function's dependencies to be installed\"}", result.Text());
    }

    [Fact]
    public async Task ARequireCannotLeaveThePackagesDirectory()
    {
        // A hand-made packages directory, so that a package can try every way out: a file beside the root
        // that would load if anything escaped, reached by ../, an absolute path, a symlinked file and a
        // symlinked directory.
        var sandbox = Directory.CreateDirectory(Path.Combine(npm.Root, "escape-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var root = Path.Combine(sandbox, "packages");
        var escaper = Directory.CreateDirectory(Path.Combine(root, "node_modules", "escaper")).FullName;
        var secret = Path.Combine(sandbox, "secret.json");
        File.WriteAllText(secret, "{\"secret\":true}");
        File.WriteAllText(Path.Combine(escaper, "package.json"), "{\"name\":\"escaper\",\"main\":\"main.js\"}");
        File.WriteAllText(Path.Combine(escaper, "inside.json"), "{\"inside\":true}");
        File.CreateSymbolicLink(Path.Combine(escaper, "link.json"), secret);
        Directory.CreateSymbolicLink(Path.Combine(root, "node_modules", "outside"), sandbox);
        File.WriteAllText(Path.Combine(escaper, "main.js"), $$"""
            const attempt = (request) => { try { require(request); return 'loaded'; } catch (e) { return e.code; } };
            module.exports = () => ({
              up: attempt('../../../secret.json'),
              farUp: attempt('../../../../../../../../../etc/passwd'),
              absolute: attempt({{System.Text.Json.JsonSerializer.Serialize(secret)}}),
              symlinkedFile: attempt('./link.json'),
              symlinkedDirectory: attempt('outside/secret.json'),
              inside: attempt('./inside.json'),
            });
            """);

        var result = await RunWithPackagesAsync("""
            const probe = require('escaper');
            exports.main = () => {
              const attempt = (request) => { try { require(request); return 'loaded'; } catch (e) { return e.code; } };
              return { ...probe(), bareSubpath: attempt('escaper/../../../secret.json'), relativeFromFunction: attempt('./node_modules/escaper/inside.json') };
            };
            """, root);

        Assert.Equal(
            "{\"up\":\"MODULE_NOT_FOUND\",\"farUp\":\"MODULE_NOT_FOUND\",\"absolute\":\"MODULE_NOT_FOUND\",\"symlinkedFile\":\"MODULE_NOT_FOUND\"," +
            "\"symlinkedDirectory\":\"MODULE_NOT_FOUND\",\"inside\":\"loaded\",\"bareSubpath\":\"MODULE_NOT_FOUND\",\"relativeFromFunction\":\"MODULE_NOT_FOUND\"}",
            result.Text());
    }

    [Fact]
    public async Task ExportsMapsNestedNodeModulesAndCyclesResolveAsInNode()
    {
        var root = Path.Combine(npm.Root, "node-rules-" + Guid.NewGuid().ToString("N")[..8]);
        var modern = Directory.CreateDirectory(Path.Combine(root, "node_modules", "modern")).FullName;
        Directory.CreateDirectory(Path.Combine(modern, "lib", "utils"));
        File.WriteAllText(Path.Combine(modern, "package.json"), """
            { "name": "modern", "main": "./wrong.js", "exports": {
                ".": { "import": "./esm.mjs", "require": "./cjs.cjs" },
                "./feature": "./lib/feature.js",
                "./utils/*": "./lib/utils/*.js" } }
            """);
        File.WriteAllText(Path.Combine(modern, "cjs.cjs"), "#!/usr/bin/env node\nexports.kind = 'cjs'; exports.b = require('./b').name;");
        File.WriteAllText(Path.Combine(modern, "b.js"), "exports.name = 'b'; exports.a = require('./cjs.cjs').kind;");
        File.WriteAllText(Path.Combine(modern, "lib", "feature.js"), "module.exports = 'feature';");
        File.WriteAllText(Path.Combine(modern, "lib", "utils", "text.js"), "module.exports = require('inner') + '!';");
        var inner = Directory.CreateDirectory(Path.Combine(modern, "node_modules", "inner")).FullName;
        File.WriteAllText(Path.Combine(inner, "index.js"), "module.exports = 'nested ' + require('buffer').Buffer.name;");

        var result = await RunWithPackagesAsync("""
            const modern = require('modern');
            exports.main = () => ({
              modern,
              feature: require('modern/feature'),
              text: require('modern/utils/text'),
              innerFromFunction: (() => { try { return require('inner'); } catch (e) { return e.code; } })(),
            });
            """, root);

        Assert.Equal(
            "{\"modern\":{\"kind\":\"cjs\",\"b\":\"b\"},\"feature\":\"feature\",\"text\":\"nested Buffer!\",\"innerFromFunction\":\"MODULE_NOT_FOUND\"}",
            result.Text());
    }

    private async Task<ExecutionResult> RunWithPackagesAsync(string code, string packagesRoot)
    {
        await using var function = new JavaScriptFunction(Definition(code), isolates.Pool, Limits, NullLogger.Instance, packagesRoot: packagesRoot);
        var error = await function.WarmUpAsync();
        Assert.Null(error);
        return await function.InvokeAsync(new InvocationRequest { Method = "GET" });
    }

    /// <summary>A temporary directory for the class's installs, deleted afterwards, and one service installing into it.</summary>
    public sealed class Fixture : IDisposable
    {
        private readonly string? _npmMissing = FindNpm();

        public Fixture()
        {
            Directory.CreateDirectory(Root);
            Packages = Create(Path.Combine(Root, "installs"));
        }

        public string Root { get; } = Path.Combine(Path.GetTempPath(), "granary-npm-tests-" + Guid.NewGuid().ToString("N")[..12]);

        public NpmPackages Packages { get; }

        public static NpmPackages Create(string directory, Action<NpmOptions>? configure = null)
        {
            var options = new NpmOptions { Directory = directory };
            configure?.Invoke(options);
            return new NpmPackages(Options.Create(options), NullLogger<NpmPackages>.Instance);
        }

        /// <summary>Installs a set with the shared service, failing the test with npm's message if that fails; returns its directory.</summary>
        public async Task<string> InstallAsync(Dictionary<string, string> dependencies)
        {
            RequireNpm();
            var started = Stopwatch.GetTimestamp();
            var install = await Packages.EnsureAsync(dependencies, TestContext.Current.CancellationToken);
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"EnsureAsync({string.Join(", ", dependencies.Select(d => $"{d.Key}@{d.Value}"))}) took {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");
            Assert.Null(install.Error);
            Assert.NotNull(install.Directory);
            return install.Directory;
        }

        /// <summary>Fails (never skips) when the machine has no npm, saying how to install it.</summary>
        public void RequireNpm()
        {
            if (_npmMissing is not null)
            {
                Assert.Fail(_npmMissing);
            }
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
                // A file still open by a dying npm; the directory is under the system's temp directory anyway.
            }
        }

        private static string? FindNpm()
        {
            foreach (var (command, package) in (ReadOnlySpan<(string, string)>)[("node", "nodejs"), ("npm", "npm")])
            {
                try
                {
                    using var process = Process.Start(new ProcessStartInfo(command, "--version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
                    process.WaitForExit();
                    if (process.ExitCode != 0)
                    {
                        return $"'{command} --version' exited with {process.ExitCode}; the npm tests need it: apt-get install -y {package}";
                    }
                }
                catch (System.ComponentModel.Win32Exception)
                {
                    return $"'{command}' was not found; the npm tests need it: apt-get install -y {package}";
                }
            }

            return null;
        }
    }
}
