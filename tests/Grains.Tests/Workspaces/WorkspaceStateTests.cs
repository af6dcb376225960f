using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Functions;
using Granary.Storage;
using Granary.Workspaces;

namespace Granary.Grains.Tests.Workspaces;

/// <summary>
/// A workspace's two state records in the file storage the embedded host uses: the index (<c>workspace.json</c>) and the
/// cache (<c>cache.json</c>); a workspace stored with the cache inside its index moves it out with nothing lost; an
/// index change storage refuses leaves the workspace as it was.
/// </summary>
[Collection(ClusterGroup.Name)]
public sealed class WorkspaceStateTests(ClusterFixture fixture)
{
    private static string NewWorkspace() => "ws" + Guid.NewGuid().ToString("N")[..10];

    private static InvocationRequest Run(string snippet) => new()
    {
        Method = "POST",
        Path = "/run/" + snippet,
        Headers = [new HttpHeader("Content-Type", "application/json")],
        Body = Encoding.UTF8.GetBytes("{\"parameters\":{}}"),
    };

    private string RecordPath(string workspace, string state) => Path.Combine(fixture.DataPath, "workspace", ClusterFixture.Tenant, workspace, state + ".json");

    private async Task<(IWorkspaceGrain Grain, FunctionId Snippets)> StoreAsync(string workspace)
    {
        var grain = fixture.Client.GetWorkspace(ClusterFixture.Tenant, workspace);
        var stored = await grain.PutSnippetsAsync(new WorkspaceSnippets(
            """{ "count": { "code": "return await cache.incr('n', 5);" }, "read": { "code": "return [cache.n, cache.note];" } }""",
            ImmutableSortedDictionary<string, string>.Empty));
        Assert.True(stored.Status == 200, stored.ErrorJson);
        return (grain, new FunctionId(ClusterFixture.Tenant, workspace, WorkspaceSnippets.FunctionName));
    }

    [Fact]
    public async Task TheCacheIsARecordOfItsOwnBesideTheIndex()
    {
        var workspace = NewWorkspace();
        var (grain, snippets) = await StoreAsync(workspace);
        await fixture.Client.GetFunction(snippets).InvokeAsync(Run("count"));

        await fixture.Cluster.DeactivateAsync(grain);

        var index = JsonNode.Parse(await File.ReadAllTextAsync(RecordPath(workspace, "workspace")))!.AsObject();
        var cache = JsonNode.Parse(await File.ReadAllTextAsync(RecordPath(workspace, "cache")))!.AsObject();
        Assert.False(index.ContainsKey("cache"));
        Assert.True(index.ContainsKey("snippets"));
        Assert.Equal("""{"n":5}""", cache["entries"]!.ToJsonString());
    }

    [Fact]
    public async Task AWorkspaceStoredWithItsCacheInItsIndexKeepsItsCache()
    {
        var workspace = NewWorkspace();
        var (grain, snippets) = await StoreAsync(workspace);
        await fixture.Client.GetFunction(snippets).InvokeAsync(Run("count"));
        await fixture.Cluster.DeactivateAsync(grain);

        // The shape the workspace grain stored before the cache had a record: one document, the cache inside it.
        var index = JsonNode.Parse(await File.ReadAllTextAsync(RecordPath(workspace, "workspace")))!.AsObject();
        index["cache"] = JsonNode.Parse("""{ "n": 40, "note": "from before" }""");
        await File.WriteAllTextAsync(RecordPath(workspace, "workspace"), index.ToJsonString());
        File.Delete(RecordPath(workspace, "cache"));

        var read = await fixture.Client.GetFunction(snippets).InvokeAsync(Run("read"));
        var counted = await fixture.Client.GetFunction(snippets).InvokeAsync(Run("count"));

        Assert.Equal("""[40,"from before"]""", JsonDocument.Parse(read.BodyText).RootElement.GetProperty("result").GetRawText());
        Assert.Equal(45, JsonDocument.Parse(counted.BodyText).RootElement.GetProperty("result").GetInt32());
        Assert.NotNull(await grain.GetSnippetsAsync());

        // Moved, not copied: the index no longer holds it, and after another deactivation the cache record alone does.
        await fixture.Cluster.DeactivateAsync(grain);
        Assert.False(JsonNode.Parse(await File.ReadAllTextAsync(RecordPath(workspace, "workspace")))!.AsObject().ContainsKey("cache"));
        using var cache = JsonDocument.Parse(await grain.GetCacheAsync());
        Assert.Equal(45, cache.RootElement.GetProperty("n").GetInt32());
        Assert.Equal("from before", cache.RootElement.GetProperty("note").GetString());
    }

    [Fact]
    public async Task AnIndexChangeStorageRefusesLeavesTheWorkspaceAsItWas()
    {
        var workspace = NewWorkspace();
        var grain = fixture.Client.GetWorkspace(ClusterFixture.Tenant, workspace);
        await grain.AddFunctionAsync("kept");

        var id = GrainId.Create("workspace", $"{ClusterFixture.Tenant}/{workspace}");
        fixture.Faults.FailWritesOf(id);
        ImmutableArray<string> during;
        try
        {
            await Assert.ThrowsAsync<StorageUnavailableException>(() => grain.AddFunctionAsync("refused"));
            await Assert.ThrowsAsync<StorageUnavailableException>(() => grain.RemoveFunctionAsync("kept"));
            during = await grain.GetFunctionNamesAsync();
        }
        finally
        {
            fixture.Faults.Heal(id);
        }

        Assert.Equal(["kept"], during);
        await fixture.Cluster.DeactivateAsync(grain);
        Assert.Equal(["kept"], await grain.GetFunctionNamesAsync());
    }
}
