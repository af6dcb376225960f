using System.Net;
using System.Text.Json;
using Granary.Cluster.Tests.Infrastructure;

namespace Granary.Cluster.Tests;

/// <summary>
/// Three silo processes with Redis membership and PostgreSQL storage, client-mode gateways in front: placement,
/// deployments seen through every gateway, a silo killed under load, and a rolling restart under load.
/// </summary>
[Collection(ClusterProcesses.Name)]
public sealed class ClusterTests(RedisServer redis, PostgresServer postgres)
{
    // Sleeps a little so that calls are in flight when a silo dies.
    private const string Work = "module.exports = async () => { await new Promise(r => setTimeout(r, 20)); return { ok: true }; };";

    private static readonly string[] s_functions = [.. Enumerable.Range(1, 9).Select(i => $"f{i}")];

    [Fact]
    public async Task ActivationsSpreadOverTheSilosAndTheStatusApiNamesEachOnesSilo()
    {
        await using var cluster = await StartAsync();
        var gateway = cluster.Http[0];
        foreach (var name in s_functions)
        {
            await GranaryCluster.DeployAsync(gateway, name, Work);
            await CallOkAsync(gateway, name);
        }

        var hosts = new List<int>();
        foreach (var name in s_functions)
        {
            var silos = await GranaryCluster.ActivationSilosAsync(gateway, name);
            var silo = Assert.Single(silos);
            var index = cluster.IndexOf(silo);
            Assert.True(index >= 0, $"{name} is on {silo}, which is none of the cluster's silos (ports {string.Join(", ", cluster.SiloPorts)})");
            hosts.Add(index);
        }

        Assert.True(hosts.Distinct().Count() >= 2, $"All nine functions were placed on silo {hosts[0]}.");
    }

