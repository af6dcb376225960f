using System.Net;
using System.Text;
using System.Text.Json;
using Granary.Cluster.Tests.Infrastructure;

namespace Granary.Cluster.Tests;

/// <summary>
/// Function logs in a cluster of silo processes (Redis membership, PostgreSQL storage) behind two client-mode
/// gateways: a log followed through one gateway shows lines of calls made through the other, and the stored lines
/// outlive the kill of the silo that ran the function (and, placed beside its caller, its log).
/// </summary>
[Collection(ClusterProcesses.Name)]
public sealed class FunctionLogsClusterTests(RedisServer redis, PostgresServer postgres)
{
    private const string Logs = "/api/v1/tenants/default/workspaces/w/functions/logger/logs";

    [Fact]
    public async Task ALogFollowedThroughOneGatewayShowsLinesInvokedThroughAnotherAndKeepsThemPastASiloKill()
    {
        var cancelled = TestContext.Current.CancellationToken;
        var database = await postgres.CreateDatabaseAsync("c" + Guid.NewGuid().ToString("N")[..16]);
        await using var cluster = await GranaryCluster.StartAsync(redis, ClusterTests.Postgres(database), silos: 3, gateways: 2);
        var (first, second) = (cluster.Http[0], cluster.Http[1]);
        await GranaryCluster.DeployAsync(first, "logger", "module.exports = (e) => { console.log('line ' + e.n); return 'ok'; };");

        using var follow = await second.GetAsync(new Uri(Logs + "?follow=true", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cancelled);
        using var stream = new StreamReader(await follow.Content.ReadAsStreamAsync(cancelled));
        Assert.Equal(": following", await stream.ReadLineAsync(cancelled));

        // Calls through the first gateway until the follower on the second sees one (its wait may start after the first calls).
        var seen = NextMessageAsync(stream, cancelled);
        var calls = 0;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!seen.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The follower saw none of {calls} calls' lines within 30 s.");
            using var call = await first.PostAsync(new Uri("/fn/default/w/logger", UriKind.Relative), new StringContent($"{{\"n\":{++calls}}}", Encoding.UTF8, "application/json"), cancelled);
            Assert.Equal(HttpStatusCode.OK, call.StatusCode);
            await Task.WhenAny(seen, Task.Delay(500, cancelled));
        }

        Assert.StartsWith("line ", await seen, StringComparison.Ordinal);

        // Past the write-behind window, the silo that ran the function dies; the log is read from storage elsewhere.
        var victim = cluster.IndexOf(Assert.Single(await GranaryCluster.ActivationSilosAsync(first, "logger")));
        await Task.Delay(TimeSpan.FromSeconds(3), cancelled);
        cluster.Silos[victim].Kill();

        var expected = Enumerable.Range(1, calls).Reverse().Select(n => "line " + n).ToList();
        var lines = new List<string>();
        deadline = DateTime.UtcNow.AddSeconds(45);
        while (!lines.SequenceEqual(expected))
        {
            Assert.True(DateTime.UtcNow < deadline, $"After the kill of silo {victim} the log held [{string.Join(", ", lines)}], not the {calls} lines written.");
            await Task.Delay(500, cancelled);
            using var read = await second.GetAsync(new Uri(Logs, UriKind.Relative), cancelled);
            if (read.StatusCode == HttpStatusCode.OK)
            {
                using var body = JsonDocument.Parse(await read.Content.ReadAsStringAsync(cancelled));
                lines = [.. body.RootElement.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("message").GetString()!)];
            }
        }
    }

    private static async Task<string> NextMessageAsync(StreamReader stream, CancellationToken cancellationToken)
    {
        while (await stream.ReadLineAsync(cancellationToken) is { } text)
        {
            if (text.StartsWith("data: ", StringComparison.Ordinal))
            {
                using var line = JsonDocument.Parse(text["data: ".Length..]);
                return line.RootElement.GetProperty("message").GetString()!;
            }
        }

        throw new InvalidOperationException("The followed log ended.");
    }
}
