using System.Net;
using Granary.Gateway.Tests.Access;
using Granary.Runtime.Telemetry;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Tests.Telemetry;

/// <summary>
/// The gateway's <c>/metrics</c>: what an invocation adds to the FaaS series (once, whichever path served it), who may
/// read it (the admin key and keys of the metrics role; 401 without a key, 403 for every other key), the cardinality
/// guard and the open port.
/// </summary>
public sealed class MetricsEndpointTests(MetricsEndpointTests.Fixture fixture) : IClassFixture<MetricsEndpointTests.Fixture>
{
    private GranaryServer Server => fixture.Server;

    [Fact]
    public async Task EachInvocationCountsOnceInItsFunctionsSeriesWithTheColdStartAndTheDuration()
    {
        var workspace = AccessFixture.Workspace();
        await Server.DeployInAsync(fixture.TenantA, workspace, "hello", AccessCalls.Ok);

        // The first call activates the function (the grain path); the others take the warm local path.
        for (var i = 0; i < 4; i++)
        {
            await AccessCalls.TextAsync(await Server.InvokeAsAsync(null, fixture.TenantA, workspace, "hello"), 200);
        }

        var text = await ScrapeAsync(GranaryServer.AdminKey);
        var series = Series(workspace, "hello");
        Exposition.AssertSum(4, text, "faas_invocations_total", series);
        Exposition.AssertSum(1, text, "faas_coldstarts_total", series);
        Exposition.AssertSum(1, text, "faas_init_duration_seconds_count", series);
        Exposition.AssertSum(4, text, "faas_invoke_duration_seconds_count", series);
        Exposition.AssertSum(4, text, "faas_invoke_duration_seconds_bucket", [.. series, ("le", "60")]);
        Exposition.AssertSum(4, text, "granary_queue_wait_seconds_count", series);
        Exposition.AssertSum(0, text, "faas_errors_total", series);
        Assert.Equal(
            ["+Inf", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "10", "2.5", "30", "5", "60"],
            Exposition.Samples(text, "faas_invoke_duration_seconds_bucket").Where(s => s.Labels["faas_name"] == "hello" && s.Labels["granary_workspace"] == workspace).Select(s => s.Labels["le"]).Order(StringComparer.Ordinal));
        Assert.True(Exposition.Sum(text, "granary_functions_active") >= 1, text);
        Assert.True(Exposition.Sum(text, "granary_isolates") >= 1, text);
        Assert.True(Exposition.Sum(text, "granary_pool_spawns_total", ("granary_runtime", "javascript")) >= 1, text);
    }

    [Fact]
    public async Task ErrorsTimeoutsAndThrottledCallsAreCountedApart()
    {
        var workspace = AccessFixture.Workspace();
        await Server.DeployInAsync(fixture.TenantA, workspace, "fails", "module.exports = () => { throw new Error('no'); };");
        await Server.DeployInAsync(fixture.TenantA, workspace, "loops", "module.exports = () => { while (true) {} };", new { timeoutSeconds = 1 });
        await AccessCalls.TextAsync(await Server.InvokeAsAsync(null, fixture.TenantA, workspace, "fails"), 500);
        await AccessCalls.TextAsync(await Server.InvokeAsAsync(null, fixture.TenantA, workspace, "loops"), 504);

        var slow = AccessFixture.Tenant();
        await Server.CreateTenantAsync(slow, new { invocationsPerSecond = 1 });
        await Server.DeployInAsync(slow, "w", "hello", AccessCalls.Ok);
        var statuses = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((int)(await Server.InvokeAsAsync(null, slow, "w", "hello")).StatusCode);
        }

