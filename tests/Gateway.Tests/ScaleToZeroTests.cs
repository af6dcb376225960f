using System.Net;
using System.Text.Json;

namespace Granary.Gateway.Tests;

/// <summary>Scale to zero through grain activation: idle → activating → running → idle, with no request lost.</summary>
public sealed class ScaleToZeroTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private GranaryServer Server => fixture.Server;

    [Fact]
    public async Task AFunctionIsIdleUntilCalledRunningWhileUsedAndIdleAgainAfterItsTimeout()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "nap", "module.exports = () => 'awake';", new { idleTimeoutSeconds = 1 });
        Assert.Equal("idle", await Server.StateAsync(ws, "nap"));

        Assert.Equal("awake", await (await Server.InvokeAsync(ws, "nap")).Content.ReadAsStringAsync());
        var running = (await Server.GetJsonAsync(GranaryServer.FunctionPath(ws, "nap"))).GetProperty("status");
        Assert.Equal("running", running.GetProperty("state").GetString());
        Assert.Equal(1, running.GetProperty("activations").GetInt32());
        var instance = running.GetProperty("instances")[0];
        Assert.Equal(1, instance.GetProperty("isolates").GetInt32());
        Assert.StartsWith("S127.0.0.1:", instance.GetProperty("silo").GetString(), StringComparison.Ordinal);

        await Server.WaitForStateAsync(ws, "nap", "idle", TimeSpan.FromSeconds(10));
        var idle = (await Server.GetJsonAsync(GranaryServer.FunctionPath(ws, "nap"))).GetProperty("status");
        Assert.Equal(0, idle.GetProperty("activations").GetInt32());

        // Woken again on demand, as a cold start.
        Assert.Equal("awake", await (await Server.InvokeAsync(ws, "nap")).Content.ReadAsStringAsync());
        var records = (await Server.GetJsonAsync(GranaryServer.FunctionPath(ws, "nap") + "/invocations")).GetProperty("invocations");
        Assert.Equal([true, true], records.EnumerateArray().Select(r => r.GetProperty("cold").GetBoolean()));
    }

    [Fact]
    public async Task RequestsThatArriveDuringActivationWaitAndAllSucceed()
    {
        var ws = GatewayFixture.Workspace();

        // The module spins for a second while it loads, so the activation is slow enough to watch.
        await Server.DeployOkAsync(
            ws,
            "slowstart",
            "const until = Date.now() + 1000; while (Date.now() < until) {}\nmodule.exports = () => 'ready';",
            new { idleTimeoutSeconds = 60 });

        var first = Server.InvokeAsync(ws, "slowstart");
        await Server.WaitForStateAsync(ws, "slowstart", "activating", TimeSpan.FromSeconds(5));
        var during = Enumerable.Range(0, 5).Select(_ => Server.InvokeAsync(ws, "slowstart")).ToList();
        var responses = await Task.WhenAll(during.Prepend(first));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.All(await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync())), body => Assert.Equal("ready", body));
        Assert.Equal("running", await Server.StateAsync(ws, "slowstart"));
    }

    [Fact]
    public async Task InvocationRecordsSurviveTheFunctionGoingIdle()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "short", "module.exports = () => { console.log('remember me'); return 'x'; };", new { idleTimeoutSeconds = 1 });

        var response = await Server.InvokeAsync(ws, "short");
        var id = response.Headers.GetValues("X-Granary-Invocation-Id").Single();
        await Server.WaitForStateAsync(ws, "short", "idle", TimeSpan.FromSeconds(10));

        var record = (await Server.GetJsonAsync(GranaryServer.FunctionPath(ws, "short") + "/invocations")).GetProperty("invocations").EnumerateArray().Single();
        Assert.Equal(id, record.GetProperty("id").GetString());
        Assert.Equal("remember me", record.GetProperty("logs")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task ConcurrentInvocationsOfOneFunctionRunInParallel()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "parallel", "module.exports = async () => { const start = Date.now(); await new Promise(r => setTimeout(r, 3000)); return { start, end: Date.now() }; };");
        await Server.InvokeAsync(ws, "parallel");

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Server.InvokeAsync(ws, "parallel")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        // In parallel: every invocation started before any of them ended (a wall-clock bound would measure the machine).
        var runs = await Task.WhenAll(responses.Select(async r => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement));
        // Each run waits 3 s, so that ten isolates created one after another on a loaded machine still overlap.
        var starts = runs.Select(r => r.GetProperty("start").GetInt64()).ToList();
        var ends = runs.Select(r => r.GetProperty("end").GetInt64()).ToList();
        Assert.True(starts.Max() < ends.Min(), $"An invocation started only after another had ended: starts {string.Join(", ", starts.Select(t => t - starts.Min()))} ms, ends {string.Join(", ", ends.Select(t => t - starts.Min()))} ms");
        var status = (await Server.GetJsonAsync(GranaryServer.FunctionPath(ws, "parallel"))).GetProperty("status");
        Assert.Equal(10, status.GetProperty("instances")[0].GetProperty("isolates").GetInt32());
    }

    [Fact]
    public async Task ARedeployWhileRunningSwitchesTheLiveActivationToTheNewVersion()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "live", "module.exports = () => 'v1';");
        Assert.Equal("v1", await (await Server.InvokeAsync(ws, "live")).Content.ReadAsStringAsync());

        await Server.DeployOkAsync(ws, "live", "module.exports = () => 'v2';");

        Assert.Equal("v2", await (await Server.InvokeAsync(ws, "live")).Content.ReadAsStringAsync());
        var records = (await Server.GetJsonAsync(GranaryServer.FunctionPath(ws, "live") + "/invocations")).GetProperty("invocations");
        Assert.Equal([2, 1], records.EnumerateArray().Select(r => r.GetProperty("version").GetInt32()));
    }
}

/// <summary>Durability of the embedded default: a restarted process keeps every function and its history.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task RestartingTheProcessKeepsFunctionsAndTheirHistory()
    {
        var data = Directory.CreateTempSubdirectory("granary-restart-").FullName;
        try
        {
            string id;
            await using (var before = await GranaryServer.StartAsync(data))
            {
                await before.DeployOkAsync("main", "persisted", "module.exports = () => 'still here';", new { timeoutSeconds = 7 });
                await before.DeployOkAsync("main", "persisted", "module.exports = () => 'still here v2';", new { timeoutSeconds = 7 });
                id = (await before.InvokeAsync("main", "persisted")).Headers.GetValues("X-Granary-Invocation-Id").Single();
            }

            Assert.True(File.Exists(Path.Combine(data, "fndef", "default", "main", "persisted", "definition.json")));
            await using var after = await GranaryServer.StartAsync(data);

            var response = await after.InvokeAsync("main", "persisted");
            var definition = await after.GetJsonAsync(GranaryServer.FunctionPath("main", "persisted"));
            var list = await after.GetJsonAsync("/api/v1/tenants/default/workspaces/main/functions");
            var records = (await after.GetJsonAsync(GranaryServer.FunctionPath("main", "persisted") + "/invocations")).GetProperty("invocations");

            Assert.Equal("still here v2", await response.Content.ReadAsStringAsync());
            Assert.Equal(2, definition.GetProperty("version").GetInt32());
            Assert.Equal(7, definition.GetProperty("timeoutSeconds").GetInt32());
            Assert.Single(list.GetProperty("functions").EnumerateArray());
            Assert.Contains(records.EnumerateArray(), r => r.GetProperty("id").GetString() == id);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
