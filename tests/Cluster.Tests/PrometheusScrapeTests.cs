using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Granary.Cluster.Tests.Infrastructure;

namespace Granary.Cluster.Tests;

/// <summary>
/// A real Prometheus server scrapes a silo and a client-mode gateway over it with a key of the metrics role, as the
/// deploy files set it up; <c>promtool check metrics</c> reads their expositions; the silo's own <c>/metrics</c> asks
/// for the same keys as a gateway's.
/// </summary>
[Collection(ClusterProcesses.Name)]
public sealed class PrometheusScrapeTests(PrometheusScrapeTests.Fixture fixture) : IClassFixture<PrometheusScrapeTests.Fixture>
{
    [Fact]
    public async Task PrometheusScrapesTheSiloAndTheGatewayWithAMetricsKey()
    {
        await using var prometheus = PrometheusServer.Start([Target(fixture.Silo), Target(fixture.Gateway)], fixture.MetricsKey);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        JsonElement? invocations = null;
        JsonElement? up = null;
        while (DateTime.UtcNow < deadline)
        {
            up = await prometheus.QueryAsync("up{job=\"granary\"} == 1");
            invocations = await prometheus.QueryAsync($"faas_invocations_total{{granary_tenant=\"{fixture.Tenant}\"}}");
            if (up is { } targets && targets.GetArrayLength() == 2 && invocations is { } series && series.GetArrayLength() > 0)
            {
                break;
            }

            await Task.Delay(500, TestContext.Current.CancellationToken);
        }

        Assert.True(up is { } u && u.GetArrayLength() == 2, $"both targets up: {up}\nPrometheus:\n{prometheus.Output}");
        var sample = Assert.Single(invocations!.Value.EnumerateArray());
        var labels = sample.GetProperty("metric");
        Assert.Equal("hello", labels.GetProperty("faas_name").GetString());
        Assert.Equal("w", labels.GetProperty("granary_workspace").GetString());
        Assert.Equal(Target(fixture.Silo), labels.GetProperty("instance").GetString());
        Assert.Equal("3", sample.GetProperty("value")[1].GetString());
        var buckets = await prometheus.QueryAsync($"faas_invoke_duration_seconds_bucket{{granary_tenant=\"{fixture.Tenant}\"}}");
        Assert.Equal(16, buckets!.Value.GetArrayLength());
        Assert.Contains(buckets.Value.EnumerateArray(), b => b.GetProperty("metric").GetProperty("le").GetString() == "+Inf" && b.GetProperty("value")[1].GetString() == "3");
    }

