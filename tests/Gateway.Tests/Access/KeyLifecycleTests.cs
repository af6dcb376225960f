using System.Net;

namespace Granary.Gateway.Tests.Access;

/// <summary>API keys from creation to revocation: shown once, listed without their values, refused once revoked.</summary>
public sealed class KeyLifecycleTests(AccessFixture fixture) : IClassFixture<AccessFixture>
{
    private GranaryServer Server => fixture.Server;

    [Fact]
    public async Task ACreatedKeyIsShownOnceAndListingsNameItWithoutItsValue()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        var (ownerId, owner) = await Server.CreateKeyAsync(tenant, "owner");

        var response = await Server.SendAsync(owner, HttpMethod.Post, $"/api/v1/tenants/{tenant}/keys", new { role = "developer", name = "ci deploy" });
        var created = await AccessCalls.JsonAsync(response, 201);
        var listed = await AccessCalls.JsonAsync(await Server.SendAsync(owner, HttpMethod.Get, $"/api/v1/tenants/{tenant}/keys"), 200);

        var id = created.GetProperty("id").GetString()!;
        var key = created.GetProperty("key").GetString()!;
        Assert.Equal(["id", "key", "prefix", "role", "name", "createdAt"], created.EnumerateObject().Select(p => p.Name));
        Assert.Matches("^[abcdefghijkmnpqrstuvwxyz23456789]{8}$", id);
        Assert.Matches($"^gk_{tenant}_{id}_[A-Za-z0-9]{{32}}$", key);
        Assert.Equal($"gk_{tenant}_{id}", created.GetProperty("prefix").GetString());
        Assert.Equal("developer", created.GetProperty("role").GetString());
        Assert.Equal("ci deploy", created.GetProperty("name").GetString());
        Assert.Equal($"/api/v1/tenants/{tenant}/keys/{id}", response.Headers.Location?.OriginalString);
        var keys = listed.GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal([ownerId, id], keys.Select(k => k.GetProperty("id").GetString()));
        Assert.All(keys, k => Assert.Equal(["id", "prefix", "role", "name", "createdAt", "createdBy"], k.EnumerateObject().Select(p => p.Name)));
        Assert.Equal("admin", keys[0].GetProperty("createdBy").GetString());
        Assert.Equal($"gk_{tenant}_{ownerId}", keys[1].GetProperty("createdBy").GetString());
        Assert.Equal(created.GetProperty("createdAt").GetDateTimeOffset(), keys[1].GetProperty("createdAt").GetDateTimeOffset());
        Assert.DoesNotContain(key[^32..], listed.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(owner[^32..], listed.GetRawText(), StringComparison.Ordinal);
        await AccessCalls.JsonAsync(await Server.SendAsync(key, HttpMethod.Get, $"/api/v1/tenants/{tenant}/workspaces"), 200);
    }

    [Fact]
    public async Task AKeyWithAnExpiryWorksUntilThenAndIsRefusedAfterSayingItExpired()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        await Server.DeployInAsync(tenant, "w", "keyed", AccessCalls.Ok, new { access = "key" });
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(2);

