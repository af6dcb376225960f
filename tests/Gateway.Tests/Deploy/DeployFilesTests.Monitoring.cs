using System.Text.Json;
using System.Text.RegularExpressions;
using Granary.Gateway.Tests.Access;
using Granary.Gateway.Tests.Telemetry;

namespace Granary.Gateway.Tests.Deploy;

/// <summary>
/// The monitoring files: the Prometheus scrape configs of the compose and Kubernetes layouts (a metrics key as the
/// bearer token, every Granary host a target) and the Grafana dashboard, whose every metric is one a running gateway
/// serves (compared with its <c>/metrics</c> after calls that ran, failed, timed out and were throttled).
/// </summary>
public sealed partial class DeployFilesTests
{
    private static readonly HashSet<string> s_promQlWords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset",
    };

    [Fact]
    public async Task EveryMetricTheDashboardQueriesIsOneARunningGatewayServes()
    {
        var queried = DashboardMetrics();
        Assert.Superset(new HashSet<string>(StringComparer.Ordinal) { "faas_invocations_total", "faas_errors_total", "faas_invoke_duration_seconds_bucket", "faas_coldstarts_total", "faas_init_duration_seconds_bucket", "granary_functions_active", "granary_queue_wait_seconds_bucket" }, queried);

        await using var server = await GranaryServer.StartAsync();
        var tenant = AccessFixture.Tenant();
        await server.CreateTenantAsync(tenant, new { invocationsPerSecond = 3 });
        await server.DeployInAsync(tenant, "w", "ok", AccessCalls.Ok);
        await server.DeployInAsync(tenant, "w", "fails", "module.exports = () => { throw new Error('no'); };");
        await server.DeployInAsync(tenant, "w", "loops", "module.exports = () => { while (true) {} };", new { timeoutSeconds = 1 });
        foreach (var name in new[] { "loops", "fails", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok" })
        {
            await server.InvokeAsAsync(null, tenant, "w", name);
        }

        var response = await server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, "/metrics");
        var served = Exposition.Names(await AccessCalls.TextAsync(response, 200));

        var missing = queried.Where(name => !served.Contains(name)).ToList();
        Assert.True(missing.Count == 0, $"the dashboard queries {string.Join(", ", missing)}, which the gateway does not serve; it serves {string.Join(", ", served.Where(n => n.StartsWith("faas", StringComparison.Ordinal) || n.StartsWith("granary", StringComparison.Ordinal)))}");
    }

    [Fact]
    public void TheComposeScrapeConfigReadsAMetricsTokenFileAndScrapesEveryGatewayAndSilo()
    {
        var config = Assert.Single(YamlReader.ReadDocuments(DeployPath("monitoring", "prometheus.yml")));
        var services = Map(Assert.Single(YamlReader.ReadDocuments(DeployPath("docker-compose.yml"))), "services");
        var jobs = Items(config, "scrape_configs");

        Assert.NotEmpty(jobs);
        Assert.All(jobs, job =>
        {
            Assert.Equal("/metrics", Text(job, "metrics_path"));
            Assert.Equal("Bearer", Text(job, "authorization", "type"));
            Assert.Equal("/etc/prometheus/granary-metrics-token", Text(job, "authorization", "credentials_file"));
        });
        var targets = jobs.SelectMany(j => Items(j, "static_configs")).SelectMany(s => Items(s, "targets")).OfType<string>().ToList();
        var granary = services.Where(s => IsGranaryService(s.Value) && !Command(s.Value, "entrypoint").Contains("migrate", StringComparison.Ordinal)).Select(s => s.Key).ToList();
        Assert.Equal(granary.Order(StringComparer.Ordinal), targets.Select(t => t.Split(':')[0]).Order(StringComparer.Ordinal));
        Assert.All(targets, t => Assert.Contains(t.Split(':')[1], (string[])["8080", "8081"]));

        var monitoring = Map(Assert.Single(YamlReader.ReadDocuments(DeployPath("docker-compose.monitoring.yml"))), "services");
        Assert.Contains(Items(monitoring.GetValueOrDefault("prometheus"), "volumes").OfType<string>(), v => v.EndsWith(":/etc/prometheus/granary-metrics-token:ro", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PromtoolAcceptsTheComposeScrapeConfig()
    {
        var promtool = File.Exists("/usr/bin/promtool") ? "/usr/bin/promtool" : throw new InvalidOperationException("/usr/bin/promtool is missing. Install it with: apt-get install -y prometheus");
        var start = new System.Diagnostics.ProcessStartInfo(promtool, ["check", "config", "--syntax-only", DeployPath("monitoring", "prometheus.yml")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken) + await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.True(process.ExitCode == 0, output);
    }

    [Fact]
    public void TheKubernetesScrapeConfigFindsGranarysPodsAndSendsAMetricsToken()
    {
        var config = Assert.Single(YamlReader.ReadDocuments(DeployPath("kubernetes", "prometheus", "prometheus.yml")));
        var job = Assert.Single(Items(config, "scrape_configs"));

        Assert.Equal("/etc/prometheus/granary/token", Text(job, "authorization", "credentials_file"));
        Assert.Equal("pod", Text(Assert.Single(Items(job, "kubernetes_sd_configs")), "role"));
        var keep = Items(job, "relabel_configs").Where(r => Text(r, "action") is "keep").Select(r => new Regex("^(?:" + Text(r, "regex") + ")$")).ToList();
        Assert.Equal(2, keep.Count);

        // cluster.yaml's silo and gateway pods and granary.yaml's single node pass both; their Orleans ports do not.
        Assert.Matches(keep[0], "granary;");
        Assert.Matches(keep[0], ";granary");
        Assert.DoesNotMatch(keep[0], "redis;");
        Assert.Matches(keep[1], "http;8080");
        Assert.Matches(keep[1], "health;8081");
        Assert.Matches(keep[1], ";8080");
        Assert.DoesNotMatch(keep[1], "orleans;30000");
        Assert.DoesNotMatch(keep[1], ";30000");
    }

    [Fact]
    public void GrafanaProvisionsThePrometheusSourceAndTheFolderTheDashboardIsIn()
    {
        var source = Assert.Single(Items(Assert.Single(YamlReader.ReadDocuments(DeployPath("monitoring", "grafana", "provisioning", "datasources", "prometheus.yml"))), "datasources"));
        var provider = Assert.Single(Items(Assert.Single(YamlReader.ReadDocuments(DeployPath("monitoring", "grafana", "provisioning", "dashboards", "granary.yml"))), "providers"));
        using var dashboard = JsonDocument.Parse(File.ReadAllText(DashboardPath()));
        var datasource = dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray().Single(v => v.GetProperty("name").GetString() == "datasource");

        Assert.Equal("prometheus", Text(source, "type"));
        Assert.Equal(Text(source, "uid"), datasource.GetProperty("current").GetProperty("value").GetString());
        Assert.Equal("/var/lib/grafana/dashboards", Text(provider, "options", "path"));
        Assert.Contains(Items(Map(Assert.Single(YamlReader.ReadDocuments(DeployPath("docker-compose.monitoring.yml"))), "services").GetValueOrDefault("grafana"), "volumes").OfType<string>(), v => v == "./monitoring/grafana/dashboards:/var/lib/grafana/dashboards:ro");
    }

    private static string DashboardPath() => DeployPath("monitoring", "grafana", "dashboards", "granary.json");

    // The metric names in the dashboard's queries: PromQL identifiers outside label matchers, ranges and groupings
    // that are neither functions (followed by '(') nor keywords.
    private static HashSet<string> DashboardMetrics()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(DashboardPath()));
        var queries = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!)
            .Concat(dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()
                .Where(v => v.TryGetProperty("definition", out _))
                .Select(v => v.GetProperty("definition").GetString()!))
            .ToList();
        Assert.NotEmpty(queries);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var query in queries)
        {
            var bare = Groupings().Replace(Ranges().Replace(Matchers().Replace(query, " "), " "), " ");
            foreach (Match token in Identifier().Matches(bare))
            {
                var next = bare[(token.Index + token.Length)..].TrimStart();
                if (!s_promQlWords.Contains(token.Value) && !next.StartsWith('('))
                {
                    names.Add(token.Value);
                }
            }
        }

        return names;
    }

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(by|without|on|ignoring)\s*\([^)]*\)|,\s*[a-z_]+\)")]
    private static partial Regex Groupings();

    [GeneratedRegex(@"(?<![\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();
}
