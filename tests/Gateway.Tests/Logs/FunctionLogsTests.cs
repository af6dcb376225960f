using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Functions;
using Granary.Gateway.Tests.Access;
using Granary.Gateway.Tests.CustomCode;
using Granary.Logs;

namespace Granary.Gateway.Tests.Logs;

/// <summary>
/// A function's logs through the real gateway: searched (text, level, time, limit; newest first), followed live as
/// Server-Sent Events until the client goes, cut per invocation, kept across a restart, readable only in the
/// function's tenant, and the same for a Custom Code workspace.
/// </summary>
public sealed class FunctionLogsTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string Stepper = "module.exports = (e) => { console.log('step ' + e.n); if (e.n % 2) { console.warn('Odd ' + e.n); } return 'ok'; };";

    private GranaryServer Server => fixture.Server;

    private static CancellationToken Cancelled => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SearchFiltersByTextLevelTimeAndLimitNewestFirst()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "stepper", Stepper);
        var invocations = new List<string>();
        for (var n = 1; n <= 4; n++)
        {
            invocations.Add(await InvokeAsync(Server, ws, "stepper", n));
        }

        var all = await EventuallyLinesAsync(Server, ws, "stepper", "", 6);

        Assert.Equal(["step 4", "Odd 3", "step 3", "step 2", "Odd 1", "step 1"], all.Select(l => l.Message));
        Assert.Equal([.. all.Select(l => l.Sequence).OrderDescending()], all.Select(l => l.Sequence));
        Assert.Equal(invocations[3], all[0].InvocationId);
        Assert.All(all, l => Assert.Equal(1, l.Version));
        Assert.All(all, l => Assert.False(string.IsNullOrEmpty(l.Silo)));
        Assert.Equal(["log", "warn", "log"], all.Take(3).Select(l => l.Level));

        Assert.Equal(["Odd 3", "Odd 1"], (await LinesAsync(Server, ws, "stepper", "?q=oDD")).Select(l => l.Message));
        Assert.Equal(["Odd 3", "Odd 1"], (await LinesAsync(Server, ws, "stepper", "?level=warn")).Select(l => l.Message));
        Assert.Equal(["step 4", "Odd 3"], (await LinesAsync(Server, ws, "stepper", "?limit=2")).Select(l => l.Message));
        Assert.Equal(["Odd 3"], (await LinesAsync(Server, ws, "stepper", "?q=odd&level=warn&limit=1")).Select(l => l.Message));

        var (since, until) = (all[3].Timestamp, all[0].Timestamp);
        var window = await LinesAsync(Server, ws, "stepper", $"?since={Uri.EscapeDataString(since.ToString("O"))}&until={Uri.EscapeDataString(until.ToString("O"))}");
        Assert.Equal(all.Where(l => l.Timestamp >= since && l.Timestamp < until).Select(l => l.Sequence), window.Select(l => l.Sequence));
        Assert.Contains(window, l => l.Message == "step 2");
    }

    [Fact]
    public async Task AFollowerGetsNewLinesAndStopsWaitingWhenItGoes()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "stepper", Stepper);
        var log = Server.Grains.GetFunctionLog(new FunctionId("default", ws, "stepper"));
        using var follow = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Get, GranaryServer.FunctionPath(ws, "stepper") + "/logs?follow=true&level=warn");
        using var response = await Server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Cancelled);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var stream = new StreamReader(await response.Content.ReadAsStreamAsync(Cancelled));
        Assert.Equal(": following", await stream.ReadLineAsync(Cancelled));
        await AccessCalls.EventuallyAsync(async () => (await log.GetStatsAsync()).Followers == 1, "the follower's wait at the log grain");

        await InvokeAsync(Server, ws, "stepper", 2);
        var invocation = await InvokeAsync(Server, ws, "stepper", 7);
        var line = await NextEventAsync(stream);

        Assert.Equal("Odd 7", line.Message);
        Assert.Equal("warn", line.Level);
        Assert.Equal(invocation, line.InvocationId);
        Assert.Equal(1, line.Version);

        response.Dispose();
        await AccessCalls.EventuallyAsync(async () => (await log.GetStatsAsync()).Followers == 0, "the end of the follower's wait after it went away");
    }

    [Fact]
    public async Task AFunctionThatLogsAMegabyteIsCutWithAMarker()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "loud", "module.exports = () => { for (let i = 0; i < 100; i++) { console.log('x'.repeat(10240)); } return 'ok'; };");
        var invocation = await InvokeAsync(Server, ws, "loud", 0);

        var lines = await EventuallyLinesAsync(Server, ws, "loud", "", 3);
        var cap = new FunctionLogOptions().MaxBytesPerInvocation;

        Assert.Equal(3, lines.Count);
        Assert.All(lines, l => Assert.Equal(invocation, l.InvocationId));
        Assert.Equal(new string('x', 10240), lines[2].Message);
        Assert.Equal(new string('x', cap - 10240), lines[1].Message);
        Assert.Equal("warn", lines[0].Level);
        Assert.StartsWith($"[granary] log truncated: {(100 * 10240) - cap} bytes in 99 line(s) not kept", lines[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherTenantsKeyCannotReadOrFollow()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "stepper", Stepper);
        var other = "t" + Guid.NewGuid().ToString("N")[..10];
        await Server.CreateTenantAsync(other);
        var (_, key) = await Server.CreateKeyAsync(other, "developer");
        var path = GranaryServer.FunctionPath(ws, "stepper");

        var invocations = await Server.SendAsync(key, HttpMethod.Get, path + "/invocations");
        var read = await Server.SendAsync(key, HttpMethod.Get, path + "/logs");
        var follow = await Server.SendAsync(key, HttpMethod.Get, path + "/logs?follow=true");
        var anonymous = await Server.SendAsync(null, HttpMethod.Get, path + "/logs");

        Assert.Equal(HttpStatusCode.Forbidden, invocations.StatusCode);
        Assert.Equal(invocations.StatusCode, read.StatusCode);
        await AccessCalls.ProblemAsync(follow, 403, "forbidden");
        await AccessCalls.UnauthorizedAsync(anonymous);
    }

    [Theory]
    [InlineData("since=yesterday")]
    [InlineData("until=2026-13-01T00:00:00Z")]
    [InlineData("since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z")]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    [InlineData("limit=ten")]
    [InlineData("level=verbose")]
    [InlineData("follow=maybe")]
    [InlineData("limit=1&limit=2")]
    public async Task ABadQueryIsA400Problem(string query)
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "stepper", Stepper);

        var response = await Server.Http.GetAsync(GranaryServer.FunctionPath(ws, "stepper") + "/logs?" + query, Cancelled);

        await AccessCalls.ProblemAsync(response, 400, "invalid-log-query");
    }

    [Fact]
    public async Task TheLogsOfAnUnknownFunctionAreA404()
    {
        var response = await Server.Http.GetAsync(GranaryServer.FunctionPath(GatewayFixture.Workspace(), "nothing") + "/logs", Cancelled);

        await AccessCalls.ProblemAsync(response, 404, "function-not-found");
    }

    [Fact]
    public async Task AWorkspacesSnippetLinesAreReadAndFollowedThroughTheCustomCodeApi()
    {
        var ws = "Ws" + Guid.NewGuid().ToString("N")[..10];
        await Server.PutWorkspaceOkAsync(ws, new JsonObject
        {
            ["hello"] = CustomCodeCalls.Snippet("console.log('hello ' + name); return await other();", ("name", "string")),
            ["other"] = CustomCodeCalls.Snippet("console.warn('from other'); return 1;"),
        });

        var (status, run) = await Server.RunJsonAsync(ws, "hello", new { name = "logs" });
        var lines = await EventuallyAsync(() => WorkspaceLinesAsync(ws, ""), 2);

        Assert.Equal(200, status);
        Assert.Equal(["hello logs", "from other"], run.GetProperty("logs").EnumerateArray().Select(l => l.GetProperty("message").GetString()));
        Assert.Equal(["from other", "hello logs"], lines.Select(l => l.Message));
        Assert.All(lines, l => Assert.Equal("hello", l.Function));
        Assert.Equal(["from other"], (await WorkspaceLinesAsync(ws, "?level=warn")).Select(l => l.Message));

        using var response = await Server.Http.GetAsync($"/v2/functions/{ws}/logs?follow=true", HttpCompletionOption.ResponseHeadersRead, Cancelled);
        using var stream = new StreamReader(await response.Content.ReadAsStreamAsync(Cancelled));
        Assert.Equal(": following", await stream.ReadLineAsync(Cancelled));
        var log = Server.Grains.GetWorkspaceLog("default", ws);
        await AccessCalls.EventuallyAsync(async () => (await log.GetStatsAsync()).Followers == 1, "the follower's wait at the workspace's log");
        await Server.RunJsonAsync(ws, "other");
        var next = await NextEventAsync(stream);
        Assert.Equal(("from other", "other"), (next.Message, next.Function));

        var missing = await Server.Http.GetAsync("/v2/functions/NoSuchWorkspace/logs", Cancelled);
        var badQuery = await Server.Http.GetAsync($"/v2/functions/{ws}/logs?limit=0", Cancelled);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("ObjectNotFoundError", JsonDocument.Parse(await missing.Content.ReadAsStringAsync(Cancelled)).RootElement.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, badQuery.StatusCode);
        Assert.Equal("RequestValidationError", JsonDocument.Parse(await badQuery.Content.ReadAsStringAsync(Cancelled)).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task LinesSurviveARestartOverTheSameData()
    {
        var data = Directory.CreateTempSubdirectory("granary-logs-").FullName;
        var ws = GatewayFixture.Workspace();
        try
        {
            await using (var before = await GranaryServer.StartAsync(data))
            {
                await before.DeployOkAsync(ws, "stepper", Stepper);
                await InvokeAsync(before, ws, "stepper", 1);
                await InvokeAsync(before, ws, "stepper", 2);
            }

            await using var after = await GranaryServer.StartAsync(data);
            var lines = await LinesAsync(after, ws, "stepper", "");

            Assert.Equal(["step 2", "Odd 1", "step 1"], lines.Select(l => l.Message));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<string> InvokeAsync(GranaryServer server, string ws, string name, int n)
    {
        var response = await server.InvokeAsync(ws, name, $"{{\"n\":{n}}}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("X-Granary-Invocation-Id").Single();
    }

    private static async Task<List<Line>> LinesAsync(GranaryServer server, string ws, string name, string query) =>
        Read(await server.GetJsonAsync(GranaryServer.FunctionPath(ws, name) + "/logs" + query));

    private async Task<List<Line>> WorkspaceLinesAsync(string ws, string query) =>
        Read(await Server.GetJsonAsync($"/v2/functions/{ws}/logs{query}"));

    // Lines reach the store within the silo's shipping delay (a quarter of a second): poll until they are all there.
    private static Task<List<Line>> EventuallyLinesAsync(GranaryServer server, string ws, string name, string query, int count) =>
        EventuallyAsync(() => LinesAsync(server, ws, name, query), count);

    private static async Task<List<Line>> EventuallyAsync(Func<Task<List<Line>>> read, int count)
    {
        var lines = new List<Line>();
        await AccessCalls.EventuallyAsync(async () => (lines = await read()).Count >= count, $"{count} log lines");
        return lines;
    }

    private static List<Line> Read(JsonElement body) =>
        [.. body.GetProperty("lines").EnumerateArray().Select(l => l.Deserialize<Line>(JsonSerializerOptions.Web)!)];

    // The next data event of a followed log (comments are skipped).
    private static async Task<Line> NextEventAsync(StreamReader stream)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Cancelled);
        deadline.CancelAfter(TimeSpan.FromSeconds(15));
        while (await stream.ReadLineAsync(deadline.Token) is { } text)
        {
            if (text.StartsWith("data: ", StringComparison.Ordinal))
            {
                return JsonSerializer.Deserialize<Line>(text["data: ".Length..], JsonSerializerOptions.Web)!;
            }
        }

        throw new InvalidOperationException("The followed log ended.");
    }

    private sealed record Line(long Sequence, DateTimeOffset Timestamp, string Level, string Message, string InvocationId, int Version, string Silo, string? Function);
}
