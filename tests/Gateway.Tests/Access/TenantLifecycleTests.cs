using System.Net;

namespace Granary.Gateway.Tests.Access;

/// <summary>Tenants from creation to deletion: quotas and usage, the default tenant, and a deletion that leaves nothing behind.</summary>
public sealed class TenantLifecycleTests(AccessFixture fixture) : IClassFixture<AccessFixture>
{
    private const string DefaultQuotas = "{\"maxFunctions\":1000,\"maxWorkspaces\":100,\"maxCodeBytes\":1048576,\"maxConcurrentInvocations\":100,\"invocationsPerSecond\":0,\"maxDependencySets\":20}";
    private const string NoUsage = "{\"functions\":0,\"workspaces\":0,\"dependencySets\":0,\"keys\":0,\"secrets\":0}";

    private static readonly string[] s_token = ["TOKEN"];

    private GranaryServer Server => fixture.Server;

    [Fact]
    public async Task PuttingANewTenantCreatesItWithTheDefaultQuotasAndPuttingItAgainUpdatesIt()
    {
        var tenant = AccessFixture.Tenant();

        var created = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, $"/api/v1/tenants/{tenant}", new { });
        var first = await AccessCalls.JsonAsync(created, 201);
        var updated = await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, $"/api/v1/tenants/{tenant}", new { quotas = new { maxFunctions = 5, invocationsPerSecond = 7 } }), 200);
        var reset = await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, $"/api/v1/tenants/{tenant}", new { quotas = new { } }), 200);
        var read = await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, $"/api/v1/tenants/{tenant}"), 200);

        Assert.Equal($"/api/v1/tenants/{tenant}", created.Headers.Location?.OriginalString);
        Assert.Equal(["name", "quotas", "overrides", "usage", "createdAt", "updatedAt"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal(tenant, first.GetProperty("name").GetString());
        Assert.Equal(DefaultQuotas, first.GetProperty("quotas").GetRawText());
        Assert.Equal("{}", first.GetProperty("overrides").GetRawText());
        Assert.Equal(NoUsage, first.GetProperty("usage").GetRawText());
        Assert.Equal(first.GetProperty("createdAt").GetDateTimeOffset(), first.GetProperty("updatedAt").GetDateTimeOffset());
        Assert.Equal(DefaultQuotas.Replace("1000", "5", StringComparison.Ordinal).Replace("\"invocationsPerSecond\":0", "\"invocationsPerSecond\":7", StringComparison.Ordinal), updated.GetProperty("quotas").GetRawText());
        Assert.Equal("{\"maxFunctions\":5,\"invocationsPerSecond\":7}", updated.GetProperty("overrides").GetRawText());
        Assert.Equal(first.GetProperty("createdAt").GetDateTimeOffset(), updated.GetProperty("createdAt").GetDateTimeOffset());
        Assert.True(updated.GetProperty("updatedAt").GetDateTimeOffset() >= first.GetProperty("updatedAt").GetDateTimeOffset());
        Assert.Equal("{}", reset.GetProperty("overrides").GetRawText());
        Assert.Equal(DefaultQuotas, reset.GetProperty("quotas").GetRawText());
        Assert.Equal(reset.GetRawText(), read.GetRawText());
    }

    [Fact]
    public async Task TheDefaultTenantExistsFromTheStartAndTheListingShowsEveryTenant()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);

        var single = await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, "/api/v1/tenants/default"), 200);
        var list = await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, "/api/v1/tenants"), 200);

        Assert.Equal("default", single.GetProperty("name").GetString());
        Assert.Equal(["tenants"], list.EnumerateObject().Select(p => p.Name));
        var names = list.GetProperty("tenants").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Contains("default", names);
        Assert.Contains(tenant, names);
        Assert.Equal(NoUsage, list.GetProperty("tenants").EnumerateArray().Single(t => t.GetProperty("name").GetString() == tenant).GetProperty("usage").GetRawText());
    }

    [Fact]
    public async Task DeployingIntoATenantNeverCreatedIs404NamingIt()
    {
        var ghost = AccessFixture.Tenant();

        var deploy = await Server.DeployAsAsync(GranaryServer.AdminKey, ghost, "w", "f", AccessCalls.Ok);
        var read = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, $"/api/v1/tenants/{ghost}");

        var problem = await AccessCalls.ProblemAsync(deploy, 404, "tenant-not-found");
        Assert.Equal($"There is no tenant '{ghost}'; an admin creates it with PUT /api/v1/tenants/{ghost}.", problem.GetProperty("detail").GetString());
        await AccessCalls.ProblemAsync(read, 404, "tenant-not-found");
    }

    [Fact]
    public async Task UsageCountsTheTenantsFunctionsWorkspacesKeysAndSecrets()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        await Server.DeployInAsync(tenant, "one", "a", AccessCalls.Ok);
        await Server.DeployInAsync(tenant, "one", "b", AccessCalls.Ok);
        await Server.DeployInAsync(tenant, "two", "c", AccessCalls.Ok);
        await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, $"/api/v1/tenants/{tenant}/workspaces/three", new { access = "public" }), 201);
        await Server.CreateKeyAsync(tenant, "owner");
        await Server.CreateKeyAsync(tenant, "invoker");
        await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, $"/api/v1/tenants/{tenant}/secrets/TOKEN", new { value = "v" }), 201);

        var info = await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, $"/api/v1/tenants/{tenant}"), 200);

        Assert.Equal("{\"functions\":3,\"workspaces\":3,\"dependencySets\":0,\"keys\":2,\"secrets\":1}", info.GetProperty("usage").GetRawText());
    }

    [Fact]
    public async Task DeletingATenantRemovesEverythingItHadAndACreatedAgainTenantStartsEmpty()
    {
        var tenant = AccessFixture.Tenant();
        KeyValuePair<string, string>[] inTenant = [KeyValuePair.Create("X-Granary-Tenant", tenant)];
        const string Counter = "{\"functions\":{\"count\":{\"code\":\"cache.n = (cache.n || 0) + 1; return cache.n;\"}}}";
        await Server.CreateTenantAsync(tenant);
        var (_, owner) = await Server.CreateKeyAsync(tenant, "owner");
        await AccessCalls.JsonAsync(await Server.SendAsync(owner, HttpMethod.Put, $"/api/v1/tenants/{tenant}/secrets/TOKEN", new { value = "v" }), 201);
        await AccessCalls.JsonAsync(await Server.DeployAsAsync(owner, tenant, "w", "f", "module.exports = () => process.env.TOKEN;", new { secrets = s_token }), 201);
        Assert.Equal("v", await (await Server.InvokeAsAsync(null, tenant, "w", "f")).Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        await AccessCalls.JsonAsync(await Server.SendAsync(owner, HttpMethod.Post, "/v2/functions/cc", Counter), 200);
        await AccessCalls.JsonAsync(await Server.SendAsync(owner, HttpMethod.Post, "/v2/functions/cc/run/count", "{\"parameters\":{}}"), 200);
        await AccessCalls.JsonAsync(await Server.SendAsync(owner, HttpMethod.Post, "/v2/functions/cc/run/count", "{\"parameters\":{}}"), 200);

        var deleted = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Delete, $"/api/v1/tenants/{tenant}");
        var read = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, $"/api/v1/tenants/{tenant}");
        var workspaces = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, $"/api/v1/tenants/{tenant}/workspaces");
        var ownerAfter = await Server.SendAsync(owner, HttpMethod.Get, $"/api/v1/tenants/{tenant}");
        var invoke = await Server.InvokeAsAsync(null, tenant, "w", "f");
        var listed = await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, "/api/v1/tenants"), 200);
        var again = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Delete, $"/api/v1/tenants/{tenant}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await AccessCalls.ProblemAsync(read, 404, "tenant-not-found");
        await AccessCalls.ProblemAsync(workspaces, 404, "tenant-not-found");
        await AccessCalls.UnauthorizedAsync(ownerAfter, "Bearer error=\"invalid_token\"");
        await AccessCalls.ProblemAsync(invoke, 404, "function-not-found");
        Assert.DoesNotContain(tenant, listed.GetProperty("tenants").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        await AccessCalls.ProblemAsync(again, 404, "tenant-not-found");

        var recreated = await Server.CreateTenantAsync(tenant);
        Assert.Equal(NoUsage, recreated.GetProperty("usage").GetRawText());
        Assert.Equal("{\"keys\":[]}", await GetRawAsync($"/api/v1/tenants/{tenant}/keys"));
        Assert.Equal("{\"secrets\":[]}", await GetRawAsync($"/api/v1/tenants/{tenant}/secrets"));
        Assert.Equal("{\"workspaces\":[]}", await GetRawAsync($"/api/v1/tenants/{tenant}/workspaces"));
        Assert.Equal("{\"entries\":[]}", await GetRawAsync($"/api/v1/tenants/{tenant}/audit"));
        await AccessCalls.ProblemAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, GranaryServer.FunctionPath("w", "f", tenant)), 404, "function-not-found");
        Assert.Equal(HttpStatusCode.NotFound, (await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, "/v2/functions/cc", headers: inTenant)).StatusCode);
        await AccessCalls.UnauthorizedAsync(await Server.SendAsync(owner, HttpMethod.Get, $"/api/v1/tenants/{tenant}"), "Bearer error=\"invalid_token\"");
        await Server.DeployInAsync(tenant, "w", "f", AccessCalls.Ok);
        Assert.Equal("{\"invocations\":[]}", await GetRawAsync(GranaryServer.FunctionPath("w", "f", tenant) + "/invocations"));
        await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Post, "/v2/functions/cc", Counter, inTenant), 200);
        var counted = await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Post, "/v2/functions/cc/run/count", "{\"parameters\":{}}", inTenant), 200);
        Assert.Equal(1, counted.GetProperty("result").GetInt32());
    }

    [Theory]
    [InlineData("{\"quotas\":{\"maxFunctions\":0}}", "invalid-quotas", "quotas.maxFunctions: 0 is out of range; it must be between 1 and 10000000.")]
    [InlineData("{\"quotas\":{\"invocationsPerSecond\":-1}}", "invalid-quotas", "quotas.invocationsPerSecond: -1 is out of range; it must be between 0 and 10000000.")]
    [InlineData("{\"quotas\":{\"maxCodeBytes\":1048577}}", "invalid-quotas", "quotas.maxCodeBytes: 1048577 is out of range; it must be between 1 and 1048576.")]
    [InlineData("{\"quotas\":{\"maxFunction\":5}}", "invalid-request", "Unknown field 'quotas.maxFunction'.")]
    [InlineData("{\"quotas\":{\"maxFunctions\":\"5\"}}", "invalid-request", "The value of 'quotas.maxFunctions' has the wrong type: it must be a whole number.")]
    [InlineData("{\"quota\":{}}", "invalid-request", "Unknown field 'quota'. Known fields: quotas.")]
    public async Task InvalidQuotasAreRefusedNamingTheFieldAndCreateNoTenant(string body, string slug, string detail)
    {
        var tenant = AccessFixture.Tenant();

        var response = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, $"/api/v1/tenants/{tenant}", body);
        var read = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, $"/api/v1/tenants/{tenant}");

        var problem = await AccessCalls.ProblemAsync(response, 400, slug);
        Assert.StartsWith(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AccessCalls.ProblemAsync(read, 404, "tenant-not-found");
    }

    [Theory]
    [InlineData("Upper")]
    [InlineData("under_score")]
    [InlineData("-dash")]
    [InlineData("a-tenant-name-that-is-longer-than-forty-chars")]
    public async Task ATenantNameMustBeLowercaseDnsSafe(string name)
    {
        var response = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, $"/api/v1/tenants/{name}", new { });

        var problem = await AccessCalls.ProblemAsync(response, 400, "invalid-name");
        Assert.StartsWith($"The tenant name '{name}' is invalid", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private async Task<string> GetRawAsync(string path) =>
        (await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, path), 200)).GetRawText();
}
