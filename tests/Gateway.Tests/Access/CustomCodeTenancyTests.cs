using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Granary.Gateway.Tests.Access;

/// <summary>
/// The Custom Code API per tenant: a workspace belongs to the caller's tenant, runs follow the workspace's access,
/// the workspaces API manages them, and <c>Granary:CustomCode:AnonymousTenant</c> opens <c>/v2</c> (never <c>/api</c>).
/// </summary>
public sealed class CustomCodeTenancyTests(AccessFixture fixture) : IClassFixture<AccessFixture>
{
    private const string Run = "{\"parameters\":{}}";
    private const string CountCode = "cache.n = (cache.n || 0) + 1; return cache.n;";
    private static readonly string Counter = Snippets("count", CountCode);

    private GranaryServer Server => fixture.Server;

    [Fact]
    public async Task TheSameWorkspaceNameInTwoTenantsIsTwoWorkspacesWithTwoCaches()
    {
        var (tenantA, tenantB) = (AccessFixture.Tenant(), AccessFixture.Tenant());
        await Server.CreateTenantAsync(tenantA);
        await Server.CreateTenantAsync(tenantB);
        var (_, developerA) = await Server.CreateKeyAsync(tenantA, "developer");
        var (_, developerB) = await Server.CreateKeyAsync(tenantB, "developer");
        await AccessCalls.JsonAsync(await Server.SendAsync(developerA, HttpMethod.Post, "/v2/functions/Shared", Snippets("who", "return 'a';", "count", CountCode)), 200);
        await AccessCalls.JsonAsync(await Server.SendAsync(developerB, HttpMethod.Post, "/v2/functions/Shared", Snippets("who", "return 'b';", "count", CountCode)), 200);

        var whoA = await ResultAsync(developerA, "Shared", "who");
        var whoB = await ResultAsync(developerB, "Shared", "who");
        var countsA = new[] { await ResultAsync(developerA, "Shared", "count"), await ResultAsync(developerA, "Shared", "count") };
        var countB = await ResultAsync(developerB, "Shared", "count");
        var storedA = await AccessCalls.JsonAsync(await Server.SendAsync(developerA, HttpMethod.Get, "/v2/functions/Shared"), 200);

        Assert.Equal("a", whoA);
        Assert.Equal("b", whoB);
        Assert.Equal(["1", "2"], countsA);
        Assert.Equal("1", countB);
        Assert.Equal("return 'a';", storedA.GetProperty("functions").GetProperty("who").GetProperty("code").GetString());
    }

    [Fact]
    public async Task TheAdminKeyWorksInTheDefaultTenantOrInTheTenantItsHeaderNames()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        var (inDefault, inTenant) = ("Def_" + Guid.NewGuid().ToString("N")[..8], "Ten_" + Guid.NewGuid().ToString("N")[..8]);

