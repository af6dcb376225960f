namespace Granary.Gateway.Tests.Access;

/// <summary>
/// Who may invoke a function: anyone for <c>public</c> (the default), keys of its tenant and the admin for <c>key</c>;
/// and a Granary key never reaches the function's code.
/// </summary>
public sealed class FunctionAccessTests(AccessFixture fixture) : IClassFixture<AccessFixture>
{
    private const string EchoAuthorization = "module.exports = (event, context) => String(context.headers.authorization);";

    private GranaryServer Server => fixture.Server;

    [Fact]
    public async Task AKeyFunctionChallengesACallerWithoutAKey()
    {
        var tenant = await KeyedFunctionAsync();

        var response = await Server.InvokeAsAsync(null, tenant, "w", "keyed");

        var problem = await AccessCalls.UnauthorizedAsync(response);
        Assert.Equal("This function's access is 'key': send 'Authorization: Bearer <key>' with a key of its tenant.", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("Bearer gk_garbage")]
    [InlineData("Bearer sometoken")]
    [InlineData("Basic dXNlcjpwYXNzd29yZA==")]
    public async Task AKeyFunctionRefusesAnythingButAKeyAsAnInvalidToken(string authorization)
    {
        var tenant = await KeyedFunctionAsync();

        var response = await Server.InvokeAsAsync(null, tenant, "w", "keyed", [KeyValuePair.Create("Authorization", authorization)]);

        await AccessCalls.UnauthorizedAsync(response, "Bearer error=\"invalid_token\"");
    }

    [Fact]
    public async Task AKeyFunctionForbidsAKeyOfAnotherTenant()
    {
        var tenant = await KeyedFunctionAsync();
        var other = AccessFixture.Tenant();
        await Server.CreateTenantAsync(other);
        var (id, owner) = await Server.CreateKeyAsync(other, "owner");

        var response = await Server.InvokeAsAsync(owner, tenant, "w", "keyed");

        var problem = await AccessCalls.ProblemAsync(response, 403, "forbidden");
        Assert.Equal($"The key gk_{other}_{id} may not invoke functions of tenant '{tenant}'.", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("owner")]
    [InlineData("developer")]
    [InlineData("invoker")]
    [InlineData("admin")]
    public async Task AKeyFunctionAnswersEveryRoleOfItsTenantAndTheAdmin(string role)
    {
        var tenant = await KeyedFunctionAsync();
        var key = role == "admin" ? GranaryServer.AdminKey : (await Server.CreateKeyAsync(tenant, role)).Key;

        var response = await Server.InvokeAsAsync(key, tenant, "w", "keyed");

        Assert.Equal("ok", await AccessCalls.TextAsync(response, 200));
    }

    [Fact]
    public async Task AFunctionIsPublicByDefaultAndAnswersAnyone()
    {
        var tenant = AccessFixture.Tenant();
        var other = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        await Server.CreateTenantAsync(other);
        var (_, otherKey) = await Server.CreateKeyAsync(other, "invoker");

        var deployed = await Server.DeployInAsync(tenant, "w", "open", AccessCalls.Ok);
        var anonymous = await Server.InvokeAsAsync(null, tenant, "w", "open");
        var foreign = await Server.InvokeAsAsync(otherKey, tenant, "w", "open");

        Assert.Equal("public", deployed.GetProperty("access").GetString());
        Assert.Equal("ok", await AccessCalls.TextAsync(anonymous, 200));
        Assert.Equal("ok", await AccessCalls.TextAsync(foreign, 200));
    }

    [Theory]
    [InlineData("public", "invoker")]
    [InlineData("public", "admin")]
    [InlineData("key", "invoker")]
    [InlineData("key", "admin")]
    public async Task AGranaryKeyIsNeverPassedToTheFunction(string access, string role)
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        await Server.DeployInAsync(tenant, "w", "echo", EchoAuthorization, new { access });
        var key = role == "admin" ? GranaryServer.AdminKey : (await Server.CreateKeyAsync(tenant, role)).Key;

        var response = await Server.InvokeAsAsync(key, tenant, "w", "echo");

        Assert.Equal("undefined", await AccessCalls.TextAsync(response, 200));
    }

    [Fact]
    public async Task AnAdminKeyOfTheOperatorsOwnFormIsNeverPassedToTheFunction()
    {
        // The operator chooses the admin key ("openssl rand -base64 32" is the suggestion): it need not start with gk_.
        const string AdminKey = "Zm9yLXRlc3RzLW9ubHktbm90LWEtcmVhbC1rZXk=";
        await using var server = await GranaryServer.StartAsync(settings: new Dictionary<string, string?> { ["Granary:Auth:AdminKey"] = AdminKey });
        await AccessCalls.JsonAsync(await server.DeployAsAsync(AdminKey, "default", "w", "public", EchoAuthorization), 201);
        await AccessCalls.JsonAsync(await server.DeployAsAsync(AdminKey, "default", "w", "keyed", EchoAuthorization, new { access = "key" }), 201);

        var toPublic = await server.InvokeAsAsync(AdminKey, "default", "w", "public");
        var toKeyed = await server.InvokeAsAsync(AdminKey, "default", "w", "keyed");

        Assert.Equal(["undefined", "undefined"], [await AccessCalls.TextAsync(toPublic, 200), await AccessCalls.TextAsync(toKeyed, 200)]);
    }

    [Theory]
    [InlineData("Bearer sometoken")]
    [InlineData("Basic dXNlcjpwYXNzd29yZA==")]
    [InlineData("Bearer gk")]
    public async Task AnotherAuthorizationHeaderReachesAPublicFunctionUnchanged(string authorization)
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        await Server.DeployInAsync(tenant, "w", "echo", EchoAuthorization);

        var response = await Server.InvokeAsAsync(null, tenant, "w", "echo", [KeyValuePair.Create("Authorization", authorization)]);

        Assert.Equal(authorization, await AccessCalls.TextAsync(response, 200));
    }

