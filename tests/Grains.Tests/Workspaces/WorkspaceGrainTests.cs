using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Granary.Functions;
using Granary.Workspaces;
using Microsoft.Extensions.DependencyInjection;

namespace Granary.Grains.Tests.Workspaces;

/// <summary>
/// A workspace's snippets running on both silos of the cluster at once: the cache is one object, held by the
/// workspace grain, so atomic increments from every activation add up exactly and plain writes stay whole.
/// </summary>
[Collection(ClusterGroup.Name)]
public sealed class WorkspaceGrainTests(ClusterFixture fixture)
{
    private static string NewWorkspace() => "ws" + Guid.NewGuid().ToString("N")[..10];

    private static InvocationRequest Run(string function, string parameters = "{}") => new()
    {
        Method = "POST",
        Path = "/run/" + function,
        Headers = [new HttpHeader("Content-Type", "application/json")],
        Body = Encoding.UTF8.GetBytes($"{{\"parameters\":{parameters}}}"),
    };

    // The function grain prefers the silo of its caller: calling from each silo's own grain factory puts
    // shard n of the snippets on silo n, as two gateways co-hosted with two silos would.
    private IFunctionGrain OnSilo(int silo, FunctionId id) =>
        fixture.Cluster.Silos[silo].ServiceProvider.GetRequiredService<IGrainFactory>().GetFunction(id, shard: silo);

    private async Task<IWorkspaceGrain> StoreAsync(string workspace, string functionsJson)
    {
        var grain = fixture.Client.GetWorkspace("acme", workspace);
        var stored = await grain.PutSnippetsAsync(new WorkspaceSnippets(functionsJson, ImmutableSortedDictionary<string, string>.Empty));
        Assert.True(stored.Status == 200, stored.ErrorJson);
        return grain;
    }

    [Fact]
    public async Task TwoHundredConcurrentIncrementsFromTwoSilosEndAtExactlyTwoHundred()
    {
        var workspace = NewWorkspace();
        var grain = await StoreAsync(workspace, """
            {
              "incr": { "code": "cache['note' + (i % 7)] = i; return await cache.incr('hits');", "parameters": { "i": { "type": "integer" } } },
              "read": { "code": "return cache.hits;" }
            }
            """);
        var id = new FunctionId("acme", workspace, WorkspaceSnippets.FunctionName);

        // The first instance runs before the second is placed, as in a scale-out: placed at once, both could land on
        // one silo (the second's placement reads where the first is from the definition grain).
        await OnSilo(0, id).InvokeAsync(Run("read"));
        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => OnSilo(i % 2, id).InvokeAsync(Run("incr", $"{{\"i\":{i}}}"))));

        Assert.All(responses, r => Assert.True(r.StatusCode == 200, r.BodyText));
        var results = responses.Select(r => JsonDocument.Parse(r.BodyText).RootElement.GetProperty("result").GetInt32()).Order();
        Assert.Equal(Enumerable.Range(1, 200), results);
        var read = await OnSilo(1, id).InvokeAsync(Run("read"));
        Assert.Equal(200, JsonDocument.Parse(read.BodyText).RootElement.GetProperty("result").GetInt32());

        // The runs really were spread over both silos.
        var status = (await fixture.Client.GetFunctionDefinition(id).GetAsync())!.Status;
        Assert.Equal(2, status.Activations.Select(a => a.Silo).Distinct().Count());
        Assert.Equal([0, 1], status.Activations.Select(a => a.Shard).Order());

        // The plain writes beside the increments left whole values, key by key.
        using var cache = JsonDocument.Parse(await grain.GetCacheAsync());
        Assert.Equal(200, cache.RootElement.GetProperty("hits").GetInt32());
        foreach (var note in cache.RootElement.EnumerateObject().Where(p => p.Name.StartsWith("note", StringComparison.Ordinal)))
        {
            Assert.Equal(note.Name, "note" + (note.Value.GetInt32() % 7));
        }
    }

    [Fact]
    public async Task ARunSeesWhatARunOnTheOtherSiloWrote()
    {
        var workspace = NewWorkspace();
        await StoreAsync(workspace, """
            {
              "write": { "code": "cache.greeting = 'from ' + silo; return 1;", "parameters": { "silo": { "type": "string" } } },
              "read": { "code": "return cache.greeting;" }
            }
            """);
        var id = new FunctionId("acme", workspace, WorkspaceSnippets.FunctionName);

        await OnSilo(0, id).InvokeAsync(Run("write", "{\"silo\":\"zero\"}"));
        var read = await OnSilo(1, id).InvokeAsync(Run("read"));

        Assert.Equal("from zero", JsonDocument.Parse(read.BodyText).RootElement.GetProperty("result").GetString());
    }

    [Fact]
    public async Task TheCacheSurvivesDeactivationOfTheWorkspaceGrain()
    {
        var workspace = NewWorkspace();
        var grain = await StoreAsync(workspace, """{ "f": { "code": "return await cache.incr('n', 5);" } }""");
        var id = new FunctionId("acme", workspace, WorkspaceSnippets.FunctionName);
        await OnSilo(0, id).InvokeAsync(Run("f"));

        await fixture.Cluster.DeactivateAsync(grain);
        using var cache = JsonDocument.Parse(await grain.GetCacheAsync());

        Assert.Equal(5, cache.RootElement.GetProperty("n").GetInt32());
        Assert.True(File.Exists(Path.Combine(fixture.DataPath, "workspace", "acme", workspace, "workspace.json")));
    }

    [Fact]
    public async Task ChangesThatWouldOutgrowTheLimitAreRefusedWhole()
    {
        var grain = fixture.Client.GetWorkspace("acme", NewWorkspace());
        var small = ImmutableDictionary<string, string>.Empty.Add("a", "1");
        var huge = ImmutableDictionary<string, string>.Empty.Add("b", "2").Add("big", JsonSerializer.Serialize(new string('x', 2 * 1024 * 1024)));

        Assert.True(await grain.ApplyCacheChangesAsync(new CacheChanges(small, [])));
        Assert.False(await grain.ApplyCacheChangesAsync(new CacheChanges(huge, [])));

        Assert.Equal("{\"a\":1}", await grain.GetCacheAsync());
    }
}
