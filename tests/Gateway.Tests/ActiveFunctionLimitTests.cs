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
        var (server, ws) = await EvictTheLeastRecentlyUsedAsync(new Dictionary<string, string?> { ["Granary:Limits:MaxActiveFunctions"] = "2" });
        await using (server)
        {
            // An evicted function is only cold, never gone.
            Assert.Equal("second", await (await server.InvokeAsync(ws, "second")).Content.ReadAsStringAsync());
        }
    }

    // Three functions called first, second, first, third on a server whose limit holds two: the second is deactivated.
    private static async Task<(GranaryServer Server, string Workspace)> EvictTheLeastRecentlyUsedAsync(Dictionary<string, string?> settings)
    {
        var server = await GranaryServer.StartAsync(settings: settings);
        try
        {
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
            return (server, ws);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    // A hello function on a V8 runtime of its own costs about 2.4 MiB here (its isolate's heap after load, 1.6-1.8 MiB,
    // plus 0.75 MiB of native overhead): two fit in 6 MiB, three do not. (Functions sharing a runtime count a share of its
    // heap, so three would fit.)
    private static readonly Dictionary<string, string?> s_budget = new()
    {
        ["Granary:Limits:WarmMemoryBudgetMb"] = "6",
        ["Granary:JavaScript:FunctionsPerRuntime"] = "1",
    };

    [Fact]
    public async Task WarmFunctionsOverTheMemoryBudgetDeactivateTheLeastRecentlyUsed()
    {
        var (server, _) = await EvictTheLeastRecentlyUsedAsync(s_budget);
        await server.DisposeAsync();
    }

    [Fact]
    public async Task TheMemoryBudgetNeverEvictsAFunctionServingACall()
    {
        await using var server = await GranaryServer.StartAsync(settings: s_budget);
        var ws = GatewayFixture.Workspace();
        await server.DeployOkAsync(ws, "slow", "module.exports = async () => { await new Promise(r => setTimeout(r, 3000)); return 'slow'; };");
        foreach (var name in new[] { "a", "b" })
        {
            await server.DeployOkAsync(ws, name, $"module.exports = () => '{name}';");
        }

        // slow is the least recently used of the three from here on, but its call is still running.
        var slow = server.InvokeAsync(ws, "slow");
        await server.WaitForStateAsync(ws, "slow", "running");
        await server.InvokeAsync(ws, "a");
        await server.InvokeAsync(ws, "b");

        await server.WaitForStateAsync(ws, "a", "idle");
        Assert.Equal("slow", await (await slow).Content.ReadAsStringAsync());
        Assert.Equal("running", await server.StateAsync(ws, "slow"));
        Assert.Equal("running", await server.StateAsync(ws, "b"));
    }
}
