using Granary.Tenants;

namespace Granary.Gateway.Tests.Access;

/// <summary>
/// Tenant quotas: the configured defaults (small here, so each is cheap to reach) and the ones set on a tenant, each
/// refused with the quota's name and value: 403 for what a tenant may have, 429 with Retry-After for invocations.
/// </summary>
public sealed class QuotaTests(QuotaTests.Fixture fixture) : IClassFixture<QuotaTests.Fixture>
{
    private const string Sleeper = "module.exports = async (event) => { await new Promise(r => setTimeout(r, event.ms || 0)); return 'done'; };";

    private GranaryServer Server => fixture.Server;

    [Fact]
    public async Task ATenantWithoutQuotasOfItsOwnHasTheConfiguredDefaults()
    {
        var info = await Server.CreateTenantAsync(AccessFixture.Tenant());

        Assert.Equal(
            "{\"maxFunctions\":3,\"maxWorkspaces\":2,\"maxCodeBytes\":4096,\"maxConcurrentInvocations\":100,\"invocationsPerSecond\":0,\"maxDependencySets\":0}",
            info.GetProperty("quotas").GetRawText());
    }

    [Fact]
    public async Task AFunctionBeyondMaxFunctionsIsRefusedWhileUpdatesAndReplacementsAreNot()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        foreach (var name in new[] { "a", "b", "c" })
        {
            await Server.DeployInAsync(tenant, "w", name, AccessCalls.Ok);
        }

