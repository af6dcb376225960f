using System.Net;
using System.Text;
using System.Text.Json;

namespace Granary.Gateway.Tests.Access;

/// <summary>Tenant secrets: write-only values, encrypted at rest, that functions read as environment variables.</summary>
public sealed class SecretsTests(AccessFixture fixture) : IClassFixture<AccessFixture>
{
    private static readonly string[] s_token = ["TOKEN"];
    private static readonly string[] s_dbAndApi = ["DB_PASSWORD", "API_TOKEN"];
    private static readonly string[] s_missing = ["NOPE"];

    private GranaryServer Server => fixture.Server;

    [Fact]
    public async Task ASecretIsSetListedAndDeletedAndItsValueIsNeverShown()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        var (_, developer) = await Server.CreateKeyAsync(tenant, "developer");
        var path = $"/api/v1/tenants/{tenant}/secrets/DB_PASSWORD";

        var set = await Server.SendAsync(developer, HttpMethod.Put, path, new { value = "first-value-a1" });
        var created = await AccessCalls.JsonAsync(set, 201);
        var changed = await AccessCalls.JsonAsync(await Server.SendAsync(developer, HttpMethod.Put, path, new { value = "second-value-b2" }), 200);
        var listed = await AccessCalls.JsonAsync(await Server.SendAsync(developer, HttpMethod.Get, $"/api/v1/tenants/{tenant}/secrets"), 200);
        var deleted = await Server.SendAsync(developer, HttpMethod.Delete, path);
        var afterDelete = await AccessCalls.JsonAsync(await Server.SendAsync(developer, HttpMethod.Get, $"/api/v1/tenants/{tenant}/secrets"), 200);
        var again = await Server.SendAsync(developer, HttpMethod.Delete, path);

        Assert.Equal(path, set.Headers.Location?.OriginalString);
        Assert.Equal(["name", "createdAt", "updatedAt"], created.EnumerateObject().Select(p => p.Name));
        Assert.Equal("DB_PASSWORD", created.GetProperty("name").GetString());
        Assert.Equal(["name", "createdAt", "updatedAt"], changed.EnumerateObject().Select(p => p.Name));
        Assert.Equal(created.GetProperty("createdAt").GetDateTimeOffset(), changed.GetProperty("createdAt").GetDateTimeOffset());
        Assert.True(changed.GetProperty("updatedAt").GetDateTimeOffset() >= created.GetProperty("updatedAt").GetDateTimeOffset());
        var secret = Assert.Single(listed.GetProperty("secrets").EnumerateArray());
        Assert.Equal(changed.GetRawText(), secret.GetRawText());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal("{\"secrets\":[]}", afterDelete.GetRawText());
        var problem = await AccessCalls.ProblemAsync(again, 404, "secret-not-found");
        Assert.Equal($"Tenant '{tenant}' has no secret 'DB_PASSWORD'.", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("nodejs", "module.exports = () => ({ db: process.env.DB_PASSWORD, api: process.env.API_TOKEN, plain: process.env.PLAIN });")]
    [InlineData("python", "import os\ndef main(event, context):\n    return {'db': os.environ['DB_PASSWORD'], 'api': os.environ['API_TOKEN'], 'plain': os.environ['PLAIN']}\n")]
    public async Task AFunctionReadsTheSecretsItListsAsEnvironmentVariables(string runtime, string code)
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        await SetSecretAsync(tenant, "DB_PASSWORD", "hunter2-db");
        await SetSecretAsync(tenant, "API_TOKEN", "hunter2-api");