        var text = await ScrapeAsync(GranaryServer.AdminKey);
        Exposition.AssertSum(1, text, "faas_errors_total", [.. Series(workspace, "fails"), ("granary_outcome", "error")]);
        Exposition.AssertSum(1, text, "faas_timeouts_total", Series(workspace, "loops"));
        Exposition.AssertSum(0, text, "faas_errors_total", Series(workspace, "loops"));
        var throttled = statuses.Count(s => s == 429);
        Assert.True(throttled > 0, string.Join(' ', statuses));
        Exposition.AssertSum(throttled, text, "granary_throttled_total", ("granary_tenant", slow), ("faas_name", "hello"), ("granary_throttle", "tenant"));
        Exposition.AssertSum(5, text, "faas_invocations_total", ("granary_tenant", slow), ("faas_name", "hello"));
    }

    [Fact]
    public async Task MetricsNeedAKey()
    {
        var response = await Server.SendAsync(null, HttpMethod.Get, "/metrics");

        await AccessCalls.UnauthorizedAsync(response);
        await AccessCalls.UnauthorizedAsync(await Server.SendAsync("gk_nobody_x_0123456789abcdef", HttpMethod.Get, "/metrics"), "Bearer error=\"invalid_token\"");
    }

    [Theory]
    [InlineData("owner")]
    [InlineData("developer")]
    [InlineData("invoker")]
    public async Task ATenantsOwnKeysMayNotReadMetricsThatShowEveryTenant(string role)
    {
        var response = await Server.SendAsync(fixture.KeyOf(role), HttpMethod.Get, "/metrics");

        var problem = await AccessCalls.ProblemAsync(response, 403, "forbidden");
        Assert.Contains("may not read the host's metrics; that needs the admin key or a key of the metrics role", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMetricsKeyReadsMetricsAndNeitherManagesNorInvokes()
    {
        var text = await ScrapeAsync(fixture.KeyOf("metrics"));
        Assert.Contains("faas_invocations_total", text, StringComparison.Ordinal);

        var workspace = AccessFixture.Workspace();
        await Server.DeployInAsync(fixture.TenantA, workspace, "keyed", AccessCalls.Ok, new { access = "key" });
        await AccessCalls.ProblemAsync(await Server.SendAsync(fixture.KeyOf("metrics"), HttpMethod.Get, $"/api/v1/tenants/{fixture.TenantA}"), 403, "forbidden");
        await AccessCalls.ProblemAsync(await Server.SendAsync(fixture.KeyOf("metrics"), HttpMethod.Get, "/api/v1/tenants"), 403, "forbidden");
        await AccessCalls.ProblemAsync(await Server.SendAsync(fixture.KeyOf("metrics"), HttpMethod.Get, GranaryServer.FunctionPath(workspace, "keyed", fixture.TenantA)), 403, "forbidden");
        Assert.Equal(HttpStatusCode.Forbidden, (await Server.InvokeAsAsync(fixture.KeyOf("metrics"), fixture.TenantA, workspace, "keyed")).StatusCode);
    }

    [Fact]
    public async Task OnlyTheAdminKeyCreatesAMetricsKey()
    {
        var response = await Server.SendAsync(fixture.KeyOf("owner"), HttpMethod.Post, $"/api/v1/tenants/{fixture.TenantA}/keys", new { role = "metrics" });

        var problem = await AccessCalls.ProblemAsync(response, 403, "forbidden");
        Assert.Equal("Only the admin key creates keys of the metrics role (their metrics cover every tenant).", problem.GetProperty("detail").GetString());
        var (_, key) = await Server.CreateKeyAsync(fixture.TenantA, "metrics", "prometheus");
        Assert.Contains("faas_", await ScrapeAsync(key), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARevokedMetricsKeyIsRefused()
    {
        var (id, key) = await Server.CreateKeyAsync(fixture.TenantA, "metrics", "short-lived");
        await ScrapeAsync(key);

        Assert.Equal(HttpStatusCode.NoContent, (await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Delete, $"/api/v1/tenants/{fixture.TenantA}/keys/{id}")).StatusCode);

        await AccessCalls.UnauthorizedAsync(await Server.SendAsync(key, HttpMethod.Get, "/metrics"), "Bearer error=\"invalid_token\"");
    }

    [Fact]
    public void TheOpenPortIsOffByDefault()
    {
        var options = Server.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;

        Assert.Equal(0, options.OpenPort);
        Assert.True(options.Enabled);
        Assert.Equal(1000, options.MaxFunctionSeries);
        Assert.Equal(["System.Runtime"], options.MeterList());
        Assert.True(options.CardinalityLimit > 2000);
    }

    [Fact]
    public async Task NamesThatCouldBreakTheExpositionAreRefusedBeforeTheyReachALabel()
    {
        foreach (var name in new[] { "a\"b", "a{b}", "a%0Ab", "a\\b", "a=b" })
        {
            var response = await Server.DeployAsAsync(GranaryServer.AdminKey, fixture.TenantA, "w", name, AccessCalls.Ok);
            Assert.True((int)response.StatusCode is 400 or 404, $"{name}: {(int)response.StatusCode}");
        }

        var text = await ScrapeAsync(GranaryServer.AdminKey);
        foreach (var (labels, _) in Exposition.Samples(text, "faas_invocations_total"))
        {
            // A Custom Code workspace's snippets run as its module ".snippets".
            Assert.Matches("^[A-Za-z0-9_.][A-Za-z0-9_.-]*$", labels["faas_name"]);
            Assert.Matches("^[a-z0-9_][a-z0-9_-]*$", labels["granary_workspace"]);
            Assert.Matches("^[a-z0-9_][a-z0-9_-]*$", labels["granary_tenant"]);
        }
    }

    [Fact]
    public async Task PastTheCapNewFunctionsFoldIntoTheirTenantsOtherSeriesAndTheOpenPortServesWithoutAKey()
    {
        var port = GranaryServer.FreePort();
        await using var server = await GranaryServer.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Granary:Telemetry:Metrics:MaxFunctionSeries"] = "2",
            ["Granary:Telemetry:Metrics:OpenPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var tenant = AccessFixture.Tenant();
        await server.CreateTenantAsync(tenant);
        foreach (var name in new[] { "first", "second", "third", "fourth" })
        {
            await server.DeployInAsync(tenant, "w", name, AccessCalls.Ok);
            await AccessCalls.TextAsync(await server.InvokeAsAsync(null, tenant, "w", name), 200);
            await AccessCalls.TextAsync(await server.InvokeAsAsync(null, tenant, "w", name), 200);
        }

        using var open = new HttpClient { BaseAddress = new Uri($"http://localhost:{port}/") };
        using var response = await open.GetAsync("/metrics", TestContext.Current.CancellationToken);
        var text = await AccessCalls.TextAsync(response, 200);

        Exposition.AssertSum(2, text, "faas_invocations_total", ("granary_tenant", tenant), ("faas_name", "first"));
        Exposition.AssertSum(2, text, "faas_invocations_total", ("granary_tenant", tenant), ("faas_name", "second"));
        Exposition.AssertSum(4, text, "faas_invocations_total", ("granary_tenant", tenant), ("granary_workspace", "_other"), ("faas_name", "_other"));
        Exposition.AssertSum(2, text, "faas_coldstarts_total", ("granary_tenant", tenant), ("faas_name", "_other"));
        // The instruments are the process's (one static meter), so this server's scrape also shows the functions of the
        // other tests running beside it in this process (one of them deploys a "third"): only this tenant's are looked at.
        var own = Exposition.Names(text)
            .SelectMany(metric => Exposition.Samples(text, metric))
            .Where(s => s.Labels.GetValueOrDefault("granary_tenant") == tenant)
            .Select(s => s.Labels.GetValueOrDefault("faas_name"))
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        Assert.Equal(["_other", "first", "second"], own.Order(StringComparer.Ordinal));
        await AccessCalls.UnauthorizedAsync(await server.SendAsync(null, HttpMethod.Get, "/metrics"));
    }

    [Fact]
    public async Task WithMetricsOffThereIsNoEndpointAndFunctionsStillRun()
    {
        await using var server = await GranaryServer.StartAsync(settings: new Dictionary<string, string?> { ["Granary:Telemetry:Metrics:Enabled"] = "false" });
        await server.DeployOkAsync("w", "hello", AccessCalls.Ok);

        Assert.Equal(HttpStatusCode.OK, (await server.InvokeAsync("w", "hello")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, "/metrics")).StatusCode);
    }

    private (string, string)[] Series(string workspace, string name) =>
        [("granary_tenant", fixture.TenantA), ("granary_workspace", workspace), ("faas_name", name)];

    private async Task<string> ScrapeAsync(string? key)
    {
        var response = await Server.SendAsync(key, HttpMethod.Get, "/metrics");
        var text = await AccessCalls.TextAsync(response, 200);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return text;
    }

    /// <summary>A tenant with a key of each role and a metrics key.</summary>
    public sealed class Fixture : AccessFixture
    {
        private readonly Dictionary<string, string> _keys = new(StringComparer.Ordinal);

        public string TenantA { get; } = Tenant();

        public string KeyOf(string role) => _keys[role];

        protected override async Task SeedAsync()
        {
            await Server.CreateTenantAsync(TenantA);
            foreach (var role in new[] { "owner", "developer", "invoker", "metrics" })
            {
                _keys[role] = (await Server.CreateKeyAsync(TenantA, role)).Key;
            }
        }
    }
}