    // promtool exits 3 for lint complaints and 1 for what Prometheus cannot parse. Granary's own families must pass
    // clean; the libraries' (Orleans' milliseconds and megabytes without help text, .NET's *_count gauges) are theirs
    // to name, so the whole exposition must parse and may draw lint complaints about those only.
    [Fact]
    public async Task PromtoolAcceptsTheExpositionsAndFindsNothingToLintInGranarysOwnMetrics()
    {
        foreach (var host in new[] { fixture.Silo, fixture.Gateway })
        {
            var text = await ScrapeAsync(host, fixture.MetricsKey, HttpStatusCode.OK);

            var (exit, output) = await PromtoolAsync(text);
            Assert.True(exit is 0 or 3, $"{host}: promtool check metrics exited {exit}:\n{output}");
            var complaints = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.All(complaints, line => Assert.Matches("^(orleans|dotnet|kestrel|http|aspnetcore)_", line));

            var (ownExit, ownOutput) = await PromtoolAsync(OwnFamilies(text));
            Assert.True(ownExit == 0, $"{host}: Granary's families drew complaints:\n{ownOutput}");
        }

        var silo = await ScrapeAsync(fixture.Silo, fixture.MetricsKey, HttpStatusCode.OK);
        Assert.Contains("faas_invocations_total{", silo, StringComparison.Ordinal);
        Assert.Contains("faas_coldstarts_total{", silo, StringComparison.Ordinal);
        Assert.Contains("faas_invoke_duration_seconds_bucket{", silo, StringComparison.Ordinal);
        Assert.Contains("granary_functions_active{", silo, StringComparison.Ordinal);
        Assert.Contains("orleans_", silo, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASilosMetricsAskForTheAdminKeyOrAMetricsKey()
    {
        var refused = await ScrapeAsync(fixture.Silo, null, HttpStatusCode.Unauthorized);
        Assert.Contains("\"status\":401", refused, StringComparison.Ordinal);
        await ScrapeAsync(fixture.Silo, "gk_" + fixture.Tenant + "_nosuchkey0123456789", HttpStatusCode.Unauthorized);
        var forbidden = await ScrapeAsync(fixture.Silo, fixture.OwnerKey, HttpStatusCode.Forbidden);
        Assert.Contains("may not read metrics", forbidden, StringComparison.Ordinal);
        await ScrapeAsync(fixture.Silo, GranaryProcess.AdminKey, HttpStatusCode.OK);
        await ScrapeAsync(fixture.Gateway, fixture.OwnerKey, HttpStatusCode.Forbidden);
        await ScrapeAsync(fixture.Gateway, null, HttpStatusCode.Unauthorized);
    }

    private static string Target(GranaryProcess process) => $"{process.HttpUri.Host}:{process.HttpUri.Port.ToString(CultureInfo.InvariantCulture)}";

    private static async Task<string> ScrapeAsync(GranaryProcess process, string? key, HttpStatusCode expected)
    {
        using var http = new HttpClient { BaseAddress = process.HttpUri, Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == expected, $"{process} /metrics with {(key is null ? "no key" : key[..Math.Min(12, key.Length)])}: {(int)response.StatusCode}, not {(int)expected}: {text[..Math.Min(300, text.Length)]}");
        return text;
    }

    // The families Granary names (faas_*, granary_*), with their # HELP, # TYPE and # UNIT lines.
    private static string OwnFamilies(string text)
    {
        var own = new StringBuilder();
        foreach (var line in text.Split('\n'))
        {
            var name = line.StartsWith('#') ? line.Split(' ').ElementAtOrDefault(2) ?? "" : line;
            if (name.StartsWith("faas_", StringComparison.Ordinal) || name.StartsWith("granary_", StringComparison.Ordinal))
            {
                own.Append(line).Append('\n');
            }
        }

        own.Append("# EOF\n");
        return own.ToString();
    }

    private static async Task<(int Exit, string Output)> PromtoolAsync(string exposition)
    {
        var promtool = Binaries.Require("/usr/bin/promtool", "prometheus");
        var start = new System.Diagnostics.ProcessStartInfo(promtool, ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, (await stdout) + (await stderr));
    }

    /// <summary>A silo with file storage, a client-mode gateway over it, a tenant with a function called three times, and its keys.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public GranaryProcess Silo { get; private set; } = null!;

        public GranaryProcess Gateway { get; private set; } = null!;

        public string Tenant { get; } = "prom" + Guid.NewGuid().ToString("N")[..8];

        public string MetricsKey { get; private set; } = "";

        public string OwnerKey { get; private set; } = "";

        public async ValueTask InitializeAsync()
        {
            Binaries.Require("/usr/bin/prometheus", "prometheus");
            var gatewayPort = Ports.FreePort().ToString(CultureInfo.InvariantCulture);
            var cluster = new Dictionary<string, string>
            {
                ["Granary__Cluster__ClusterId"] = "prometheus-test-" + Guid.NewGuid().ToString("N")[..12],
                ["Granary__Cluster__GatewayPort"] = gatewayPort,
            };
            Silo = await GranaryProcess.StartSiloAsync(new Dictionary<string, string>(cluster)
            {
                ["Granary__Storage__Path"] = "data",

                // Orleans' own meter too (off by default: it costs throughput), to show it joins the exposition.
                ["Granary__Telemetry__Metrics__Meters"] = "System.Runtime,Microsoft.Orleans",
                ["Granary__Cluster__SiloPort"] = Ports.FreePort().ToString(CultureInfo.InvariantCulture),
            });
            await Silo.WaitReadyAsync(TimeSpan.FromSeconds(60));
            Gateway = await GranaryProcess.StartGatewayAsync(new Dictionary<string, string>(cluster) { ["Granary__Gateway__Mode"] = "client" });
            await Gateway.WaitReadyAsync(TimeSpan.FromSeconds(60));

            using var admin = GranaryProcess.AdminClient(Gateway.HttpUri, TimeSpan.FromSeconds(60));
            (await admin.PutAsJsonAsync($"/api/v1/tenants/{Tenant}", new { })).EnsureSuccessStatusCode();
            MetricsKey = await KeyAsync(admin, "metrics");
            OwnerKey = await KeyAsync(admin, "owner");
            (await admin.PutAsJsonAsync($"/api/v1/tenants/{Tenant}/workspaces/w/functions/hello", new { runtime = "nodejs", code = "module.exports = () => 'hi';" })).EnsureSuccessStatusCode();
            for (var i = 0; i < 3; i++)
            {
                (await admin.PostAsync($"/fn/{Tenant}/w/hello", new StringContent("{}", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Gateway is not null)
            {
                await Gateway.DisposeAsync();
            }

            if (Silo is not null)
            {
                await Silo.DisposeAsync();
            }
        }

        private async Task<string> KeyAsync(HttpClient admin, string role)
        {
            var response = await admin.PostAsJsonAsync($"/api/v1/tenants/{Tenant}/keys", new { role });
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        }
    }
}
