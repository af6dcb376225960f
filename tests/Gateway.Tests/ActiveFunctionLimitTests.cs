namespace Granary.Gateway.Tests;

/// <summary>
/// A silo keeps at most <c>Granary:Limits:MaxActiveFunctions</c> functions warm (the Custom Code service's
/// <c>FUNCTIONS_WORKERS_MAX_LRU</c>): one more activation deactivates the least recently used.
/// </summary>
public sealed class ActiveFunctionLimitTests
{
    [Fact]
    public async Task OneActivationTooManyDeactivatesTheLeastRecentlyUsedFunction()
    {
        await using var server = await GranaryServer.StartAsync(settings: new Dictionary<string, string?> { ["Granary:Limits:MaxActiveFunctions"] = "2" });
        var ws = GatewayFixture.Workspace();
        foreach (var name in new[] { "first", "second", "third" })
        {
            await server.DeployOkAsync(ws, name, $"module.exports = () => '{name}';");
        }

        await server.InvokeAsync(ws, "first");
        await server.InvokeAsync(ws, "second");
        await server.InvokeAsync(ws, "first");
        var third = await server.InvokeAsync(ws, "third");

        Assert.Equal("third", await third.Content.ReadAsStringAsync());
        await server.WaitForStateAsync(ws, "second", "idle");
        Assert.Equal("running", await server.StateAsync(ws, "first"));
        Assert.Equal("running", await server.StateAsync(ws, "third"));

        // An evicted function is only cold, never gone.
        Assert.Equal("second", await (await server.InvokeAsync(ws, "second")).Content.ReadAsStringAsync());
    }
}
