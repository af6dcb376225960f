using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Granary.Functions;
using Granary.Workspaces;

namespace Granary.Grains.Tests.Functions;

/// <summary>
/// A function grain's life in the cluster: it activates on its first call with the stored version, serves calls in
/// parallel while the definition grain answers reads, and the silo's sweep deactivates it once it has been idle for
/// its function's timeout (on the fixture's fake clock), never while a call runs.
/// </summary>
[Collection(ClusterGroup.Name)]
public sealed class FunctionGrainLifecycleTests(ClusterFixture fixture)
{
    private static FunctionId NewId() => new(ClusterFixture.Tenant, "lifecycle", "fn" + Guid.NewGuid().ToString("N")[..10]);

    private static FunctionSpec Spec(string code, int idleTimeoutSeconds = 300) =>
        new() { Runtime = FunctionRuntimes.NodeJs, Code = code, IdleTimeoutSeconds = idleTimeoutSeconds };

    private static InvocationRequest Run(string snippet) => new()
    {
        Method = "POST",
        Path = "/run/" + snippet,
        Headers = [new HttpHeader("Content-Type", "application/json")],
        Body = Encoding.UTF8.GetBytes("{\"parameters\":{}}"),
    };

    [Fact]
    public async Task AFunctionGrainActivatesOnItsFirstCallWithTheStoredVersion()
    {
        var id = NewId();
        var definition = fixture.Client.GetFunctionDefinition(id);
        await definition.DeployAsync(Spec("module.exports = () => 'v1';"));
        await definition.DeployAsync(Spec("module.exports = () => 'v2';"));
        Assert.False(await fixture.IsActiveAsync(id));

        var response = await fixture.Client.GetFunction(id).InvokeAsync(new InvocationRequest());

        Assert.Equal("v2", response.BodyText);
        Assert.True(await fixture.IsActiveAsync(id));
        var activation = Assert.Single((await definition.GetAsync())!.Status.Activations);
        Assert.Equal((FunctionState.Running, 2), (activation.State, activation.Version));
        var record = Assert.Single(await definition.GetInvocationsAsync(10));
        Assert.Equal((2, true), (record.Version, record.Cold));
    }

    [Fact]
    public async Task AFunctionGrainDeactivatesOnceIdleForItsTimeoutAndNotBefore()
    {
        var id = NewId();
        var definition = fixture.Client.GetFunctionDefinition(id);
        await definition.DeployAsync(Spec("module.exports = () => 'nap';", idleTimeoutSeconds: 5));
        await fixture.Client.GetFunction(id).InvokeAsync(new InvocationRequest());

        fixture.Clock.Advance(TimeSpan.FromSeconds(4.9));
        await fixture.SweepAsync();
        var warm = await fixture.Client.GetFunction(id).InvokeAsync(new InvocationRequest());
        fixture.Clock.Advance(TimeSpan.FromSeconds(5));
        await fixture.SweepAsync();
        await fixture.WaitUntilInactiveAsync(id);

        Assert.Equal("nap", warm.BodyText);
        Assert.Equal(FunctionStatus.Idle, (await definition.GetAsync())!.Status);

        // The second call found the first activation still there (not cold), and both records outlived it.
        var records = await definition.GetInvocationsAsync(10);
        Assert.Equal([false, true], records.Select(r => r.Cold));
    }

    [Fact]
    public async Task AFunctionGrainBusyPastItsIdleTimeoutStaysUntilItsCallEnds()
    {
        var (workspace, id) = await StoreHoldingSnippetAsync();
        var run = fixture.Client.GetFunction(id).InvokeAsync(Run("hold"));
        await WaitForCacheAsync(workspace, "started", 1);

        // The workspace's snippets idle out after an hour; two hours pass on the sweep's clock while the call runs.
        fixture.Clock.Advance(TimeSpan.FromHours(2));
        await fixture.SweepAsync();
        Assert.True(await fixture.IsActiveAsync(id));
        await workspace.IncrementCacheAsync("go", 1);
        var response = await run;
        var again = await fixture.Client.GetFunction(id).InvokeAsync(Run("hold"));

        Assert.Equal("released", Result(response));
        Assert.Equal("released", Result(again));
        Assert.Equal([false, true], (await fixture.Client.GetFunctionDefinition(id).GetInvocationsAsync(10)).Select(r => r.Cold));
    }

