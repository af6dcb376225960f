using System.Text.Json.Nodes;

namespace Granary.Gateway.Tests.CustomCode;

/// <summary>
/// A workspace's functions and cache are in file storage, so a restarted host carries on where it stopped, including
/// a host whose data directory was written when the cache was kept inside the workspace's index record.
/// </summary>
public sealed class CustomCodeRestartTests
{
    private static readonly JsonObject s_functions = new()
    {
        ["funcA"] = CustomCodeCalls.Snippet("let counter = cache['counter']\ncounter = (counter || 0) + 1\ncache['counter'] = counter;\nreturn counter;"),
        ["hits"] = CustomCodeCalls.Snippet("return await cache.incr('hits');"),
    };

    [Fact]
    public async Task FunctionsAndCacheSurviveAHostRestart()
    {
        var data = Directory.CreateTempSubdirectory("granary-restart-").FullName;
        var ws = CustomCodeFixture.Workspace();
        try
        {
            await RunBeforeTheRestartAsync(data, ws);

            await using var after = await GranaryServer.StartAsync(data);
            var stored = await after.GetJsonAsync($"/v2/functions/{ws}");

            Assert.True(JsonNode.DeepEquals(s_functions, JsonNode.Parse(stored.GetProperty("functions").GetRawText())), stored.GetRawText());
            Assert.Equal(3, (await after.ResultAsync(ws, "funcA")).GetInt32());
            Assert.Equal(2, (await after.ResultAsync(ws, "hits")).GetInt32());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task ACacheStoredInsideTheWorkspaceIndexIsThereAfterTheUpgrade()
    {
        var data = Directory.CreateTempSubdirectory("granary-restart-").FullName;
        var ws = CustomCodeFixture.Workspace();
        try
        {
            await RunBeforeTheRestartAsync(data, ws);

            // The shape earlier versions stored: one workspace.json with the cache inside it, and no cache.json.
            var directory = Path.GetDirectoryName(Directory.GetFiles(data, "workspace.json", SearchOption.AllDirectories).Single(f => f.Contains(ws, StringComparison.Ordinal)))!;
            var index = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "workspace.json")))!.AsObject();
            index["cache"] = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "cache.json")))!["entries"]!.DeepClone();
            await File.WriteAllTextAsync(Path.Combine(directory, "workspace.json"), index.ToJsonString());
            File.Delete(Path.Combine(directory, "cache.json"));

            await using var after = await GranaryServer.StartAsync(data);

            Assert.Equal(3, (await after.ResultAsync(ws, "funcA")).GetInt32());
            Assert.Equal(2, (await after.ResultAsync(ws, "hits")).GetInt32());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    // Stores the workspace on a host over the data directory, runs funcA twice and hits once, and stops the host.
    private static async Task RunBeforeTheRestartAsync(string data, string ws)
    {
        await using var before = await GranaryServer.StartAsync(data);
        await before.PutWorkspaceOkAsync(ws, (JsonObject)s_functions.DeepClone());
        await before.ResultAsync(ws, "funcA");
        await before.ResultAsync(ws, "funcA");
        await before.ResultAsync(ws, "hits");
    }
}
