using System.Text.RegularExpressions;

namespace Granary.Gateway.Tests.Access;

/// <summary>
/// The role matrix, cell by cell: every endpoint of the management and Custom Code APIs and of invocation, called
/// by the admin key, each role of a tenant, another tenant's owner and an anonymous caller. An allowed call that
/// names something missing answers 404, which shows it passed authorization without changing anything.
/// </summary>
public sealed class RoleMatrixTests(RoleMatrixTests.Fixture fixture) : IClassFixture<RoleMatrixTests.Fixture>
{
    private const string Roles = "admin owner developer invoker metrics other-tenant-owner anonymous";

    // Statuses in the order of Roles; "-" is a cell another row covers (the admin deleting the shared tenant).
    private static readonly Endpoint[] s_endpoints =
    [
        new("GET", "/api/v1/tenants", null, "200 403 403 403 403 403 401"),
        new("PUT", "/api/v1/tenants/{t}", "{}", "200 403 403 403 403 403 401"),
        new("GET", "/api/v1/tenants/{t}", null, "200 200 200 200 403 403 401"),
        new("DELETE", "/api/v1/tenants/{t}", null, "- 403 403 403 403 403 401"),
        new("DELETE", "/api/v1/tenants/{fresh}", null, "204 403 403 403 403 403 401"),
        new("GET", "/api/v1/audit", null, "200 403 403 403 403 403 401"),
        new("GET", "/api/v1/tenants/{t}/audit", null, "200 200 403 403 403 403 401"),
        new("POST", "/api/v1/tenants/{t}/keys", "{\"role\":\"invoker\",\"name\":\"matrix\"}", "201 201 403 403 403 403 401"),
        new("GET", "/api/v1/tenants/{t}/keys", null, "200 200 403 403 403 403 401"),
        new("DELETE", "/api/v1/tenants/{t}/keys/{u}", null, "404 404 403 403 403 403 401"),
        new("PUT", "/api/v1/tenants/{t}/secrets/{u}", "{\"value\":\"v\"}", "201 201 201 403 403 403 401"),
        new("GET", "/api/v1/tenants/{t}/secrets", null, "200 200 200 403 403 403 401"),
        new("DELETE", "/api/v1/tenants/{t}/secrets/{u}", null, "404 404 404 403 403 403 401"),
        new("GET", "/api/v1/tenants/{t}/workspaces", null, "200 200 200 403 403 403 401"),
        new("PUT", "/api/v1/tenants/{t}/workspaces/{u}", "{\"access\":\"key\"}", "201 201 201 403 403 403 401"),
        new("GET", "/api/v1/tenants/{t}/workspaces/w", null, "200 200 200 403 403 403 401"),
        new("DELETE", "/api/v1/tenants/{t}/workspaces/{u}", null, "404 404 404 403 403 403 401"),
        new("PUT", "/api/v1/tenants/{t}/workspaces/w/functions/{u}", "{\"runtime\":\"nodejs\",\"code\":\"module.exports = () => 1;\"}", "201 201 201 403 403 403 401"),
        new("GET", "/api/v1/tenants/{t}/workspaces/w/functions", null, "200 200 200 403 403 403 401"),
        new("GET", "/api/v1/tenants/{t}/workspaces/w/functions/pub", null, "200 200 200 403 403 403 401"),
        new("GET", "/api/v1/tenants/{t}/workspaces/w/functions/pub/invocations", null, "200 200 200 403 403 403 401"),
        new("GET", "/api/v1/tenants/{t}/workspaces/w/functions/pub/logs", null, "200 200 200 403 403 403 401"),
        new("DELETE", "/api/v1/tenants/{t}/workspaces/w/functions/{u}", null, "404 404 404 403 403 403 401"),
        new("POST", "/v2/functions/{u} (X-Granary-Tenant: {t})", "{\"functions\":{\"f\":{\"code\":\"return 1;\"}}}", "200 200 200 403 403 403 401"),
        new("PUT", "/v2/functions/{u} (X-Granary-Tenant: {t})", "{\"functions\":{\"f\":{\"code\":\"return 1;\"}}}", "200 200 200 403 403 403 401"),
        new("GET", "/v2/functions/cc (X-Granary-Tenant: {t})", null, "200 200 200 403 403 403 401"),
        new("GET", "/v2/functions/cc/logs (X-Granary-Tenant: {t})", null, "200 200 200 403 403 403 401"),
        new("DELETE", "/v2/functions/{u} (X-Granary-Tenant: {t})", null, "404 404 404 403 403 403 401"),
        new("POST", "/v2/functions/cc/run/hello (X-Granary-Tenant: {t})", "{\"parameters\":{}}", "200 200 200 200 403 403 401"),
        new("POST", "/fn/{t}/w/keyed", "{}", "200 200 200 200 403 403 401"),
        new("POST", "/fn/{t}/w/pub", "{}", "200 200 200 200 200 200 200"),
        new("POST", "/api/v1/tenants/{t}/keys (metrics role)", "{\"role\":\"metrics\",\"name\":\"matrix\"}", "201 403 403 403 403 403 401"),
        new("GET", "/metrics", null, "200 403 403 403 200 403 401"),
    ];

    private GranaryServer Server => fixture.Server;