    [Fact]
    public async Task TheFunctionsStatusAndRecordsAnswerWhileOneOfItsCallsRuns()
    {
        var (workspace, id) = await StoreHoldingSnippetAsync();
        var definition = fixture.Client.GetFunctionDefinition(id);
        var run = fixture.Client.GetFunction(id).InvokeAsync(Run("hold"));
        await WaitForCacheAsync(workspace, "started", 1);

        // The records come from the running activation itself (a call into the function grain during its call).
        var info = await definition.GetAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var records = await definition.GetInvocationsAsync(10).WaitAsync(TimeSpan.FromSeconds(30));
        var runningMeanwhile = !run.IsCompleted;
        await workspace.IncrementCacheAsync("go", 1);
        var response = await run;

        Assert.True(runningMeanwhile);
        var activation = Assert.Single(info!.Status.Activations);
        Assert.Equal((FunctionState.Running, 1), (activation.State, activation.InFlight));
        Assert.Empty(records);
        Assert.Equal("released", Result(response));
    }

    [Fact]
    public async Task TwoCallsOfAFunctionWithMaxConcurrencyAboveOneRunAtOnce()
    {
        var (workspace, id) = await StoreHoldingSnippetAsync();
        Assert.True((await fixture.Client.GetFunctionDefinition(id).GetAsync())!.Definition.Spec.MaxConcurrency > 1);

        // Neither call can end before "go", so both have started only if they run at the same time.
        var runs = new[] { fixture.Client.GetFunction(id).InvokeAsync(Run("hold")), fixture.Client.GetFunction(id).InvokeAsync(Run("hold")) };
        await WaitForCacheAsync(workspace, "started", 2);
        await workspace.IncrementCacheAsync("go", 1);
        var responses = await Task.WhenAll(runs);

        Assert.All(responses, r => Assert.Equal("released", Result(r)));
    }

    // A workspace with one snippet that counts itself in and then waits until the test sets "go" in the cache.
    private async Task<(IWorkspaceGrain Workspace, FunctionId Id)> StoreHoldingSnippetAsync()
    {
        var name = "ws" + Guid.NewGuid().ToString("N")[..10];
        var workspace = fixture.Client.GetWorkspace(ClusterFixture.Tenant, name);
        var stored = await workspace.PutSnippetsAsync(new WorkspaceSnippets(
            """{ "hold": { "code": "await cache.incr('started'); while ((await cache.incr('go', 0)) < 1) { await new Promise(r => setTimeout(r, 5)); } return 'released';" } }""",
            ImmutableSortedDictionary<string, string>.Empty));
        Assert.True(stored.Status == 200, stored.ErrorJson);
        return (workspace, new FunctionId(ClusterFixture.Tenant, name, WorkspaceSnippets.FunctionName));
    }

    private static async Task WaitForCacheAsync(IWorkspaceGrain workspace, string key, int value)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var cache = JsonDocument.Parse(await workspace.GetCacheAsync());
            var current = cache.RootElement.TryGetProperty(key, out var number) ? number.GetInt32() : 0;
            if (current >= value)
            {
                Assert.Equal(value, current);
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The cache's '{key}' reached {current}, not {value}, within 30 s.");
            await Task.Delay(10);
        }
    }

    private static string Result(InvocationResponse response)
    {
        Assert.True(response.StatusCode == 200, response.BodyText);
        return JsonDocument.Parse(response.BodyText).RootElement.GetProperty("result").GetString()!;
    }
}