        var refused = await Server.DeployAsAsync(GranaryServer.AdminKey, tenant, "w", "d", AccessCalls.Ok);
        var updated = await Server.DeployAsAsync(GranaryServer.AdminKey, tenant, "w", "c", "module.exports = () => 'c2';");
        await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Delete, GranaryServer.FunctionPath("w", "a", tenant));
        var replacing = await Server.DeployAsAsync(GranaryServer.AdminKey, tenant, "w", "d", AccessCalls.Ok);

        var problem = await AccessCalls.ProblemAsync(refused, 403, "quota-exceeded");
        Assert.Equal("Quota exceeded", problem.GetProperty("title").GetString());
        Assert.Equal("maxFunctions", problem.GetProperty("quota").GetString());
        Assert.Equal(3, problem.GetProperty("limit").GetInt64());
        Assert.Equal($"Tenant '{tenant}' already has 3 functions, its most (quota maxFunctions = 3).", problem.GetProperty("detail").GetString());
        await AccessCalls.JsonAsync(updated, 200);
        await AccessCalls.JsonAsync(replacing, 201);
    }

    [Fact]
    public async Task AWorkspaceBeyondMaxWorkspacesIsRefusedHoweverItWouldBeMade()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        await Server.DeployInAsync(tenant, "one", "f", AccessCalls.Ok);
        await Server.DeployInAsync(tenant, "two", "f", AccessCalls.Ok);

        var function = await Server.DeployAsAsync(GranaryServer.AdminKey, tenant, "three", "f", AccessCalls.Ok);
        var workspace = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, $"/api/v1/tenants/{tenant}/workspaces/three", new { access = "key" });
        var snippets = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Post, "/v2/functions/three", "{\"functions\":{\"f\":{\"code\":\"return 1;\"}}}", [KeyValuePair.Create("X-Granary-Tenant", tenant)]);
        var inExisting = await Server.DeployAsAsync(GranaryServer.AdminKey, tenant, "two", "g", AccessCalls.Ok);

        foreach (var response in new[] { function, workspace })
        {
            var problem = await AccessCalls.ProblemAsync(response, 403, "quota-exceeded");
            Assert.Equal("maxWorkspaces", problem.GetProperty("quota").GetString());
            Assert.Equal(2, problem.GetProperty("limit").GetInt64());
        }

        var error = await AccessCalls.JsonAsync(snippets, 403);
        Assert.Equal("QuotaExceededError", error.GetProperty("error").GetString());
        Assert.Equal($"Tenant '{tenant}' already has 2 workspaces, its most (quota maxWorkspaces = 2).", error.GetProperty("message").GetString());
        await AccessCalls.JsonAsync(inExisting, 201);
    }

    [Fact]
    public async Task CodeLargerThanMaxCodeBytesIsRefusedAndCodeOfExactlyThatSizeIsNot()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant, new { maxCodeBytes = 100 });
        var exact = "module.exports = () => 1; //" + new string('x', 100 - 28);
        Assert.Equal(100, exact.Length);

        var fits = await Server.DeployAsAsync(GranaryServer.AdminKey, tenant, "w", "fits", exact);
        var refused = await Server.DeployAsAsync(GranaryServer.AdminKey, tenant, "w", "over", exact + "x");

        await AccessCalls.JsonAsync(fits, 201);
        var problem = await AccessCalls.ProblemAsync(refused, 403, "quota-exceeded");
        Assert.Equal("maxCodeBytes", problem.GetProperty("quota").GetString());
        Assert.Equal(100, problem.GetProperty("limit").GetInt64());
        Assert.Equal($"Tenant '{tenant}' may deploy at most 100 bytes of code per function; this is 101 (quota maxCodeBytes = 100).", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task NoDependenciesAreAllowedWhenMaxDependencySetsIsZeroAndNpmNeverRuns()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);

        // The package does not exist: had npm run, the answer would be 422 (dependencies could not be installed).
        var function = await Server.DeployAsAsync(GranaryServer.AdminKey, tenant, "w", "f", AccessCalls.Ok, new { dependencies = new Dictionary<string, string> { ["granary-no-such-package-3f9c"] = "1.0.0" } });
        var snippets = await Server.SendAsync(
            GranaryServer.AdminKey,
            HttpMethod.Post,
            "/v2/functions/deps",
            "{\"functions\":{\"f\":{\"code\":\"return 1;\"}},\"dependencies\":{\"granary-no-such-package-3f9c\":\"1.0.0\"}}",
            [KeyValuePair.Create("X-Granary-Tenant", tenant)]);

        var problem = await AccessCalls.ProblemAsync(function, 403, "quota-exceeded");
        Assert.Equal("maxDependencySets", problem.GetProperty("quota").GetString());
        Assert.Equal(0, problem.GetProperty("limit").GetInt64());
        var error = await AccessCalls.JsonAsync(snippets, 403);
        Assert.Equal("QuotaExceededError", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task PipRequirementsCountAsDependencySetsAndPipNeverRuns()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);

        // No index serves the package: had pip run, the answer would be 422 (dependencies could not be installed).
        var function = await Server.DeployAsAsync(GranaryServer.AdminKey, tenant, "w", "py", "def main(event, context):\n    return 1\n", new { runtime = "python", requirements = new List<string> { "granary-no-such-package-3f9c==1.0" } });
        var snippets = await Server.SendAsync(
            GranaryServer.AdminKey,
            HttpMethod.Post,
            "/v2/functions/pydeps",
            "{\"functions\":{\"f\":{\"code\":\"return 1\",\"language\":\"python\"}},\"requirements\":[\"granary-no-such-package-3f9c==1.0\"]}",
            [KeyValuePair.Create("X-Granary-Tenant", tenant)]);

        var problem = await AccessCalls.ProblemAsync(function, 403, "quota-exceeded");
        Assert.Equal("maxDependencySets", problem.GetProperty("quota").GetString());
        var error = await AccessCalls.JsonAsync(snippets, 403);
        Assert.Equal("QuotaExceededError", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task AnInvocationBeyondMaxConcurrentInvocationsIs429WithRetryAfterAndOtherTenantsAreUnaffected()
    {
        var tenant = AccessFixture.Tenant();
        var other = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant, new { maxConcurrentInvocations = 1 });
        await Server.CreateTenantAsync(other, new { maxConcurrentInvocations = 1 });
        await Server.DeployInAsync(tenant, "w", "sleeper", Sleeper);
        await Server.DeployInAsync(tenant, "w", "quick", AccessCalls.Ok);
        await Server.DeployInAsync(other, "w", "quick", AccessCalls.Ok);
        var admission = Server.Services.GetRequiredService<TenantAdmission>();
        Assert.Equal("done", await AccessCalls.TextAsync(await Server.InvokeAsAsync(null, tenant, "w", "sleeper"), 200));

        var holding = Server.SendAsync(null, HttpMethod.Post, $"/fn/{tenant}/w/sleeper", "{\"ms\":2000}");
        await AccessCalls.EventuallyAsync(() => Task.FromResult(admission.InFlight(tenant) == 1 || holding.IsCompleted), "The held invocation being admitted");
        var refused = await Server.InvokeAsAsync(null, tenant, "w", "quick");
        var otherTenant = await Server.InvokeAsAsync(null, other, "w", "quick");
        var held = await holding;
        var after = await Server.InvokeAsAsync(null, tenant, "w", "quick");

        var problem = await AccessCalls.ProblemAsync(refused, 429, "quota-exceeded");
        Assert.Equal(["1"], refused.Headers.GetValues("Retry-After"));
        Assert.Equal("maxConcurrentInvocations", problem.GetProperty("quota").GetString());
        Assert.Equal(1, problem.GetProperty("limit").GetInt64());
        Assert.Equal($"Tenant '{tenant}' already runs or queues 1 invocations across the cluster; retry when one finishes (quota maxConcurrentInvocations = 1).", problem.GetProperty("detail").GetString());
        Assert.Equal("ok", await AccessCalls.TextAsync(otherTenant, 200));
        Assert.Equal("done", await AccessCalls.TextAsync(held, 200));
        Assert.Equal("ok", await AccessCalls.TextAsync(after, 200));
    }

    [Fact]
    public async Task AnInvocationBeyondInvocationsPerSecondIs429WithRetryAfterAndServedAgainLater()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant, new { invocationsPerSecond = 1 });
        await Server.DeployInAsync(tenant, "w", "f", AccessCalls.Ok);

        var first = await Server.InvokeAsAsync(null, tenant, "w", "f");
        var refused = await FirstRefusalAsync(() => Server.InvokeAsAsync(null, tenant, "w", "f"));

        Assert.Equal("ok", await AccessCalls.TextAsync(first, 200));
        var problem = await AccessCalls.ProblemAsync(refused, 429, "quota-exceeded");
        Assert.Equal(["1"], refused.Headers.GetValues("Retry-After"));
        Assert.Equal("invocationsPerSecond", problem.GetProperty("quota").GetString());
        Assert.Equal(1, problem.GetProperty("limit").GetInt64());
        Assert.Equal($"Tenant '{tenant}' has used its rate of 1 invocations per second; retry after 1 s (quota invocationsPerSecond = 1).", problem.GetProperty("detail").GetString());
        await AccessCalls.EventuallyAsync(async () => (int)(await Server.InvokeAsAsync(null, tenant, "w", "f")).StatusCode == 200, "An invocation served again after Retry-After");
    }

    [Fact]
    public async Task ACustomCodeRunBeyondInvocationsPerSecondIs429InTheServicesShape()
    {
        var tenant = AccessFixture.Tenant();
        KeyValuePair<string, string>[] inTenant = [KeyValuePair.Create("X-Granary-Tenant", tenant)];
        await Server.CreateTenantAsync(tenant, new { invocationsPerSecond = 1 });
        await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Post, "/v2/functions/cc", "{\"functions\":{\"f\":{\"code\":\"return 1;\"}}}", inTenant), 200);

        var refused = await FirstRefusalAsync(() => Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Post, "/v2/functions/cc/run/f", "{\"parameters\":{}}", inTenant));

        var error = await AccessCalls.JsonAsync(refused, 429);
        Assert.Equal(["1"], refused.Headers.GetValues("Retry-After"));
        Assert.Equal("TooManyRequestsError", error.GetProperty("error").GetString());
        Assert.Contains("(quota invocationsPerSecond = 1)", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    // Calls until one is refused (a few calls in a row outrun a rate of one a second); fails if none is.
    private static async Task<HttpResponseMessage> FirstRefusalAsync(Func<Task<HttpResponseMessage>> call)
    {
        for (var i = 0; i < 20; i++)
        {
            var response = await call();
            if ((int)response.StatusCode == 429)
            {
                return response;
            }

            Assert.Equal(200, (int)response.StatusCode);
        }

        Assert.Fail("Twenty calls in a row were all served at a rate of one a second.");
        return null!;
    }

    /// <summary>Small default quotas, so that each is cheap to reach.</summary>
    public sealed class Fixture : AccessFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Granary:Tenants:Defaults:MaxFunctions"] = "3",
            ["Granary:Tenants:Defaults:MaxWorkspaces"] = "2",
            ["Granary:Tenants:Defaults:MaxCodeBytes"] = "4096",
            ["Granary:Tenants:Defaults:MaxDependencySets"] = "0",
        };
    }
}