    public static TheoryData<string, string, int> Cells()
    {
        var cells = new TheoryData<string, string, int>();
        var roles = Roles.Split(' ');
        foreach (var endpoint in s_endpoints)
        {
            var statuses = endpoint.Statuses.Split(' ');
            Assert.Equal(roles.Length, statuses.Length);
            for (var i = 0; i < roles.Length; i++)
            {
                if (statuses[i] != "-")
                {
                    cells.Add(endpoint.Name, roles[i], int.Parse(statuses[i], System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        return cells;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task EachRoleGetsTheStatusOfItsCellAtEachEndpoint(string endpoint, string role, int status)
    {
        var call = s_endpoints.Single(e => e.Name == endpoint);
        var path = call.Path
            .Replace("{t}", fixture.TenantA, StringComparison.Ordinal)
            .Replace("{u}", "u" + Guid.NewGuid().ToString("N")[..10], StringComparison.Ordinal);
        if (path.Contains("{fresh}", StringComparison.Ordinal))
        {
            var fresh = AccessFixture.Tenant();
            await Server.CreateTenantAsync(fresh);
            path = path.Replace("{fresh}", fresh, StringComparison.Ordinal);
        }

        // A note in brackets tells rows of one route apart; X-Granary-Tenant's names the header to send.
        var note = path.IndexOf(" (", StringComparison.Ordinal);
        KeyValuePair<string, string>[] headers = note >= 0 && path[note..].StartsWith(" (X-Granary-Tenant: ", StringComparison.Ordinal) ? [KeyValuePair.Create("X-Granary-Tenant", fixture.TenantA)] : [];
        path = note < 0 ? path : path[..note];

        var response = await Server.SendAsync(fixture.KeyOf(role), new HttpMethod(call.Method), path, call.Body, headers);

        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True((int)response.StatusCode == status, $"{role}: {call.Method} {path} answered {(int)response.StatusCode}, not {status}: {text}");
        if (status == 401)
        {
            await AccessCalls.UnauthorizedAsync(response);
        }
        else if (status == 403)
        {
            await AccessCalls.ProblemAsync(response, 403, "forbidden");
        }
    }

    [Fact]
    public void TheMatrixHasARowForEveryRouteOfTheManagementAndCustomCodeApis()
    {
        var routes = Server.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && (raw.StartsWith("/api/v1", StringComparison.Ordinal) || raw.StartsWith("/v2", StringComparison.Ordinal)))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(method => (Method: method, Route: e.RoutePattern.RawText!)))
            .ToList();

        var uncovered = routes.Where(r => !s_endpoints.Any(e => e.Method == r.Method && Pattern(r.Route).IsMatch(e.Path.Split(' ')[0]))).Select(r => $"{r.Method} {r.Route}");

        Assert.Equal(28, routes.Count);
        Assert.Empty(uncovered);
    }

    [Fact]
    public async Task AForbiddenAnswerSaysWhichKeyMayNotDoWhatWhere()
    {
        var response = await Server.SendAsync(fixture.KeyOf("developer"), HttpMethod.Get, $"/api/v1/tenants/{fixture.TenantA}/keys");

        var problem = await AccessCalls.ProblemAsync(response, 403, "forbidden");
        Assert.Equal("Forbidden", problem.GetProperty("title").GetString());
        Assert.Equal(
            $"The key gk_{fixture.TenantA}_{fixture.DeveloperId} (role developer, tenant '{fixture.TenantA}') may not manage the keys of the tenant '{fixture.TenantA}'.",
            problem.GetProperty("detail").GetString());
    }

    // A route template as a pattern that a row's path (with its placeholders) matches.
    private static Regex Pattern(string route) =>
        new("^" + string.Join('/', route.TrimEnd('/').Split('/').Select(p => p.StartsWith('{') ? "[^/]+" : Regex.Escape(p))) + "$", RegexOptions.CultureInvariant);

    /// <summary>Tenant A with a key of each role and a public function, a key function and a Custom Code workspace; tenant B with its owner.</summary>
    public sealed class Fixture : AccessFixture
    {
        private readonly Dictionary<string, string?> _keys = new(StringComparer.Ordinal);

        public string TenantA { get; } = Tenant();

        public string DeveloperId { get; private set; } = "";

        public string? KeyOf(string role) => _keys[role];

        protected override async Task SeedAsync()
        {
            var tenantB = Tenant();
            await Server.CreateTenantAsync(TenantA);
            await Server.CreateTenantAsync(tenantB);
            _keys["admin"] = GranaryServer.AdminKey;
            _keys["anonymous"] = null;
            foreach (var role in new[] { "owner", "developer", "invoker", "metrics" })
            {
                var (id, key) = await Server.CreateKeyAsync(TenantA, role);
                _keys[role] = key;
                DeveloperId = role == "developer" ? id : DeveloperId;
            }

            _keys["other-tenant-owner"] = (await Server.CreateKeyAsync(tenantB, "owner")).Key;
            await Server.DeployInAsync(TenantA, "w", "pub", AccessCalls.Ok);
            await Server.DeployInAsync(TenantA, "w", "keyed", AccessCalls.Ok, new { access = "key" });
            var stored = await Server.SendAsync(
                GranaryServer.AdminKey, HttpMethod.Post, "/v2/functions/cc", "{\"functions\":{\"hello\":{\"code\":\"return 'hi';\"}}}", [KeyValuePair.Create("X-Granary-Tenant", TenantA)]);
            await AccessCalls.JsonAsync(stored, 200);
        }
    }

    private sealed record Endpoint(string Method, string Path, string? Body, string Statuses)
    {
        public string Name => $"{Method} {Path}";
    }
}
