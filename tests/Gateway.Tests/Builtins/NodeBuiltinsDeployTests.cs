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