    [Fact]
    public async Task ChangingAFunctionsAccessChangesWhoMayInvokeIt()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        await Server.DeployInAsync(tenant, "w", "f", AccessCalls.Ok);
        Assert.Equal("ok", await AccessCalls.TextAsync(await Server.InvokeAsAsync(null, tenant, "w", "f"), 200));

        var closed = await Server.DeployAsAsync(GranaryServer.AdminKey, tenant, "w", "f", AccessCalls.Ok, new { access = "key" });
        await AccessCalls.JsonAsync(closed, 200);
        await AccessCalls.EventuallyAsync(async () => (int)(await Server.InvokeAsAsync(null, tenant, "w", "f")).StatusCode == 401, "An anonymous call refused after the access became 'key'");
        var opened = await Server.DeployAsAsync(GranaryServer.AdminKey, tenant, "w", "f", AccessCalls.Ok, new { access = "public" });
        await AccessCalls.JsonAsync(opened, 200);
        await AccessCalls.EventuallyAsync(async () => (int)(await Server.InvokeAsAsync(null, tenant, "w", "f")).StatusCode == 200, "An anonymous call answered after the access became 'public'");
    }

    [Fact]
    public async Task AnAccessOtherThanPublicOrKeyIsRefusedNamingTheField()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);

        var response = await Server.DeployAsAsync(GranaryServer.AdminKey, tenant, "w", "f", AccessCalls.Ok, new { access = "private" });

        var problem = await AccessCalls.ProblemAsync(response, 400, "invalid-function");
        Assert.Equal("access: 'private' is not an access; use one of: public, key.", problem.GetProperty("detail").GetString());
    }

    // A new tenant with the function w/keyed whose access is key.
    private async Task<string> KeyedFunctionAsync()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        await Server.DeployInAsync(tenant, "w", "keyed", AccessCalls.Ok, new { access = "key" });
        return tenant;
    }
}
