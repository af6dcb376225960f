using System.Text.Json;

namespace Granary.Gateway.Tests.Access;

/// <summary>
/// The audit logs: each tenant's changes with the key that made them, newest first and bounded
/// (<c>Granary:Tenants:AuditSize</c>, 10 here); tenants created and deleted in the system log.
/// </summary>
public sealed class AuditTests(AuditTests.Fixture fixture) : IClassFixture<AuditTests.Fixture>
{
    private static readonly string[] s_token = ["TOKEN"];

    private GranaryServer Server => fixture.Server;

    [Fact]
    public async Task ChangesToKeysSecretsFunctionsAndTheTenantAreAuditedNewestFirstWithTheKeyThatMadeThem()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        var (ownerId, owner) = await Server.CreateKeyAsync(tenant, "owner");
        var (developerId, _) = await Server.CreateKeyAsync(tenant, "developer", "ci", creator: owner);
        await AccessCalls.JsonAsync(await Server.SendAsync(owner, HttpMethod.Put, $"/api/v1/tenants/{tenant}/secrets/TOKEN", new { value = "v" }), 201);
        await AccessCalls.JsonAsync(await Server.DeployAsAsync(owner, tenant, "w", "f", AccessCalls.Ok, new { secrets = s_token }), 201);
        await Server.SendAsync(owner, HttpMethod.Delete, GranaryServer.FunctionPath("w", "f", tenant));
        await Server.SendAsync(owner, HttpMethod.Delete, $"/api/v1/tenants/{tenant}/secrets/TOKEN");
        await Server.SendAsync(owner, HttpMethod.Delete, $"/api/v1/tenants/{tenant}/keys/{developerId}");
        await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, $"/api/v1/tenants/{tenant}", new { quotas = new { maxFunctions = 9 } }), 200);

        var entries = await EntriesAsync(owner, tenant);

        var ownerActor = $"{{\"keyId\":\"{ownerId}\",\"prefix\":\"gk_{tenant}_{ownerId}\",\"name\":\"owner\",\"role\":\"owner\",\"tenant\":\"{tenant}\"}}";
        const string AdminActor = "{\"keyId\":\"admin\",\"prefix\":\"admin\",\"name\":\"admin key\",\"role\":\"admin\"}";
        Assert.Equal(
            [
                ("tenant.update", tenant, null, AdminActor),
                ("key.revoke", developerId, $"gk_{tenant}_{developerId}", ownerActor),
                ("secret.delete", "TOKEN", null, ownerActor),
                ("function.delete", "w/f", null, ownerActor),
                ("function.deploy", "w/f", "version 1, access public", ownerActor),
                ("secret.set", "TOKEN", null, ownerActor),
                ("key.create", developerId, $"gk_{tenant}_{developerId}, role developer, name ci", ownerActor),
                ("key.create", ownerId, $"gk_{tenant}_{ownerId}, role owner, name owner", AdminActor),
            ],
            entries.Select(Describe));
        Assert.All(entries, e => Assert.Equal(["at", "actor", "action", "target", .. e.TryGetProperty("detail", out _) ? ["detail"] : Array.Empty<string>()], e.EnumerateObject().Select(p => p.Name)));
        var times = entries.Select(e => e.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderDescending(), times);
    }

    [Fact]
    public async Task WorkspaceAndSnippetChangesAreAudited()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        var (developerId, developer) = await Server.CreateKeyAsync(tenant, "developer");
        await AccessCalls.JsonAsync(await Server.SendAsync(developer, HttpMethod.Put, $"/api/v1/tenants/{tenant}/workspaces/ws", new { access = "key" }), 201);
        await AccessCalls.JsonAsync(await Server.SendAsync(developer, HttpMethod.Put, $"/api/v1/tenants/{tenant}/workspaces/ws", new { access = "public" }), 200);
        await AccessCalls.JsonAsync(await Server.SendAsync(developer, HttpMethod.Post, "/v2/functions/Snip", "{\"functions\":{\"f\":{\"code\":\"return 1;\"}}}"), 200);
        await Server.SendAsync(developer, HttpMethod.Delete, "/v2/functions/Snip");
        await Server.SendAsync(developer, HttpMethod.Delete, $"/api/v1/tenants/{tenant}/workspaces/ws");

        var entries = await EntriesAsync(GranaryServer.AdminKey, tenant);

        var actor = $"{{\"keyId\":\"{developerId}\",\"prefix\":\"gk_{tenant}_{developerId}\",\"name\":\"developer\",\"role\":\"developer\",\"tenant\":\"{tenant}\"}}";
        Assert.Equal(
            [
                ("workspace.delete", "ws", null, actor),
                ("snippets.delete", "Snip", null, actor),
                ("snippets.put", "Snip", null, actor),
                ("workspace.update", "ws", "access public", actor),
                ("workspace.create", "ws", "access key", actor),
                ("key.create", developerId, $"gk_{tenant}_{developerId}, role developer, name developer", "{\"keyId\":\"admin\",\"prefix\":\"admin\",\"name\":\"admin key\",\"role\":\"admin\"}"),
            ],
            entries.Select(Describe));
    }

    [Fact]
    public async Task RefusedChangesAndReadsAreNotAudited()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        var (_, invoker) = await Server.CreateKeyAsync(tenant, "invoker");
        await Server.SendAsync(invoker, HttpMethod.Put, $"/api/v1/tenants/{tenant}/secrets/TOKEN", new { value = "v" });
        await Server.DeployAsAsync(GranaryServer.AdminKey, tenant, "w", "f", AccessCalls.Ok, new { secrets = s_token });
        await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, $"/api/v1/tenants/{tenant}/keys");

        var entries = await EntriesAsync(GranaryServer.AdminKey, tenant);

        Assert.Equal(["key.create"], entries.Select(e => e.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task EachTenantSeesOnlyItsOwnChanges()
    {
        var (tenantA, tenantB) = (AccessFixture.Tenant(), AccessFixture.Tenant());
        await Server.CreateTenantAsync(tenantA);
        await Server.CreateTenantAsync(tenantB);
        await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, $"/api/v1/tenants/{tenantA}/secrets/TOKEN", new { value = "v" }), 201);

        var entriesA = await EntriesAsync(GranaryServer.AdminKey, tenantA);
        var entriesB = await EntriesAsync(GranaryServer.AdminKey, tenantB);

        Assert.Equal(["secret.set"], entriesA.Select(e => e.GetProperty("action").GetString()));
        Assert.Empty(entriesB);
    }

    [Fact]
    public async Task ALimitReturnsTheNewestEntries()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        foreach (var name in new[] { "S1", "S2", "S3" })
        {
            await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, $"/api/v1/tenants/{tenant}/secrets/{name}", new { value = "v" }), 201);
        }

        var entries = await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, $"/api/v1/tenants/{tenant}/audit?limit=2"), 200);

        Assert.Equal(["S3", "S2"], entries.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("target").GetString()));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("11")]
    [InlineData("-1")]
    public async Task ALimitOutsideOneToTheAuditSizeIsRefused(string limit)
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);

        var tenantLog = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, $"/api/v1/tenants/{tenant}/audit?limit={limit}");
        var systemLog = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, $"/api/v1/audit?limit={limit}");

        foreach (var response in new[] { tenantLog, systemLog })
        {
            var problem = await AccessCalls.ProblemAsync(response, 400, "invalid-limit");
            Assert.Equal($"limit must be a whole number between 1 and 10; got '{limit}'.", problem.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task TheLogKeepsOnlyTheNewestAuditSizeEntries()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        for (var i = 1; i <= 12; i++)
        {
            await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, $"/api/v1/tenants/{tenant}/secrets/S{i:00}", new { value = "v" }), 201);
        }

        var entries = await EntriesAsync(GranaryServer.AdminKey, tenant);

        Assert.Equal(Enumerable.Range(3, 10).Reverse().Select(i => $"S{i:00}"), entries.Select(e => e.GetProperty("target").GetString()));
    }

    [Fact]
    public async Task CreatingAndDeletingATenantAreInTheSystemLog()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Delete, $"/api/v1/tenants/{tenant}");

        var log = await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, "/api/v1/audit"), 200);

        const string AdminActor = "{\"keyId\":\"admin\",\"prefix\":\"admin\",\"name\":\"admin key\",\"role\":\"admin\"}";
        Assert.Equal(
            [("tenant.delete", tenant, null, AdminActor), ("tenant.create", tenant, null, AdminActor)],
            log.GetProperty("entries").EnumerateArray().Where(e => e.GetProperty("target").GetString() == tenant).Select(Describe));
    }

    [Fact]
    public async Task AnAuditSizeBelowTenIsRefusedAtStart()
    {
        var data = Directory.CreateTempSubdirectory("granary-audit-").FullName;
        try
        {
            var refused = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(
                () => GranaryServer.StartAsync(data, new Dictionary<string, string?> { ["Granary:Tenants:AuditSize"] = "9" }));

            Assert.Contains("AuditSize", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static (string? Action, string? Target, string? Detail, string Actor) Describe(JsonElement entry) => (
        entry.GetProperty("action").GetString(),
        entry.GetProperty("target").GetString(),
        entry.TryGetProperty("detail", out var detail) ? detail.GetString() : null,
        entry.GetProperty("actor").GetRawText());

    private async Task<List<JsonElement>> EntriesAsync(string key, string tenant)
    {
        var log = await AccessCalls.JsonAsync(await Server.SendAsync(key, HttpMethod.Get, $"/api/v1/tenants/{tenant}/audit"), 200);
        Assert.Equal(["entries"], log.EnumerateObject().Select(p => p.Name));
        return [.. log.GetProperty("entries").EnumerateArray()];
    }

    /// <summary>A small audit size, so that its bound is cheap to reach.</summary>
    public sealed class Fixture : AccessFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Granary:Tenants:AuditSize"] = "10" };
    }
}