        await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Post, $"/v2/functions/{inDefault}", Snippets("f", "return 1;")), 200);
        await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Post, $"/v2/functions/{inTenant}", Snippets("f", "return 1;"), Named(tenant)), 200);

        var found = await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, $"/api/v1/tenants/default/workspaces/{inDefault}"), 200);
        Assert.Equal($"{{\"name\":\"{inDefault}\",\"access\":\"key\",\"functions\":0,\"hasSnippets\":true}}", found.GetRawText());
        await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, $"/api/v1/tenants/{tenant}/workspaces/{inTenant}"), 200);
        await AccessCalls.ProblemAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, $"/api/v1/tenants/{tenant}/workspaces/{inDefault}"), 404, "workspace-not-found");
        await AccessCalls.ProblemAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, $"/api/v1/tenants/default/workspaces/{inTenant}"), 404, "workspace-not-found");
        Assert.Equal(HttpStatusCode.NotFound, (await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, $"/v2/functions/{inTenant}")).StatusCode);
    }

    [Fact]
    public async Task RunningAWorkspaceOfAccessKeyNeedsAKeyOfItsTenant()
    {
        var (tenant, other) = (AccessFixture.Tenant(), AccessFixture.Tenant());
        await Server.CreateTenantAsync(tenant);
        await Server.CreateTenantAsync(other);
        var (_, developer) = await Server.CreateKeyAsync(tenant, "developer");
        var (_, invoker) = await Server.CreateKeyAsync(tenant, "invoker");
        var (otherId, otherOwner) = await Server.CreateKeyAsync(other, "owner");
        await AccessCalls.JsonAsync(await Server.SendAsync(developer, HttpMethod.Post, "/v2/functions/keyed", Snippets("hello", "return 'hi';")), 200);

        var anonymous = await Server.SendAsync(null, HttpMethod.Post, "/v2/functions/keyed/run/hello", Run, Named(tenant));
        var badKey = await Server.SendAsync("gk_garbage", HttpMethod.Post, "/v2/functions/keyed/run/hello", Run);
        var otherOwn = await Server.SendAsync(otherOwner, HttpMethod.Post, "/v2/functions/keyed/run/hello", Run);
        var otherNamed = await Server.SendAsync(otherOwner, HttpMethod.Post, "/v2/functions/keyed/run/hello", Run, Named(tenant));
        var invoked = await Server.SendAsync(invoker, HttpMethod.Post, "/v2/functions/keyed/run/hello", Run);

        var unauthorized = await AccessCalls.UnauthorizedAsync(anonymous);
        Assert.Equal("This workspace's access is 'key': send 'Authorization: Bearer <key>' with a key of its tenant.", unauthorized.GetProperty("detail").GetString());
        await AccessCalls.UnauthorizedAsync(badKey, "Bearer error=\"invalid_token\"");
        Assert.Equal("{\"error\":\"ObjectNotFoundError\",\"message\":\"Object not found\",\"details\":{\"path\":\"/run/hello\"}}", await AccessCalls.TextAsync(otherOwn, 404));
        var forbidden = await AccessCalls.ProblemAsync(otherNamed, 403, "forbidden");
        Assert.Equal($"The key gk_{other}_{otherId} may not run workspaces of tenant '{tenant}'.", forbidden.GetProperty("detail").GetString());
        Assert.Equal("hi", (await AccessCalls.JsonAsync(invoked, 200)).GetProperty("result").GetString());
    }

    [Fact]
    public async Task APublicWorkspaceRunsForAnonymousCallersButIsStillStoredAndReadWithKeys()
    {
        var tenant = AccessFixture.Tenant();
        var inDefault = "Pub_" + Guid.NewGuid().ToString("N")[..8];
        await Server.CreateTenantAsync(tenant);
        await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Post, "/v2/functions/open", Snippets("hello", "return 'hi';"), Named(tenant)), 200);
        await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Post, $"/v2/functions/{inDefault}", Snippets("hello", "return 'hi from default';")), 200);

        var opened = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, $"/api/v1/tenants/{tenant}/workspaces/open", new { access = "public" });
        await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, $"/api/v1/tenants/default/workspaces/{inDefault}", new { access = "public" }), 200);
        var run = await Server.SendAsync(null, HttpMethod.Post, "/v2/functions/open/run/hello", Run, Named(tenant));
        var runDefault = await Server.SendAsync(null, HttpMethod.Post, $"/v2/functions/{inDefault}/run/hello", Run);
        var read = await Server.SendAsync(null, HttpMethod.Get, "/v2/functions/open", headers: Named(tenant));
        var store = await Server.SendAsync(null, HttpMethod.Post, "/v2/functions/open", Snippets("hello", "return 'mine';"), Named(tenant));
        await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, $"/api/v1/tenants/{tenant}/workspaces/open", new { access = "key" }), 200);
        var closed = await Server.SendAsync(null, HttpMethod.Post, "/v2/functions/open/run/hello", Run, Named(tenant));

        Assert.Equal("{\"name\":\"open\",\"access\":\"public\",\"functions\":0,\"hasSnippets\":true}", (await AccessCalls.JsonAsync(opened, 200)).GetRawText());
        Assert.Equal("hi", (await AccessCalls.JsonAsync(run, 200)).GetProperty("result").GetString());
        Assert.Equal("hi from default", (await AccessCalls.JsonAsync(runDefault, 200)).GetProperty("result").GetString());
        await AccessCalls.UnauthorizedAsync(read);
        await AccessCalls.UnauthorizedAsync(store);
        await AccessCalls.UnauthorizedAsync(closed);
    }

    [Fact]
    public async Task TheWorkspacesApiCreatesListsAndDeletesAWorkspaceWithItsFunctionsSnippetsAndCache()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        var (_, developer) = await Server.CreateKeyAsync(tenant, "developer");
        var workspaces = $"/api/v1/tenants/{tenant}/workspaces";

        var created = await Server.SendAsync(developer, HttpMethod.Put, $"{workspaces}/empty", new { access = "public" });
        var reset = await AccessCalls.JsonAsync(await Server.SendAsync(developer, HttpMethod.Put, $"{workspaces}/empty", new { }), 200);
        await AccessCalls.JsonAsync(await Server.DeployAsAsync(developer, tenant, "cc", "f", AccessCalls.Ok), 201);
        await AccessCalls.JsonAsync(await Server.SendAsync(developer, HttpMethod.Post, "/v2/functions/cc", Counter), 200);
        await ResultAsync(developer, "cc", "count");
        await ResultAsync(developer, "cc", "count");
        var listed = await AccessCalls.JsonAsync(await Server.SendAsync(developer, HttpMethod.Get, workspaces), 200);

        var deleted = await Server.SendAsync(developer, HttpMethod.Delete, $"{workspaces}/cc");

        Assert.Equal("{\"name\":\"empty\",\"access\":\"public\",\"functions\":0,\"hasSnippets\":false}", (await AccessCalls.JsonAsync(created, 201)).GetRawText());
        Assert.Equal($"{workspaces}/empty", created.Headers.Location?.OriginalString);
        Assert.Equal("key", reset.GetProperty("access").GetString());
        Assert.Equal(
            "{\"workspaces\":[{\"name\":\"cc\",\"access\":\"key\",\"functions\":1,\"hasSnippets\":true},{\"name\":\"empty\",\"access\":\"key\",\"functions\":0,\"hasSnippets\":false}]}",
            listed.GetRawText());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await AccessCalls.ProblemAsync(await Server.SendAsync(developer, HttpMethod.Get, $"{workspaces}/cc"), 404, "workspace-not-found");
        await AccessCalls.ProblemAsync(await Server.SendAsync(developer, HttpMethod.Delete, $"{workspaces}/cc"), 404, "workspace-not-found");
        await AccessCalls.ProblemAsync(await Server.SendAsync(developer, HttpMethod.Get, GranaryServer.FunctionPath("cc", "f", tenant)), 404, "function-not-found");
        await AccessCalls.ProblemAsync(await Server.InvokeAsAsync(developer, tenant, "cc", "f"), 404, "function-not-found");
        Assert.Equal(HttpStatusCode.NotFound, (await Server.SendAsync(developer, HttpMethod.Get, "/v2/functions/cc")).StatusCode);
        Assert.Equal("{\"workspaces\":[{\"name\":\"empty\",\"access\":\"key\",\"functions\":0,\"hasSnippets\":false}]}", (await AccessCalls.JsonAsync(await Server.SendAsync(developer, HttpMethod.Get, workspaces), 200)).GetRawText());
        await AccessCalls.JsonAsync(await Server.SendAsync(developer, HttpMethod.Post, "/v2/functions/cc", Counter), 200);
        Assert.Equal("1", await ResultAsync(developer, "cc", "count"));
    }

    [Fact]
    public async Task AWorkspaceAccessOtherThanPublicOrKeyIsRefused()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);

        var response = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, $"/api/v1/tenants/{tenant}/workspaces/w", new { access = "secret" });

        var problem = await AccessCalls.ProblemAsync(response, 400, "invalid-workspace");
        Assert.Equal("access must be one of: public, key.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task StoringAWorkspaceInATenantThatDoesNotExistIsRefused()
    {
        var ghost = AccessFixture.Tenant();

        var stored = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Post, "/v2/functions/Ghost", Snippets("f", "return 1;"), Named(ghost));
        var run = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Post, "/v2/functions/Ghost/run/f", Run, Named(ghost));

        var error = await AccessCalls.JsonAsync(stored, 404);
        Assert.Equal("ObjectNotFoundError", error.GetProperty("error").GetString());
        Assert.Contains($"There is no tenant '{ghost}'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("{\"error\":\"ObjectNotFoundError\",\"message\":\"Object not found\",\"details\":{\"path\":\"/run/f\"}}", await AccessCalls.TextAsync(run, 404));
    }

    [Fact]
    public async Task AnXGranaryTenantHeaderThatIsNoTenantNameIsRefused()
    {
        var response = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, "/v2/functions/ws", headers: Named("Bad_Name"));

        var error = await AccessCalls.JsonAsync(response, 400);
        Assert.Equal("RequestValidationError", error.GetProperty("error").GetString());
        Assert.StartsWith("request/headers/x-granary-tenant: The tenant name 'Bad_Name' is invalid", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheAnonymousTenantSettingServesCustomCodeWithoutKeysInThatTenantButNeverTheManagementApi()
    {
        var tenant = AccessFixture.Tenant();
        await using var server = await GranaryServer.StartAsync(settings: new Dictionary<string, string?> { ["Granary:CustomCode:AnonymousTenant"] = tenant });
        await server.CreateTenantAsync(tenant);

        var stored = await server.SendAsync(null, HttpMethod.Post, "/v2/functions/Anon", Snippets("hello", "return 'hi';"));
        var run = await server.SendAsync(null, HttpMethod.Post, "/v2/functions/Anon/run/hello", Run);
        var read = await server.SendAsync(null, HttpMethod.Get, "/v2/functions/Anon");
        var forged = await server.Anonymous.PostAsync("/v2/functions/Forged", new StringContent(Snippets("hello", "return 1;"), Encoding.UTF8, "text/plain"), TestContext.Current.CancellationToken);
        var workspace = await server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, $"/api/v1/tenants/{tenant}/workspaces/Anon");
        var audit = await AccessCalls.JsonAsync(await server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, $"/api/v1/tenants/{tenant}/audit"), 200);
        var management = await server.SendAsync(null, HttpMethod.Get, $"/api/v1/tenants/{tenant}");
        var deleted = await server.SendAsync(null, HttpMethod.Delete, "/v2/functions/Anon");

        await AccessCalls.TextAsync(stored, 200);
        Assert.Equal("hi", (await AccessCalls.JsonAsync(run, 200)).GetProperty("result").GetString());
        await AccessCalls.JsonAsync(read, 200);
        await AccessCalls.ProblemAsync(forged, 415, "unsupported-media-type");
        Assert.True((await AccessCalls.JsonAsync(workspace, 200)).GetProperty("hasSnippets").GetBoolean());
        var entry = Assert.Single(audit.GetProperty("entries").EnumerateArray());
        Assert.Equal("snippets.put", entry.GetProperty("action").GetString());
        Assert.Equal(
            $"{{\"keyId\":\"anonymous\",\"prefix\":\"anonymous\",\"name\":\"Granary:CustomCode:AnonymousTenant\",\"role\":\"developer\",\"tenant\":\"{tenant}\"}}",
            entry.GetProperty("actor").GetRawText());
        await AccessCalls.UnauthorizedAsync(management);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, "/v2/functions/Forged", headers: Named(tenant))).StatusCode);
    }

    private static string Snippets(string name, string code, string? name2 = null, string? code2 = null)
    {
        var functions = new JsonObject { [name] = new JsonObject { ["code"] = code } };
        if (name2 is not null)
        {
            functions[name2] = new JsonObject { ["code"] = code2 };
        }

        return new JsonObject { ["functions"] = functions }.ToJsonString();
    }

    private static KeyValuePair<string, string>[] Named(string tenant) => [KeyValuePair.Create("X-Granary-Tenant", tenant)];

    // Runs a function with a key and returns its result as raw JSON text (a string without its quotes).
    private async Task<string> ResultAsync(string key, string workspace, string function)
    {
        var body = await AccessCalls.JsonAsync(await Server.SendAsync(key, HttpMethod.Post, $"/v2/functions/{workspace}/run/{function}", Run), 200);
        var result = body.GetProperty("result");
        return result.ValueKind == JsonValueKind.String ? result.GetString()! : result.GetRawText();
    }
}
