using System.Net;
using System.Text.Json;

namespace Granary.Gateway.Tests.Builtins;

/// <summary>
/// Node built-ins through the real gateway: a function that requires one the isolate does not implement is refused
/// at deploy with 400 naming the module and process isolation; one that uses the implemented ones serves.
/// </summary>
public sealed class NodeBuiltinsDeployTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private GranaryServer Server => fixture.Server;

    [Fact]
    public async Task AFunctionThatRequiresAnUnimplementedBuiltinIsRefusedAtDeployNamingProcessIsolation()
    {
        var refused = await Server.DeployAsync(GatewayFixture.Workspace(), "threads", "const { Worker } = require('worker_threads');\nmodule.exports = () => 'never';");

        var text = await refused.Content.ReadAsStringAsync();
        Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{(int)refused.StatusCode} {text}");
        var detail = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString();
        Assert.Contains(
            "The Node built-in module 'worker_threads' is not implemented in Granary's isolate runtime. Deploy the function with \"isolation\": \"process\"",
            detail,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("const vm = require('vm');", "line 2: The Node built-in module 'vm' is not implemented in Granary's isolate runtime. Deploy the function with \"isolation\": \"process\"")]
    [InlineData("const { Client } = require('pg');", "line 2: Cannot find module 'pg': an npm package must be listed in the function's dependencies to be installed")]
    [InlineData("const { nanoid } = await import('nanoid');", "line 2: Cannot find module 'nanoid': an npm package must be listed in the function's dependencies to be installed")]
    public async Task AModuleRequiredOnlyInsideTheHandlerIsCheckedAtDeployNotAtTheFirstCall(string use, string expected)
    {
        var ws = GatewayFixture.Workspace();
        var refused = await Server.DeployAsync(ws, "lazy", $"module.exports = async () => {{\n  {use}\n  return 'never';\n}};");

        var text = await refused.Content.ReadAsStringAsync();
        Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{(int)refused.StatusCode} {text}");
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("module", problem.GetProperty("kind").GetString());
        Assert.Equal(2, problem.GetProperty("line").GetInt32());
        Assert.StartsWith(expected, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var missing = await Server.InvokeAsync(ws, "lazy", "{}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task RequestsInsideTheHandlerOfAvailableModulesDeployAndANameBuiltAtRunTimeIsNotGuessedAt()
    {
        var ws = GatewayFixture.Workspace();
        var deployed = await Server.DeployAsync(ws, "fine", """
            module.exports = async (event) => {
              const zlib = require('node:zlib');
              const { Readable } = require('stream');
              const optional = event.name ? require(event.name) : null; // computed: only the call can tell
              return { gzipped: zlib.gzipSync(Buffer.from('x')).length > 0, readable: typeof Readable, optional };
            };
            """);
        Assert.True(deployed.IsSuccessStatusCode, await deployed.Content.ReadAsStringAsync());

        var response = await Server.InvokeAsync(ws, "fine", "{}");

        Assert.Equal("{\"gzipped\":true,\"readable\":\"function\",\"optional\":null}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task InProcessModeEveryBuiltinIsThereButAPackageOutsideTheDependenciesIsRefusedAtDeploy()
    {
        var ws = GatewayFixture.Workspace();
        var threads = await Server.DeployAsync(ws, "threads", "module.exports = async () => {\n  const { isMainThread } = require('worker_threads');\n  return { isMainThread };\n};", new { isolation = "process" });
        var refused = await Server.DeployAsync(ws, "pg", "module.exports = async () => {\n  const { Client } = require('pg');\n  return typeof Client;\n};", new { isolation = "process" });

        Assert.True(threads.IsSuccessStatusCode, await threads.Content.ReadAsStringAsync());
        var text = await refused.Content.ReadAsStringAsync();
        Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{(int)refused.StatusCode} {text}");
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("module", problem.GetProperty("kind").GetString());
        Assert.Equal(2, problem.GetProperty("line").GetInt32());
        Assert.Equal("line 2: Cannot find module 'pg': an npm package must be listed in the function's dependencies to be installed", problem.GetProperty("detail").GetString());
        var response = await Server.InvokeAsync(ws, "threads", "{}");
        Assert.Equal("{\"isMainThread\":true}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AFunctionUsingStreamsTimersAndEventsServes()
    {
        var ws = GatewayFixture.Workspace();
        var deployed = await Server.DeployAsync(ws, "streams", """
            const { pipeline } = require('node:stream/promises');
            const { Readable, Transform, Writable } = require('node:stream');
            const { setTimeout: sleep } = require('node:timers/promises');
            const { once, EventEmitter } = require('node:events');
            module.exports = async (event) => {
              const out = [];
              const upper = new Transform({ transform(chunk, encoding, callback) { callback(null, String(chunk).toUpperCase()); } });
              await pipeline(Readable.from(event.words), upper, new Writable({ write(chunk, encoding, callback) { out.push(String(chunk)); callback(); } }));
              const emitter = new EventEmitter();
              sleep(1).then(() => emitter.emit('done', out.join(' ')));
              const [joined] = await once(emitter, 'done');
              return { joined };
            };
            """);
        Assert.True(deployed.IsSuccessStatusCode, await deployed.Content.ReadAsStringAsync());

        var response = await Server.InvokeAsync(ws, "streams", "{\"words\":[\"a\",\"b\",\"c\"]}");

        Assert.Equal("{\"joined\":\"A B C\"}", await response.Content.ReadAsStringAsync());
    }
}
