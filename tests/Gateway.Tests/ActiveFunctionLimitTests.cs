namespace Granary.Gateway.Tests;

/// <summary>
/// A silo keeps at most <c>Granary:Limits:MaxActiveFunctions</c> functions warm (the Custom Code service's
/// <c>FUNCTIONS_WORKERS_MAX_LRU</c>): one more activation deactivates the least recently used. Likewise by memory: when
/// the warm functions' isolates take more than <c>Granary:Limits:WarmMemoryBudgetMb</c>, the least recently used that
/// serves no call is deactivated.
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

    // About 24 MiB of V8 heap per function (3 million doubles), held at module scope: three such functions do not fit
    // in a budget of 64 MiB, two do.
    private const string BigModule = "const big = new Array(3_000_000).fill(0.5);\n";
    private static readonly Dictionary<string, string?> s_budget = new() { ["Granary:Limits:WarmMemoryBudgetMb"] = "64" };

    [Fact]
    public async Task WarmFunctionsOverTheMemoryBudgetDeactivateTheLeastRecentlyUsed()
    {
        await using var server = await GranaryServer.StartAsync(settings: s_budget);
        var ws = GatewayFixture.Workspace();
        foreach (var name in new[] { "first", "second", "third" })
        {
            await server.DeployOkAsync(ws, name, BigModule + $"module.exports = () => '{name}' + big.length;");
        }

        await server.InvokeAsync(ws, "first");
        await server.InvokeAsync(ws, "second");
        await server.InvokeAsync(ws, "first");
        var third = await server.InvokeAsync(ws, "third");

        Assert.Equal("third3000000", await third.Content.ReadAsStringAsync());
        await server.WaitForStateAsync(ws, "second", "idle");
        Assert.Equal("running", await server.StateAsync(ws, "first"));
        Assert.Equal("running", await server.StateAsync(ws, "third"));
    }

    [Fact]
    public async Task TheMemoryBudgetNeverEvictsAFunctionServingACall()
    {
        await using var server = await GranaryServer.StartAsync(settings: s_budget);
        var ws = GatewayFixture.Workspace();
        await server.DeployOkAsync(ws, "slow", BigModule + "module.exports = async () => { await new Promise(r => setTimeout(r, 3000)); return 'slow' + big.length; };");
        foreach (var name in new[] { "a", "b" })
        {
            await server.DeployOkAsync(ws, name, BigModule + $"module.exports = () => '{name}' + big.length;");
        }

        // slow is the least recently used of the three from here on, but its call is still running.
        var slow = server.InvokeAsync(ws, "slow");
        await server.WaitForStateAsync(ws, "slow", "running");
        await server.InvokeAsync(ws, "a");
        await server.InvokeAsync(ws, "b");

        await server.WaitForStateAsync(ws, "a", "idle");
        Assert.Equal("slow3000000", await (await slow).Content.ReadAsStringAsync());
        Assert.Equal("running", await server.StateAsync(ws, "slow"));
        Assert.Equal("running", await server.StateAsync(ws, "b"));
    }
}
