using System.Text.Json.Nodes;

namespace Granary.Gateway.Tests.CustomCode;

/// <summary>A workspace's functions and cache are in file storage, so a restarted host carries on where it stopped.</summary>
public sealed class CustomCodeRestartTests
{
    [Fact]
    public async Task FunctionsAndCacheSurviveAHostRestart()
    {
        var data = Directory.CreateTempSubdirectory("granary-restart-").FullName;
        var ws = CustomCodeFixture.Workspace();
        var functions = new JsonObject
        {
            ["funcA"] = CustomCodeCalls.Snippet("let counter = cache['counter']\ncounter = (counter || 0) + 1\ncache['counter'] = counter;\nreturn counter;"),
            ["hits"] = CustomCodeCalls.Snippet("return await cache.incr('hits');"),
        };
        try
        {
            await using (var before = await GranaryServer.StartAsync(data))
            {
                await before.PutWorkspaceOkAsync(ws, (JsonObject)functions.DeepClone());
                await before.ResultAsync(ws, "funcA");
                await before.ResultAsync(ws, "funcA");
                await before.ResultAsync(ws, "hits");
            }

            await using var after = await GranaryServer.StartAsync(data);
            var stored = await after.GetJsonAsync($"/v2/functions/{ws}");

            Assert.True(JsonNode.DeepEquals(functions, JsonNode.Parse(stored.GetProperty("functions").GetRawText())), stored.GetRawText());
            Assert.Equal(3, (await after.ResultAsync(ws, "funcA")).GetInt32());
            Assert.Equal(2, (await after.ResultAsync(ws, "hits")).GetInt32());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
