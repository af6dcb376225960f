using System.Diagnostics;
using Granary.Runtime.Packages;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Granary.Runtime.Tests.NodeProcess.NodeRunner;

namespace Granary.Runtime.Tests.NodeProcess;

/// <summary>
/// Packages in process mode: a function's npm dependencies load with Node's own <c>require</c> from the installed set
/// (read-only in the sandbox), and so does a native addon, built here from a tiny C file with node-gyp.
/// </summary>
public sealed class NodeProcessPackagesTests(NodePoolFixture fixture) : IClassFixture<NodePoolFixture>
{
    private const string NodeGyp = "/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js";

    [Fact]
    public async Task DependenciesLoadWithNodesOwnRequireFromTheInstalledSetWhichIsReadOnly()
    {
        var npm = new NpmPackages(Options.Create(new NpmOptions { Directory = fixture.PackagesDirectory }), NullLogger<NpmPackages>.Instance);
        var dependencies = new Dictionary<string, string>(StringComparer.Ordinal) { ["ms"] = "2.1.3" };
        var install = await npm.EnsureAsync(dependencies, TestContext.Current.CancellationToken);
        Assert.True(install.Directory is not null, $"npm install ms failed (the npm registry must be reachable): {install.Error}");
        await using var function = Create(fixture.Pool, """
            const ms = require('ms');
            const fs = require('fs');
            module.exports = async () => {
              let write;
              try { fs.writeFileSync(require.resolve('ms'), 'module.exports = () => 0;'); write = 'written'; } catch (e) { write = e.code; }
              return { hour: ms('1h'), resolved: require.resolve('ms').startsWith(process.env.SET), write };
            };
            """, spec => spec with { Env = spec.Env.Add("SET", install.Directory!) }, packagesRoot: install.Directory);

        var body = await OkAsync(function);

        Assert.Equal(3_600_000, body.GetProperty("hour").GetInt32());
        Assert.True(body.GetProperty("resolved").GetBoolean());
        Assert.Equal("EROFS", body.GetProperty("write").GetString());
    }

    [Fact]
    public async Task ANativeAddonBuiltWithNodeGypLoadsInProcessMode()
    {
        Assert.True(File.Exists(NodeGyp), $"{NodeGyp} is missing: it comes with npm (apt-get install -y npm, or Node.js from NodeSource)");
        Assert.True(File.Exists("/usr/include/node/node_api.h"), "Node's headers are missing: install them with apt-get install -y libnode-dev (Debian's nodejs) or NodeSource's nodejs, which ships them");
        var directory = Path.Combine(fixture.PackagesDirectory, "addon-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "binding.gyp"), """{"targets":[{"target_name":"adder","sources":["adder.c"]}]}""", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "adder.c"), """
            #include <node_api.h>
            static napi_value Add(napi_env env, napi_callback_info info) {
              size_t argc = 2; napi_value args[2]; double a, b; napi_value sum;
              napi_get_cb_info(env, info, &argc, args, NULL, NULL);
              napi_get_value_double(env, args[0], &a);
              napi_get_value_double(env, args[1], &b);
              napi_create_double(env, a + b, &sum);
              return sum;
            }
            static napi_value Init(napi_env env, napi_value exports) {
              napi_value fn;
              napi_create_function(env, "add", NAPI_AUTO_LENGTH, Add, NULL, &fn);
              napi_set_named_property(env, exports, "add", fn);
              return exports;
            }
            NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
            """, TestContext.Current.CancellationToken);
        var build = new ProcessStartInfo(NodePoolFixture.Node) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { NodeGyp, "rebuild", "--nodedir=/usr" })
        {
            build.ArgumentList.Add(argument);
        }

        // Offline: the headers come from the machine (--nodedir=/usr), nothing is downloaded.
        build.Environment["HOME"] = directory;
        using (var gyp = Process.Start(build)!)
        {
            var output = gyp.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var errors = await gyp.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await gyp.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.True(gyp.ExitCode == 0, $"node-gyp failed: {await output} {errors}");
        }

        var addon = Path.Combine(directory, "build", "Release", "adder.node");
        await using var function = Create(fixture.Pool, $$"""
            const { add } = require({{System.Text.Json.JsonSerializer.Serialize(addon)}});
            module.exports = async (event) => ({ sum: add(event.a, event.b) });
            """);

        var body = await OkAsync(function, new { a = 2, b = 40 });

        Assert.Equal(42, body.GetProperty("sum").GetInt32());
    }
}
