using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Granary.Cluster.Tests.Infrastructure;
using Npgsql;

namespace Granary.Cluster.Tests;

/// <summary>
/// Tenancy across real processes: a key revoked through one gateway stops working on another, secrets are encrypted
/// in PostgreSQL, a tenant's invocation rate holds across gateways (one token bucket for the cluster), and so does its
/// concurrency quota across silos (slots leased from the tenant grain).
/// </summary>
[Collection(ClusterProcesses.Name)]
public sealed class TenancyClusterTests(RedisServer redis, PostgresServer postgres)
{
    private static readonly string[] s_secrets = ["DB_PASSWORD"];

    // Holds its invocation for event.ms and says when it ran (all processes share the machine's clock).
    private const string Sleeper = "module.exports = async (event) => { const start = Date.now(); await new Promise(r => setTimeout(r, event.ms || 0)); return { start, end: Date.now() }; };";

    [Fact]
    public async Task AKeyRevokedThroughOneGatewayStopsWorkingOnTheOtherWithinTwoRefreshPeriods()
    {
        // A short refresh period so the bound (twice the period, plus a grain call) is well under the 2 s the API promises.
        await using var cluster = await StartAsync(gateways: 2, ("Granary__Auth__RefreshMs", "200"));
        var (first, second) = (cluster.Http[0], cluster.Http[1]);
        var tenant = "t" + Guid.NewGuid().ToString("N")[..10];
        await SendOkAsync(first, HttpMethod.Put, $"/api/v1/tenants/{tenant}", new { });
        var key = JsonDocument.Parse(await SendOkAsync(first, HttpMethod.Post, $"/api/v1/tenants/{tenant}/keys", new { role = "owner", name = "ops" })).RootElement;
        using var owner = new HttpClient { BaseAddress = second.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        owner.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.GetProperty("key").GetString());
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync(new Uri($"/api/v1/tenants/{tenant}", UriKind.Relative))).StatusCode);

        using (var revoke = await first.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}/keys/{key.GetProperty("id").GetString()}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        var revoked = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            using var response = await owner.GetAsync(new Uri($"/api/v1/tenants/{tenant}", UriKind.Relative));
            status = response.StatusCode;
        }
        while (status != HttpStatusCode.Unauthorized && revoked.Elapsed < TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.True(revoked.Elapsed < TimeSpan.FromSeconds(2), $"The revoked key kept working on the other gateway for {revoked.Elapsed.TotalMilliseconds:F0} ms.");
    }

    [Fact]
    public async Task ASecretIsEncryptedInPostgreSqlAndStillReachesTheFunctionAfterTheSiloRestarts()
    {
        var database = await postgres.CreateDatabaseAsync("s" + Guid.NewGuid().ToString("N")[..16]);
        await using var cluster = await GranaryCluster.StartAsync(redis, ClusterTests.Postgres(database), silos: 1, gateways: 1);
        var gateway = cluster.Http[0];
        const string value = "hunter2-in-postgres";
        await SendOkAsync(gateway, HttpMethod.Put, "/api/v1/tenants/default/secrets/DB_PASSWORD", new { value });
        await SendOkAsync(gateway, HttpMethod.Put, "/api/v1/tenants/default/workspaces/w/functions/reader", new
        {
            runtime = "nodejs",
            code = "module.exports = async () => process.env.DB_PASSWORD;",
            secrets = s_secrets,
        });
        Assert.Equal(value, await SendOkAsync(gateway, HttpMethod.Post, "/fn/default/w/reader", null));

        var stored = await DumpAsync(database);
        Assert.Contains("DB_PASSWORD", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(value, stored, StringComparison.Ordinal);

        // A new silo process reads the secret back from the database with the configured master key.
        cluster.Silos[0].Kill();
        await cluster.RestartSiloAsync(0);
        await GranaryCluster.WaitForSilosAsync(gateway, 1);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string? last = null;
        while (last != value && DateTime.UtcNow < deadline)
        {
            using var response = await gateway.PostAsync(new Uri("/fn/default/w/reader", UriKind.Relative), null);
            last = await response.Content.ReadAsStringAsync();
            await Task.Delay(200);
        }

        Assert.Equal(value, last);
    }

    [Fact]
    public async Task ATenantsInvocationRateHoldsAcrossGateways()
    {
        await using var cluster = await StartAsync(gateways: 2);
        var tenant = "r" + Guid.NewGuid().ToString("N")[..10];
        const int rate = 20;
        await SendOkAsync(cluster.Http[0], HttpMethod.Put, $"/api/v1/tenants/{tenant}", new { quotas = new { invocationsPerSecond = rate } });
        await SendOkAsync(cluster.Http[0], HttpMethod.Put, $"/api/v1/tenants/{tenant}/workspaces/w/functions/hello", new { runtime = "nodejs", code = "module.exports = async () => 'hi';" });

        var duration = TimeSpan.FromSeconds(3);
        var clock = Stopwatch.StartNew();
        var outcomes = await Task.WhenAll(cluster.Http.SelectMany(http => Enumerable.Range(0, 3).Select(_ => CallUntilAsync(http, $"/fn/{tenant}/w/hello", duration))));
        var elapsed = clock.Elapsed;
        var ok = outcomes.Sum(o => o.Ok);
        var throttled = outcomes.SelectMany(o => o.Throttled).ToList();

        // One second's worth of burst plus the rate over the run, across both gateways together.
        var allowed = rate + (rate * elapsed.TotalSeconds);
        Assert.True(ok <= allowed, $"{ok} invocations succeeded in {elapsed.TotalSeconds:F1} s; the tenant's rate allows {allowed:F0}.");
        Assert.True(ok >= rate, $"Only {ok} invocations succeeded in {elapsed.TotalSeconds:F1} s at a rate of {rate}/s.");
        Assert.NotEmpty(throttled);
        Assert.All(throttled, t =>
        {
            Assert.True(t.RetryAfter >= 1, "A 429 without Retry-After.");
            Assert.Equal("invocationsPerSecond", t.Quota);
        });
    }

    [Fact]
    public async Task ATenantsConcurrencyQuotaHoldsAcrossSilosAndGateways()
    {
        const int quota = 4;
        await using var cluster = await StartAsync(gateways: 2, silos: 3);
        var admin = cluster.Http[0];
        var tenant = "q" + Guid.NewGuid().ToString("N")[..10];
        await SendOkAsync(admin, HttpMethod.Put, $"/api/v1/tenants/{tenant}", new { quotas = new { maxConcurrentInvocations = quota } });

        // Functions land on the silos at random (as in ClusterTests); two functions on two different silos are wanted.
        var bySilo = new Dictionary<int, string>();
        var seen = new List<string>();
        for (var i = 0; i < 10 && bySilo.Count < 2; i++)
        {
            var name = $"sleeper{i}";
            await SendOkAsync(admin, HttpMethod.Put, $"/api/v1/tenants/{tenant}/workspaces/w/functions/{name}", new { runtime = "nodejs", code = Sleeper });
            await SendOkAsync(admin, HttpMethod.Post, $"/fn/{tenant}/w/{name}", new { ms = 0 });
            using var status = JsonDocument.Parse(await admin.GetStringAsync(new Uri($"/api/v1/tenants/{tenant}/workspaces/w/functions/{name}", UriKind.Relative)));
            var silo = status.RootElement.GetProperty("status").GetProperty("instances").EnumerateArray().Single().GetProperty("silo").GetString()!;
            seen.Add(silo);
            bySilo.TryAdd(cluster.IndexOf(silo), name);
        }

        Assert.True(bySilo.Count == 2, $"Ten functions were all placed on one silo: {string.Join(", ", seen)} (silo ports {string.Join(", ", cluster.SiloPorts)}).");

        // Twice the quota at once: half to a function on each silo, alternating gateways; each admitted call holds 2 s.
        var functions = bySilo.Values.ToList();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 2 * quota).Select(i =>
            HoldAsync(cluster.Http[i % 2], $"/fn/{tenant}/w/{functions[i / quota]}", 2000)));

        var ran = outcomes.Where(o => o.Ran is not null).Select(o => o.Ran!.Value).ToList();
        var throttled = outcomes.Where(o => o.Ran is null).ToList();
        var mostAtOnce = ran.Max(r => ran.Count(other => other.Start < r.End && r.Start < other.End));
        Assert.True(ran.Count <= quota, $"{ran.Count} of {2 * quota} simultaneous calls ran; the quota is {quota} across the cluster.");
        Assert.True(mostAtOnce <= quota, $"{mostAtOnce} invocations ran at once; the quota is {quota} across the cluster.");
        Assert.NotEmpty(ran);
        Assert.All(throttled, t => Assert.Equal("maxConcurrentInvocations", t.Quota));
    }

    private static async Task<(long Start, long End)?> RanAsync(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (body.RootElement.GetProperty("start").GetInt64(), body.RootElement.GetProperty("end").GetInt64());
    }

    private static async Task<((long Start, long End)? Ran, string? Quota)> HoldAsync(HttpClient http, string path, int ms)
    {
        using var response = await http.PostAsJsonAsync(new Uri(path, UriKind.Relative), new { ms });
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return (await RanAsync(response), null);
        }

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.TooManyRequests, $"POST {path}: {(int)response.StatusCode} {text}");
        using var problem = JsonDocument.Parse(text);
        return (null, problem.RootElement.GetProperty("quota").GetString());
    }

    private static async Task<(int Ok, List<(int RetryAfter, string? Quota)> Throttled)> CallUntilAsync(HttpClient http, string path, TimeSpan duration)
    {
        var (ok, throttled) = (0, new List<(int, string?)>());
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            using var response = await http.PostAsync(new Uri(path, UriKind.Relative), null);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                ok++;
            }
            else
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                throttled.Add(((int)(response.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0), problem.RootElement.GetProperty("quota").GetString()));
            }
        }

        return (ok, throttled);
    }

    private static async Task<string> SendOkAsync(HttpClient http, HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text;
    }

    // Every row of every table of the database, as text: what an attacker with a copy of the database would read.
    private static async Task<string> DumpAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var text = new System.Text.StringBuilder();
        foreach (var table in tables)
        {
            await using var select = new NpgsqlCommand($"SELECT * FROM \"{table}\"", connection);
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    text.Append(reader.GetValue(i) switch
                    {
                        byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes),
                        var other => Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture),
                    }).Append('\t');
                }

                text.AppendLine();
            }
        }

        return text.ToString();
    }

    private Task<GranaryCluster> StartAsync(int gateways, params (string Name, string Value)[] settings) => StartAsync(gateways, 1, settings);

    private async Task<GranaryCluster> StartAsync(int gateways, int silos, params (string Name, string Value)[] settings)
    {
        var database = await postgres.CreateDatabaseAsync("c" + Guid.NewGuid().ToString("N")[..16]);
        var environment = ClusterTests.Postgres(database);
        foreach (var (name, value) in settings)
        {
            environment[name] = value;
        }

        return await GranaryCluster.StartAsync(redis, environment, silos: silos, gateways: gateways);
    }
}