        var created = await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Post, $"/api/v1/tenants/{tenant}/keys", new { role = "owner", expiresAt }), 201);
        var key = created.GetProperty("key").GetString()!;
        var before = await Server.InvokeAsAsync(key, tenant, "w", "keyed");
        var listed = await AccessCalls.JsonAsync(await Server.SendAsync(key, HttpMethod.Get, $"/api/v1/tenants/{tenant}/keys"), 200);
        await AccessCalls.EventuallyAsync(async () => (await Server.SendAsync(key, HttpMethod.Get, $"/api/v1/tenants/{tenant}")).StatusCode == HttpStatusCode.Unauthorized, "The key being refused after its expiry");
        var management = await Server.SendAsync(key, HttpMethod.Get, $"/api/v1/tenants/{tenant}");
        var invocation = await Server.InvokeAsAsync(key, tenant, "w", "keyed");

        Assert.Equal(expiresAt, created.GetProperty("expiresAt").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));
        Assert.Equal(expiresAt, listed.GetProperty("keys")[0].GetProperty("expiresAt").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));
        Assert.Equal("ok", await AccessCalls.TextAsync(before, 200));
        Assert.True(DateTimeOffset.UtcNow >= expiresAt, "The key was refused before its expiry.");
        foreach (var refused in new[] { management, invocation })
        {
            var problem = await AccessCalls.UnauthorizedAsync(refused, "Bearer error=\"invalid_token\"");
            Assert.Equal("The key has expired.", problem.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task AKeyThatWouldExpireInThePastIsRefused()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);

        var response = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Post, $"/api/v1/tenants/{tenant}/keys", new { role = "owner", expiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) });

        var problem = await AccessCalls.ProblemAsync(response, 400, "invalid-key");
        Assert.Equal("expiresAt must be in the future.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AKeyWithoutANameIsNamedAfterItsRole()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);

        var created = await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Post, $"/api/v1/tenants/{tenant}/keys", new { role = "invoker" }), 201);

        Assert.Equal("invoker", created.GetProperty("name").GetString());
    }

    [Fact]
    public async Task ARevokedKeyIsRefusedAtOnceAsAnInvalidToken()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        await Server.DeployInAsync(tenant, "w", "keyed", AccessCalls.Ok, new { access = "key" });
        var (_, owner) = await Server.CreateKeyAsync(tenant, "owner");
        var (id, developer) = await Server.CreateKeyAsync(tenant, "developer");
        await AccessCalls.JsonAsync(await Server.SendAsync(developer, HttpMethod.Get, $"/api/v1/tenants/{tenant}"), 200);
        Assert.Equal("ok", await AccessCalls.TextAsync(await Server.InvokeAsAsync(developer, tenant, "w", "keyed"), 200));

        var revoked = await Server.SendAsync(owner, HttpMethod.Delete, $"/api/v1/tenants/{tenant}/keys/{id}");
        var api = await Server.SendAsync(developer, HttpMethod.Get, $"/api/v1/tenants/{tenant}");
        var invoke = await Server.InvokeAsAsync(developer, tenant, "w", "keyed");
        var listed = await AccessCalls.JsonAsync(await Server.SendAsync(owner, HttpMethod.Get, $"/api/v1/tenants/{tenant}/keys"), 200);
        var again = await Server.SendAsync(owner, HttpMethod.Delete, $"/api/v1/tenants/{tenant}/keys/{id}");

        Assert.Equal(System.Net.HttpStatusCode.NoContent, revoked.StatusCode);
        var problem = await AccessCalls.UnauthorizedAsync(api, "Bearer error=\"invalid_token\"");
        Assert.Equal("The key is not valid: it is unknown or was revoked.", problem.GetProperty("detail").GetString());
        await AccessCalls.UnauthorizedAsync(invoke, "Bearer error=\"invalid_token\"");
        Assert.DoesNotContain(id, listed.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("id").GetString()));
        var missing = await AccessCalls.ProblemAsync(again, 404, "key-not-found");
        Assert.Equal($"Tenant '{tenant}' has no key '{id}'.", missing.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AnOwnerCannotRevokeAnotherTenantsKey()
    {
        var (tenantA, tenantB) = (AccessFixture.Tenant(), AccessFixture.Tenant());
        await Server.CreateTenantAsync(tenantA);
        await Server.CreateTenantAsync(tenantB);
        var (id, developerA) = await Server.CreateKeyAsync(tenantA, "developer");
        var (_, ownerB) = await Server.CreateKeyAsync(tenantB, "owner");

        var refused = await Server.SendAsync(ownerB, HttpMethod.Delete, $"/api/v1/tenants/{tenantA}/keys/{id}");
        var sideways = await Server.SendAsync(ownerB, HttpMethod.Delete, $"/api/v1/tenants/{tenantB}/keys/{id}");

        await AccessCalls.ProblemAsync(refused, 403, "forbidden");
        await AccessCalls.ProblemAsync(sideways, 404, "key-not-found");
        await AccessCalls.JsonAsync(await Server.SendAsync(developerA, HttpMethod.Get, $"/api/v1/tenants/{tenantA}"), 200);
    }

    [Theory]
    [InlineData("{\"role\":\"admin\"}")]
    [InlineData("{\"role\":\"superuser\",\"name\":\"x\"}")]
    [InlineData("{\"role\":\"Owner\"}")]
    [InlineData("{\"name\":\"no role\"}")]
    public async Task AKeyCanOnlyHaveATenantRole(string body)
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);

        var response = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Post, $"/api/v1/tenants/{tenant}/keys", body);
        var listed = await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, $"/api/v1/tenants/{tenant}/keys"), 200);

        var problem = await AccessCalls.ProblemAsync(response, 400, "invalid-key");
        Assert.Equal("role must be one of: owner, developer, invoker, metrics (a tenant key cannot be admin).", problem.GetProperty("detail").GetString());
        Assert.Empty(listed.GetProperty("keys").EnumerateArray());
    }

    [Theory]
    [InlineData("line\nbreak")]
    [InlineData("")]
    [InlineData("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    public async Task AKeyNameIsOneToAHundredPrintableCharacters(string name)
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);

        var response = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Post, $"/api/v1/tenants/{tenant}/keys", new { role = "owner", name });

        var problem = await AccessCalls.ProblemAsync(response, 400, "invalid-key");
        Assert.Equal("name must be 1 to 100 characters with no control characters.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AKeyForATenantThatDoesNotExistIsRefused()
    {
        var tenant = AccessFixture.Tenant();

        var response = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Post, $"/api/v1/tenants/{tenant}/keys", new { role = "owner" });

        var problem = await AccessCalls.ProblemAsync(response, 404, "tenant-not-found");
        Assert.Contains($"'{tenant}'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARequestWithoutAKeyIsChallengedWithABareBearer()
    {
        var response = await Server.SendAsync(null, HttpMethod.Get, "/api/v1/tenants/default/workspaces");

        var problem = await AccessCalls.UnauthorizedAsync(response);
        Assert.Equal("Unauthorized", problem.GetProperty("title").GetString());
        Assert.Equal("This request needs an API key: send 'Authorization: Bearer <key>'.", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("Bearer gk_garbage")]
    [InlineData("Bearer not-a-granary-key-at-all")]
    [InlineData("Bearer {admin}x")]
    [InlineData("Bearer {wrong-secret}")]
    [InlineData("Bearer {unknown-tenant}")]
    [InlineData("Bearer {unknown-id}")]
    [InlineData("Basic dXNlcjpwYXNzd29yZA==")]
    public async Task AnUnknownOrMalformedKeyIsChallengedAsAnInvalidToken(string authorization)
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        var (id, key) = await Server.CreateKeyAsync(tenant, "owner");
        var header = authorization
            .Replace("{admin}", GranaryServer.AdminKey, StringComparison.Ordinal)
            .Replace("{wrong-secret}", key[..^32] + new string('A', 32), StringComparison.Ordinal)
            .Replace("{unknown-tenant}", key.Replace(tenant, AccessFixture.Tenant(), StringComparison.Ordinal), StringComparison.Ordinal)
            .Replace("{unknown-id}", key.Replace(id, "zzzzzzzz", StringComparison.Ordinal), StringComparison.Ordinal);

        var response = await Server.SendAsync(null, HttpMethod.Get, $"/api/v1/tenants/{tenant}", headers: [KeyValuePair.Create("Authorization", header)]);

        var problem = await AccessCalls.UnauthorizedAsync(response, "Bearer error=\"invalid_token\"");
        Assert.Equal(
            authorization.StartsWith("Basic", StringComparison.Ordinal) ? "The Authorization header must be 'Bearer <key>'." : "The key is not valid: it is unknown or was revoked.",
            problem.GetProperty("detail").GetString());
        Assert.DoesNotContain(header[(header.IndexOf(' ', StringComparison.Ordinal) + 1)..], problem.GetRawText(), StringComparison.Ordinal);
    }
}
