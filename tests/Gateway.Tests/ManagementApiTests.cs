using System.Net;
using System.Text;
using System.Text.Json;

namespace Granary.Gateway.Tests;

/// <summary>The management API against the real gateway: deploy, read, list, update, delete and every refusal.</summary>
public sealed class ManagementApiTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private GranaryServer Server => fixture.Server;

    [Fact]
    public async Task DeployInvokeUpdateAndDeleteAFunction()
    {
        var ws = GatewayFixture.Workspace();

        var created = await Server.DeployAsync(ws, "hello", "module.exports = async (event) => ({ hello: event.name });");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/v1/tenants/default/workspaces/{ws}/functions/hello", created.Headers.Location?.OriginalString);
        var v1 = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(1, v1.GetProperty("version").GetInt32());
        Assert.Equal(new Uri(Server.BaseAddress, $"/fn/default/{ws}/hello").ToString(), v1.GetProperty("url").GetString());

        var first = await Server.InvokeAsync(ws, "hello", "{\"name\":\"one\"}");
        Assert.Equal("{\"hello\":\"one\"}", await first.Content.ReadAsStringAsync());

        var updated = await Server.DeployAsync(ws, "hello", "module.exports = async (event) => ({ hi: event.name });");
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(2, JsonDocument.Parse(await updated.Content.ReadAsStringAsync()).RootElement.GetProperty("version").GetInt32());

        var second = await Server.InvokeAsync(ws, "hello", "{\"name\":\"two\"}");
        Assert.Equal("{\"hi\":\"two\"}", await second.Content.ReadAsStringAsync());

        var deleted = await Server.Http.DeleteAsync(GranaryServer.FunctionPath(ws, "hello"));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        var gone = await Server.InvokeAsync(ws, "hello", "{}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("application/problem+json", gone.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.GetAsync(GranaryServer.FunctionPath(ws, "hello"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Http.DeleteAsync(GranaryServer.FunctionPath(ws, "hello"))).StatusCode);
    }

    [Fact]
    public async Task TheStoredDefinitionCarriesTheDocumentedDefaults()
    {
        var ws = GatewayFixture.Workspace();

        var definition = await Server.DeployOkAsync(ws, "defaults", "module.exports = () => 1;");

        Assert.Equal("nodejs", definition.GetProperty("runtime").GetString());
        Assert.Equal("main", definition.GetProperty("handler").GetString());
        Assert.Equal("handler", definition.GetProperty("signature").GetString());
        Assert.Equal(20, definition.GetProperty("timeoutSeconds").GetInt32());
        Assert.Equal(128, definition.GetProperty("memoryLimitMb").GetInt32());
        Assert.Equal(300, definition.GetProperty("idleTimeoutSeconds").GetInt32());
        Assert.Equal(10, definition.GetProperty("maxConcurrency").GetInt32());

        // A single silo (the localhost clustering of this fixture): more instances would add nothing.
        Assert.Equal(1, definition.GetProperty("maxInstances").GetInt32());
        Assert.Equal("{}", definition.GetProperty("env").GetRawText());
        Assert.Equal("isolate", definition.GetProperty("isolation").GetString());
        Assert.Equal("default", definition.GetProperty("tenant").GetString());
        Assert.Equal(ws, definition.GetProperty("workspace").GetString());
    }

    [Theory]
    [InlineData("Bad_Tenant", "main", "fn", "tenant")]
    [InlineData("default", "-main", "fn", "workspace")]
    [InlineData("default", "main", "1fn", "function")]
    [InlineData("default", "main", "fn.js", "function")]
    [InlineData("a-very-long-tenant-name-that-is-over-forty-chars", "main", "fn", "tenant")]
    public async Task ABadNameIsRefusedSayingWhichPartIsWrong(string tenant, string workspace, string name, string part)
    {
        var deploy = await Server.DeployAsync(workspace, name, "module.exports = () => 1;", tenant: tenant);
        var invoke = await Server.Http.PostAsync($"/fn/{tenant}/{workspace}/{name}", new StringContent("{}"));

        foreach (var response in new[] { deploy, invoke })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("Invalid name", problem.GetProperty("title").GetString());
            Assert.StartsWith($"The {part} name", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task CodeThatDoesNotCompileIsRefusedAndThePreviousVersionKeepsServing()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "stable", "module.exports = () => 'v1';");
        Assert.Equal("v1", await (await Server.InvokeAsync(ws, "stable")).Content.ReadAsStringAsync());

        var refused = await Server.DeployAsync(ws, "stable", "module.exports = () => {\n  return 'v2'\n  oops oops;\n};");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Code does not compile", problem.GetProperty("title").GetString());
        Assert.StartsWith("SyntaxError:", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, problem.GetProperty("line").GetInt32());
        Assert.True(problem.GetProperty("column").GetInt32() > 0);
        Assert.Equal("v1", await (await Server.InvokeAsync(ws, "stable")).Content.ReadAsStringAsync());
        Assert.Equal(1, (await Server.GetJsonAsync(GranaryServer.FunctionPath(ws, "stable"))).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task AModuleWithoutItsHandlerIsRefused()
    {
        var refused = await Server.DeployAsync(GatewayFixture.Workspace(), "nohandler", "module.exports = { other() {} };");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Handler not exported", problem.GetProperty("title").GetString());
        Assert.Equal("handler", problem.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task MalformedJsonIsRefused()
    {
        var response = await Server.Http.PutAsync(GranaryServer.FunctionPath("main", "fn"), new StringContent("{\"runtime\": \"nodejs\", ", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Malformed JSON", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("{\"runtime\":\"nodejs\",\"code\":\"module.exports=()=>1\",\"timeout\":5}", "Unknown field 'timeout'")]
    [InlineData("{\"runtime\":\"nodejs\"}", "Missing required field(s): code.")]
    [InlineData("{\"runtime\":\"nodejs\",\"code\":\"module.exports=()=>1\",\"timeoutSeconds\":\"soon\"}", "The value of 'timeoutSeconds' has the wrong type: it must be a whole number.")]
    [InlineData("{\"runtime\":\"nodejs\",\"code\":\"module.exports=()=>1\",\"timeoutSeconds\":0}", "timeoutSeconds: 0 is out of range")]
    [InlineData("{\"runtime\":\"nodejs\",\"code\":\"module.exports=()=>1\",\"maxInstances\":0}", "maxInstances: 0 is out of range; it must be between 1 and 100.")]
    [InlineData("{\"runtime\":\"nodejs\",\"code\":\"module.exports=()=>1\",\"maxInstances\":101}", "maxInstances: 101 is out of range; it must be between 1 and 100.")]
    [InlineData("{\"runtime\":\"ruby\",\"code\":\"puts 1\"}", "runtime: 'ruby' is not supported")]
    [InlineData("{\"runtime\":\"nodejs\",\"code\":\"module.exports=()=>1\",\"signature\":\"lambda\"}", "signature: 'lambda' is not supported")]
    [InlineData("{\"runtime\":\"nodejs\",\"code\":\"module.exports=()=>1\",\"env\":{\"1BAD\":\"x\"}}", "env: '1BAD' is not a valid variable name")]
    [InlineData("{\"runtime\":\"nodejs\",\"code\":\"module.exports=()=>1\",\"isolation\":\"vm\"}", "isolation: 'vm' is not an isolation; use one of: isolate, process.")]
    [InlineData("{\"runtime\":\"python\",\"code\":\"def main(e, c):\\n    return 1\\n\",\"isolation\":\"process\"}", "isolation: 'process' is for nodejs functions; python functions always run in worker processes.")]
    public async Task AnInvalidDefinitionIsRefusedNamingTheField(string body, string detail)
    {
        var response = await Server.Http.PutAsync(GranaryServer.FunctionPath("main", "invalid"), new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGivenMaxInstancesIsStoredAndShown()
    {
        var ws = GatewayFixture.Workspace();
        var body = "{\"runtime\":\"nodejs\",\"code\":\"module.exports=()=>1\",\"maxInstances\":3}";

        var put = await Server.Http.PutAsync(GranaryServer.FunctionPath(ws, "scaled"), new StringContent(body, Encoding.UTF8, "application/json"));
        var read = await Server.GetJsonAsync(GranaryServer.FunctionPath(ws, "scaled"));

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(3, JsonDocument.Parse(await put.Content.ReadAsStringAsync()).RootElement.GetProperty("maxInstances").GetInt32());
        Assert.Equal(3, read.GetProperty("maxInstances").GetInt32());
    }

    [Fact]
    public async Task ListingShowsTheWorkspacesFunctionsWithStatus()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "b", "module.exports = () => 'b';");
        await Server.DeployOkAsync(ws, "a", "module.exports = () => 'a';");
        await Server.InvokeAsync(ws, "a");

        var list = await Server.GetJsonAsync($"/api/v1/tenants/default/workspaces/{ws}/functions");
        var empty = await Server.GetJsonAsync($"/api/v1/tenants/default/workspaces/{GatewayFixture.Workspace()}/functions");

        var functions = list.GetProperty("functions").EnumerateArray().ToList();
        Assert.Equal(["a", "b"], functions.Select(f => f.GetProperty("name").GetString()));
        Assert.Equal("running", functions[0].GetProperty("status").GetProperty("state").GetString());
        Assert.Equal("idle", functions[1].GetProperty("status").GetProperty("state").GetString());
        Assert.False(functions[0].TryGetProperty("code", out _));
        Assert.Empty(empty.GetProperty("functions").EnumerateArray());
    }

    [Fact]
    public async Task AnUnknownRouteIsA404Problem()
    {
        var response = await Server.Http.GetAsync("/api/v2/nothing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task HealthAndReadinessAnswer()
    {
        var live = await Server.Http.GetAsync("/healthz");
        var ready = await Server.GetJsonAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("silo").GetProperty("status").GetString());
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString());
    }

    [Fact]
    public async Task TheInvocationsLimitIsValidated()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "fn", "module.exports = () => 1;");

        var bad = await Server.Http.GetAsync(GranaryServer.FunctionPath(ws, "fn") + "/invocations?limit=0");
        var missing = await Server.Http.GetAsync(GranaryServer.FunctionPath(ws, "nope") + "/invocations");

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task EnvironmentVariablesReachTheFunction()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "env", "module.exports = () => process.env.GREETING + ' ' + process.env.TARGET;", new { env = new { GREETING = "hello", TARGET = "env" } });

        var response = await Server.InvokeAsync(ws, "env");

        Assert.Equal("hello env", await response.Content.ReadAsStringAsync());
        Assert.Equal("{\"GREETING\":\"hello\",\"TARGET\":\"env\"}", (await Server.GetJsonAsync(GranaryServer.FunctionPath(ws, "env"))).GetProperty("env").GetRawText());
    }

    [Fact]
    public async Task ADeployBodyOverTheLimitIsRefusedWith413()
    {
        var code = "module.exports = () => 1; //" + new string('x', 2 * 1024 * 1024 + 100 * 1024);
        var response = await Server.Http.PutAsJsonAsync(GranaryServer.FunctionPath("main", "huge"), new { runtime = "nodejs", code });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }
}