        var deployed = await Server.DeployInAsync(tenant, "w", "reader", code, new { runtime, env = new { PLAIN = "plain" }, secrets = s_dbAndApi });
        var response = await Server.InvokeAsAsync(null, tenant, "w", "reader");
        var read = await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, GranaryServer.FunctionPath("w", "reader", tenant)), 200);

        Assert.Equal("{\"db\":\"hunter2-db\",\"api\":\"hunter2-api\",\"plain\":\"plain\"}", JsonSerializer.Serialize(await AccessCalls.JsonAsync(response, 200)));
        Assert.Equal("[\"DB_PASSWORD\",\"API_TOKEN\"]", deployed.GetProperty("secrets").GetRawText());
        Assert.Equal("{\"PLAIN\":\"plain\"}", read.GetProperty("env").GetRawText());
        Assert.DoesNotContain("hunter2", deployed.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", read.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFunctionThatDoesNotListASecretDoesNotSeeIt()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        await SetSecretAsync(tenant, "TOKEN", "hunter2-unlisted");
        await Server.DeployInAsync(tenant, "w", "lister", "module.exports = () => String(process.env.TOKEN);", new { secrets = s_token });
        await Server.DeployInAsync(tenant, "w", "other", "module.exports = () => String(process.env.TOKEN);");

        var listed = await Server.InvokeAsAsync(null, tenant, "w", "lister");
        var unlisted = await Server.InvokeAsAsync(null, tenant, "w", "other");

        Assert.Equal("hunter2-unlisted", await AccessCalls.TextAsync(listed, 200));
        Assert.Equal("undefined", await AccessCalls.TextAsync(unlisted, 200));
    }

    [Fact]
    public async Task DeployingAFunctionThatListsAMissingSecretIsRefused()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);

        var response = await Server.DeployAsAsync(GranaryServer.AdminKey, tenant, "w", "f", AccessCalls.Ok, new { secrets = s_missing });
        var read = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, GranaryServer.FunctionPath("w", "f", tenant));

        var problem = await AccessCalls.ProblemAsync(response, 400, "secret-not-found");
        Assert.Equal(
            $"The function reads secret 'NOPE', which tenant '{tenant}' does not have; set it first with PUT /api/v1/tenants/{tenant}/secrets/NOPE.",
            problem.GetProperty("detail").GetString());
        await AccessCalls.ProblemAsync(read, 404, "function-not-found");
    }

    [Fact]
    public async Task AVariableComesFromEnvOrFromSecretsNeverBoth()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        await SetSecretAsync(tenant, "TOKEN", "v");

        var response = await Server.DeployAsAsync(GranaryServer.AdminKey, tenant, "w", "f", AccessCalls.Ok, new { env = new { TOKEN = "plain" }, secrets = s_token });

        var problem = await AccessCalls.ProblemAsync(response, 400, "invalid-function");
        Assert.Equal("secrets: 'TOKEN' is also set in env; a variable comes from one or the other.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ASecretThatAFunctionListsCannotBeDeletedUntilTheFunctionIsGone()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        await SetSecretAsync(tenant, "TOKEN", "still-here");
        await Server.DeployInAsync(tenant, "w", "f", "module.exports = () => process.env.TOKEN;", new { secrets = s_token });

        var refused = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Delete, $"/api/v1/tenants/{tenant}/secrets/TOKEN");
        var stillRead = await Server.InvokeAsAsync(null, tenant, "w", "f");
        await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Delete, GranaryServer.FunctionPath("w", "f", tenant));
        var deleted = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Delete, $"/api/v1/tenants/{tenant}/secrets/TOKEN");

        var problem = await AccessCalls.ProblemAsync(refused, 409, "secret-in-use");
        Assert.Equal("Secret 'TOKEN' is used by w/f; remove it from their secrets first.", problem.GetProperty("detail").GetString());
        Assert.Equal("still-here", await AccessCalls.TextAsync(stillRead, 200));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    [Fact]
    public async Task ChangingASecretReloadsTheRunningFunctionsThatReadIt()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        await SetSecretAsync(tenant, "TOKEN", "one");
        await Server.DeployInAsync(tenant, "w", "f", "const token = process.env.TOKEN;\nmodule.exports = () => token;", new { secrets = s_token });
        Assert.Equal("one", await AccessCalls.TextAsync(await Server.InvokeAsAsync(null, tenant, "w", "f"), 200));

        await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, $"/api/v1/tenants/{tenant}/secrets/TOKEN", new { value = "two" }), 200);

        await AccessCalls.EventuallyAsync(
            async () => await (await Server.InvokeAsAsync(null, tenant, "w", "f")).Content.ReadAsStringAsync(TestContext.Current.CancellationToken) == "two",
            "The function reading the secret's new value");
    }

    [Fact]
    public async Task SecretValuesAreNotInTheStorageInPlainText()
    {
        var tenant = AccessFixture.Tenant();
        var name = "S_" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        var value = "plain-" + Guid.NewGuid().ToString("N");
        await Server.CreateTenantAsync(tenant);
        await SetSecretAsync(tenant, name, value);
        await Server.DeployInAsync(tenant, "w", "f", $"module.exports = () => process.env.{name};", new { secrets = new[] { name } });
        Assert.Equal(value, await AccessCalls.TextAsync(await Server.InvokeAsAsync(null, tenant, "w", "f"), 200));

        // Storage writes a file under a temporary name and renames it into place, so a file may be held or gone as it is
        // read; the renamed file holds the same bytes, and it is read here.
        var files = Directory.EnumerateFiles(Server.DataPath, "*", SearchOption.AllDirectories)
            .Select(f => (Path: f, Bytes: ReadUnlessInFlight(f)))
            .Where(f => f.Bytes is not null)
            .Select(f => (f.Path, Bytes: f.Bytes!))
            .ToList();

        Assert.Contains(files, f => Contains(f.Bytes, Encoding.UTF8.GetBytes(name)));
        Assert.DoesNotContain(files, f => Contains(f.Bytes, Encoding.UTF8.GetBytes(value)));
        Assert.DoesNotContain(files, f => Contains(f.Bytes, Encoding.Unicode.GetBytes(value)));
        Assert.DoesNotContain(files, f => Contains(f.Bytes, Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(value))[..40])));
    }

    private static byte[]? ReadUnlessInFlight(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (IOException) when (Path.GetFileName(path).Contains(".tmp-", StringComparison.Ordinal) || !File.Exists(path))
        {
            return null;
        }
    }

    [Theory]
    [InlineData("1BAD")]
    [InlineData("has-dash")]
    public async Task ASecretNameMustBeAnEnvironmentVariableName(string name)
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);

        var response = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, $"/api/v1/tenants/{tenant}/secrets/{name}", new { value = "v" });

        var problem = await AccessCalls.ProblemAsync(response, 400, "invalid-name");
        Assert.Equal($"The secret name '{name}' is invalid: it must be an environment variable name, [A-Za-z_][A-Za-z0-9_]{{0,127}}.", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("{}", "invalid-secret", "value must be a string of at most 65536 bytes.")]
    [InlineData("{\"value\":42}", "invalid-request", "The value of 'value' has the wrong type: it must be a string.")]
    [InlineData("{\"value\":\"v\",\"note\":\"x\"}", "invalid-request", "Unknown field 'note'. Known fields: value.")]
    public async Task ASecretNeedsAStringValue(string body, string slug, string detail)
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);

        var response = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, $"/api/v1/tenants/{tenant}/secrets/TOKEN", body);

        var problem = await AccessCalls.ProblemAsync(response, 400, slug);
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ASecretOfATenantThatDoesNotExistIsRefused()
    {
        var response = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, $"/api/v1/tenants/{AccessFixture.Tenant()}/secrets/TOKEN", new { value = "v" });

        await AccessCalls.ProblemAsync(response, 404, "tenant-not-found");
    }

    private async Task SetSecretAsync(string tenant, string name, string value) =>
        await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, $"/api/v1/tenants/{tenant}/secrets/{name}", new { value }), 201);

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
