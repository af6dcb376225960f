using System.Net;
using System.Text.Json;
using Granary.Cluster.Tests.Infrastructure;

namespace Granary.Cluster.Tests;

/// <summary>
/// The cluster's backing services restarted under load (each test has its own Redis or PostgreSQL so that the
/// shared ones stay up), and the MySQL/MariaDB storage keeping functions across silo restarts.
/// </summary>
[Collection(ClusterProcesses.Name)]
public sealed class StorageFaultTests(RedisServer sharedRedis, PostgresServer sharedPostgres, MariaDbServer mariaDb)
{
    private const string Hello = "module.exports = async () => ({ hello: 'world' });";
    private static readonly string[] s_functions = ["a", "b", "c", "d"];

    [Fact]
    public async Task WhilePostgresIsDownActiveFunctionsKeepServingDeploymentsGet503AndNothingIsLost()
    {
        var output = TestContext.Current.TestOutputHelper!;
        await using var postgres = new PostgresServer();
        await postgres.StartAsync();
        await using var cluster = await GranaryCluster.StartAsync(sharedRedis, ClusterTests.Postgres(postgres.ConnectionString), silos: 2);
        var gateway = cluster.Http[0];
        await using var load = await DeployAndLoadAsync(gateway);
        await postgres.StopAsync();
        var downAt = load.Elapsed;

        // A new function and an update of an old one: both refused with a clear 503, nothing half-stored.
        using (var created = await GranaryCluster.PutAsync(gateway, "during", Hello))
        {
            await AssertStorageUnavailableAsync(created);
        }

        using (var updated = await GranaryCluster.PutAsync(gateway, "a", "module.exports = async () => ({ hello: 'changed' });"))
        {
            await AssertStorageUnavailableAsync(updated);
        }

        // The refused writes are counted on the silos that tried them (granary.storage.failures on their /metrics).
        var failures = 0.0;
        foreach (var silo in cluster.Silos)
        {
            using var metrics = GranaryProcess.AdminClient(silo.HttpUri, TimeSpan.FromSeconds(10));
            failures += (await metrics.GetStringAsync(new Uri("/metrics", UriKind.Relative)))
                .Split('\n')
                .Where(line => line.StartsWith("granary_storage_failures_total{", StringComparison.Ordinal) && line.Contains("granary_operation=\"write\"", StringComparison.Ordinal))
                .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.True(failures >= 1, $"{failures} storage write failures counted on the silos' /metrics");

        await Task.Delay(TimeSpan.FromSeconds(2));
        await postgres.StartAsync();
        var upAt = load.Elapsed;

        // Storage is back: the deployment succeeds (the pool may need a moment to replace its dead connections).
        await EventuallyAsync(async () =>
        {
            using var response = await GranaryCluster.PutAsync(gateway, "after", Hello);
            return response.IsSuccessStatusCode ? null : $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
        });
        await Task.Delay(TimeSpan.FromSeconds(1));
        var results = await load.StopAsync();

        var during = results.Where(r => r.Started >= downAt && r.Started < upAt).ToList();
        output.WriteLine($"{results.Count} invocations, {during.Count} while PostgreSQL was down, {results.Count(r => r.Status != 200)} failed");
        Assert.True(during.Count > 20, $"Only {during.Count} invocations ran while PostgreSQL was down");
        Assert.True(results.All(r => r.Status == 200), string.Join("\n", results.Where(r => r.Status != 200).Take(5)));

        // Nothing deployed before is lost and the refused update did not land: a new cluster on the same database
        // (another cluster id, so none of these silos' memory) reads it all back.
        await cluster.DisposeAsync();
        await using var fresh = await GranaryCluster.StartAsync(sharedRedis, ClusterTests.Postgres(postgres.ConnectionString), silos: 1);
        gateway = fresh.Http[0];
        foreach (var name in s_functions.Append("after"))
        {
            Assert.Equal("{\"hello\":\"world\"}", await EventuallyInvokeAsync(gateway, name));
        }

        using var missing = await gateway.PostAsync(new Uri("/fn/default/w/during", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task ARedisRestartUnderLoadFailsNoInvocationAndTheClusterKeepsItsMembers()
    {
        var output = TestContext.Current.TestOutputHelper!;
        await using var redis = new RedisServer();
        await redis.StartAsync();
        var database = await sharedPostgres.CreateDatabaseAsync("r" + Guid.NewGuid().ToString("N")[..16]);
        await using var cluster = await GranaryCluster.StartAsync(redis, ClusterTests.Postgres(database), silos: 3);
        var gateway = cluster.Http[0];
        await using var load = await DeployAndLoadAsync(gateway);
        await redis.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        await redis.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var results = await load.StopAsync();

        output.WriteLine($"{results.Count} invocations across the Redis restart, {results.Count(r => r.Status != 200)} failed");
        Assert.True(results.Count > 100, $"Only {results.Count} invocations");
        Assert.True(results.All(r => r.Status == 200), string.Join("\n", results.Where(r => r.Status != 200).Take(5)));

        // Membership survived: all three silos are still active, and deploying and invoking work.
        await GranaryCluster.WaitForSilosAsync(gateway, 3, TimeSpan.FromSeconds(20));
        await GranaryCluster.DeployAsync(gateway, "after", Hello);
        Assert.Equal("{\"hello\":\"world\"}", await EventuallyInvokeAsync(gateway, "after"));
    }

    [Fact]
    public async Task MySqlStorageKeepsFunctionsAcrossSiloRestarts()
    {
        var database = await mariaDb.CreateDatabaseAsync("m" + Guid.NewGuid().ToString("N")[..16]);
        var storage = new Dictionary<string, string>
        {
            ["Granary__Storage__Provider"] = "adonet",
            ["Granary__Storage__Database"] = "mysql",
            ["Granary__Storage__ConnectionString"] = database,
        };
        await using var cluster = await GranaryCluster.StartAsync(sharedRedis, storage, silos: 1);
        var gateway = cluster.Http[0];
        await GranaryCluster.DeployAsync(gateway, "kept", "module.exports = async () => ({ version: 1 });");
        await GranaryCluster.DeployAsync(gateway, "kept", "module.exports = async () => ({ version: 2 });");
        Assert.Equal("{\"version\":2}", await EventuallyInvokeAsync(gateway, "kept"));

        cluster.Silos[0].Kill();
        await cluster.RestartSiloAsync(0);
        await GranaryCluster.WaitForSilosAsync(gateway, 1);

        Assert.Equal("{\"version\":2}", await EventuallyInvokeAsync(gateway, "kept"));
        using var document = JsonDocument.Parse(await gateway.GetStringAsync(new Uri("/api/v1/tenants/default/workspaces/w/functions/kept", UriKind.Relative)));
        Assert.Equal(2, document.RootElement.GetProperty("version").GetInt32());
    }

    // Deploys the functions and keeps them under steady load for a second before the fault.
    private static async Task<SteadyLoad> DeployAndLoadAsync(HttpClient gateway)
    {
        foreach (var name in s_functions)
        {
            await GranaryCluster.DeployAsync(gateway, name, Hello);
        }

        var load = new SteadyLoad(gateway, s_functions, callers: 3);
        await Task.Delay(TimeSpan.FromSeconds(1));
        return load;
    }

    private static async Task AssertStorageUnavailableAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode} {body}");
        using var problem = JsonDocument.Parse(body);
        Assert.Equal("urn:granary:problem:storage-unavailable", problem.RootElement.GetProperty("type").GetString());
        Assert.Contains("storage", problem.RootElement.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    // After silos restart, the first call of a function may meet a gateway that has not yet dropped the dead silo.
    private static async Task<string> EventuallyInvokeAsync(HttpClient gateway, string name)
    {
        string? body = null;
        await EventuallyAsync(async () =>
        {
            using var response = await gateway.PostAsync(new Uri($"/fn/default/w/{name}", UriKind.Relative), null);
            body = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.OK ? null : $"{name}: {(int)response.StatusCode} {body}";
        });
        return body!;
    }

    private static async Task EventuallyAsync(Func<Task<string?>> attempt)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var failure = await attempt();
            if (failure is null)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Still failing after 20 s: {failure}");
            }

            await Task.Delay(250);
        }
    }
}