    // A call that must answer 200. A cluster that has just formed may answer 503 (retry) once, under load, while its
    // silos still learn each other (a CI run at load 28); this test's subject is where activations go, so it retries a
    // 503 for up to 10 s, and any other status, or a 503 that persists, fails with the body.
    private static async Task CallOkAsync(HttpClient gateway, string name)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            using var response = await gateway.PostAsync(new Uri($"/fn/default/w/{name}", UriKind.Relative), null);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline, $"{name} answered {(int)response.StatusCode}: {body}");
            TestContext.Current.TestOutputHelper?.WriteLine($"{name} answered 503, retried: {body}");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task AFunctionDeployedThroughOneGatewayIsInvocableThroughAnotherRightAfterAMissThereAndNoGatewayServesStaleCode()
    {
        await using var cluster = await StartAsync(gateways: 2);
        var (first, second) = (cluster.Http[0], cluster.Http[1]);

        // A name the second gateway has just refused is served by it on the very next call once deployed elsewhere.
        for (var miss = 0; miss < 3; miss++)
        {
            using var refused = await second.PostAsync(new Uri("/fn/default/w/counter", UriKind.Relative), null);
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }

        await GranaryCluster.DeployAsync(first, "counter", Version(1));
        Assert.Equal(1, await VersionThroughAsync(second, "counter"));

        // Each update is served by both gateways as soon as its PUT has answered, wherever the activation lives.
        for (var version = 2; version <= 8; version++)
        {
            var (writer, other) = version % 2 == 0 ? (second, first) : (first, second);
            await GranaryCluster.DeployAsync(writer, "counter", Version(version));
            Assert.Equal(version, await VersionThroughAsync(other, "counter"));
            Assert.Equal(version, await VersionThroughAsync(writer, "counter"));
        }

        static string Version(int version) => $"module.exports = async () => ({{ version: {version} }});";
    }

    [Fact]
    public async Task ASiloKilledUnderLoadFailsOnlyItsCallsInFlightWith503AndTheClusterRecovers()
    {
        var output = TestContext.Current.TestOutputHelper!;
        await using var cluster = await StartAsync();
        var gateway = cluster.Http[0];

        // One instance each: on a loaded machine a function kept busy by this load may scale out, and then it has no one
        // silo to be moved from.
        foreach (var name in s_functions)
        {
            await GranaryCluster.DeployAsync(gateway, name, Work, maxInstances: 1);
        }

        await using var load = new SteadyLoad(gateway, s_functions, callers: 6);
        await Task.Delay(TimeSpan.FromSeconds(3));

        // The victim is the silo that hosts the most activations, so that some calls are surely in flight on it.
        var placement = new Dictionary<string, int>();
        foreach (var name in s_functions)
        {
            placement[name] = cluster.IndexOf(await ActivationSiloAsync(gateway, name));
        }

        var victim = placement.Values.GroupBy(i => i).MaxBy(g => g.Count())!.Key;
        var moved = placement.Where(p => p.Value == victim).Select(p => p.Key).ToHashSet();
        var killedAt = load.Elapsed;
        cluster.Silos[victim].Kill();
        await Task.Delay(TimeSpan.FromSeconds(12));
        var results = await load.StopAsync();

        var failed = results.Where(r => r.Status != 200).ToList();
        var lastFailure = failed.Count > 0 ? failed.Max(r => r.Started + r.Duration) : killedAt;
        output.WriteLine($"{results.Count} requests, {failed.Count} failed; killed silo {victim} (hosting {string.Join(", ", moved)}) at {killedAt.TotalSeconds:F2} s; " +
            $"last failure answered {(lastFailure - killedAt).TotalSeconds:F2} s after the kill; slowest request {results.Max(r => r.Duration).TotalSeconds:F2} s");
        foreach (var failure in failed.Take(10))
        {
            output.WriteLine(failure.ToString());
        }

        if (failed.Any(r => r.Status != 503))
        {
            // What the gateway and the surviving silos logged explains a call that was not answered with a 503.
            output.WriteLine($"Gateway output:\n{cluster.Gateways[0].Output}");
            foreach (var silo in cluster.Silos.Where(s => !s.HasExited))
            {
                output.WriteLine($"{silo} output:\n{silo.Output}");
            }
        }

        // Calls in flight on the dead silo fail fast with a clear 503; nothing hangs.
        Assert.All(failed, r =>
        {
            Assert.Equal(503, r.Status);
            using var problem = JsonDocument.Parse(r.Body);
            Assert.StartsWith("urn:granary:problem:", problem.RootElement.GetProperty("type").GetString(), StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("detail").GetString()));
        });
        // A request answers within 10 s of its start, or of the kill when it was already waiting then (a cold start on a
        // loaded machine may still be running at the kill).
        Assert.All(results, r => Assert.True(r.Started + r.Duration - (r.Started > killedAt ? r.Started : killedAt) < TimeSpan.FromSeconds(10), $"A request hung: {r}"));
        Assert.All(failed, r => Assert.True(r.Started + r.Duration >= killedAt, $"A request failed before the kill: {r}"));

        // Once membership converged, every request succeeds, including those of the functions that lived on the dead silo.
        var converged = lastFailure + TimeSpan.FromMilliseconds(1);
        var after = results.Where(r => r.Started > converged).ToList();
        Assert.True(after.Count > 100, $"Only {after.Count} requests after convergence at {converged.TotalSeconds:F2} s");
        Assert.True(lastFailure - killedAt < TimeSpan.FromSeconds(10), $"Failures went on for {(lastFailure - killedAt).TotalSeconds:F2} s after the kill");
        Assert.Contains(after, r => moved.Contains(r.Function) && r.Status == 200);
        foreach (var name in moved)
        {
            var index = cluster.IndexOf(await ActivationSiloAsync(gateway, name));
            Assert.NotEqual(victim, index);
        }
    }

    [Fact]
    public async Task ARollingRestartUnderLoadLosesNoRequest()
    {
        var output = TestContext.Current.TestOutputHelper!;
        await using var cluster = await StartAsync();
        var gateway = cluster.Http[0];
        foreach (var name in s_functions)
        {
            await GranaryCluster.DeployAsync(gateway, name, Work);
        }

        await using var load = new SteadyLoad(gateway, s_functions, callers: 4);
        await Task.Delay(TimeSpan.FromSeconds(2));
        for (var i = 0; i < cluster.Silos.Count; i++)
        {
            Assert.Equal(0, await cluster.Silos[i].TerminateAsync(TimeSpan.FromSeconds(45)));
            await cluster.RestartSiloAsync(i);
            await GranaryCluster.WaitForSilosAsync(gateway, cluster.Silos.Count);
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        var results = await load.StopAsync();
        var failed = results.Where(r => r.Status != 200).ToList();
        output.WriteLine($"{results.Count} requests during the rolling restart, {failed.Count} failed; slowest {results.Max(r => r.Duration).TotalMilliseconds:F0} ms");
        Assert.True(results.Count > 200, $"Only {results.Count} requests were made");
        Assert.True(failed.Count == 0, $"{failed.Count} request(s) failed, the first: {string.Join("\n", failed.Take(5))}");
    }

    [Fact]
    public async Task AGatewayStartedBeforeAnySiloIsLiveAnswers503AndServesOnceASiloJoins()
    {
        var database = await postgres.CreateDatabaseAsync("g" + Guid.NewGuid().ToString("N")[..16]);
        var shared = new Dictionary<string, string>(Postgres(database))
        {
            ["Granary__Cluster__Clustering"] = "redis",
            ["Granary__Cluster__RedisConnectionString"] = redis.ConnectionString,
            ["Granary__Cluster__ClusterId"] = "early-" + Guid.NewGuid().ToString("N")[..12],
            ["Granary__Cluster__AdvertisedAddress"] = "127.0.0.1",
        };
        await using var gateway = await GranaryProcess.StartGatewayAsync(new Dictionary<string, string>(shared) { ["Granary__Gateway__Mode"] = "client" });
        using var http = GranaryProcess.AdminClient(gateway.HttpUri, TimeSpan.FromSeconds(30));

        // Live but not ready, and every API request gets a clear 503 rather than an error about unknown grains.
        await EventuallyOkAsync(http, "/healthz", gateway);
        using (var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }

        using (var early = await http.PostAsync(new Uri("/fn/default/w/f1", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, early.StatusCode);
            using var problem = JsonDocument.Parse(await early.Content.ReadAsStringAsync());
            Assert.Equal("urn:granary:problem:cluster-unavailable", problem.RootElement.GetProperty("type").GetString());
        }

        await using var silo = await GranaryProcess.StartSiloAsync(new Dictionary<string, string>(shared)
        {
            ["Granary__Cluster__SiloPort"] = Ports.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Granary__Cluster__GatewayPort"] = Ports.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await silo.WaitReadyAsync(TimeSpan.FromSeconds(60));
        await GranaryCluster.WaitForSilosAsync(http, 1);
        await GranaryCluster.DeployAsync(http, "f1", Work);
        using var served = await http.PostAsync(new Uri("/fn/default/w/f1", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    private static async Task EventuallyOkAsync(HttpClient http, string path, GranaryProcess process)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Assert.True(DateTime.UtcNow < deadline, $"{path} did not answer 200 in time. Output:\n{process.Output}");
            await Task.Delay(100);
        }
    }

    // The silo of a function's one activation, once it has reported itself (a loaded machine may take a moment).
    private static async Task<string> ActivationSiloAsync(HttpClient gateway, string name)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var silos = await GranaryCluster.ActivationSilosAsync(gateway, name);
            if (silos.Count > 0 || DateTime.UtcNow > deadline)
            {
                return Assert.Single(silos);
            }

            await Task.Delay(100);
        }
    }

    private async Task<GranaryCluster> StartAsync(int gateways = 1)
    {
        var database = await postgres.CreateDatabaseAsync("c" + Guid.NewGuid().ToString("N")[..16]);
        return await GranaryCluster.StartAsync(redis, Postgres(database), silos: 3, gateways: gateways);
    }

    internal static Dictionary<string, string> Postgres(string connectionString) => new()
    {
        ["Granary__Storage__Provider"] = "adonet",
        ["Granary__Storage__Database"] = "postgres",
        ["Granary__Storage__ConnectionString"] = connectionString,
    };

    private static async Task<int> VersionThroughAsync(HttpClient gateway, string name)
    {
        using var response = await gateway.PostAsync(new Uri($"/fn/default/w/{name}", UriKind.Relative), null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("version").GetInt32();
    }
}
