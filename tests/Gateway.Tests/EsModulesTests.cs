using System.Net;
using System.Text.Json;

namespace Granary.Gateway.Tests;

/// <summary>ES modules through the management API: an ESM-only npm package, the module setting, errors at deploy.</summary>
public sealed class EsModulesTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private GranaryServer Server => fixture.Server;

    [Fact]
    public async Task AnEsModuleImportsAnEsmOnlyPackage()
    {
        var ws = GatewayFixture.Workspace();
        var deployed = await Server.DeployOkAsync(
            ws,
            "ids",
            "import { nanoid } from 'nanoid';\nexport default (event) => ({ length: nanoid(event.size).length });",
            new { dependencies = new { nanoid = "^5.0.0" } });

        var response = await Server.InvokeAsync(ws, "ids", "{\"size\":12}");

        Assert.Equal("esm", deployed.GetProperty("module").GetString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"length\":12}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ACommonJsFunctionAwaitsImportOfAnEsmOnlyPackage()
    {
        var ws = GatewayFixture.Workspace();
        var deployed = await Server.DeployOkAsync(
            ws,
            "ids",
            "module.exports = async () => { const { nanoid } = await import('nanoid'); return String(nanoid().length); };",
            new { dependencies = new { nanoid = "^5.0.0" } });

        var response = await Server.InvokeAsync(ws, "ids", method: HttpMethod.Get);

        Assert.Equal("commonjs", deployed.GetProperty("module").GetString());
        Assert.Equal("21", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheModuleSettingIsStoredAndWins()
    {
        var ws = GatewayFixture.Workspace();
        var deployed = await Server.DeployOkAsync(ws, "declared", "const n = await Promise.resolve(41);\nfunction main() { return { n: n + 1 }; }; export { main };", new { module = "esm" });

        var response = await Server.InvokeAsync(ws, "declared", "{}");

        Assert.Equal("esm", deployed.GetProperty("module").GetString());
        Assert.Equal("{\"n\":42}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnUnknownModuleSettingIsRefused()
    {
        var response = await Server.DeployAsync(GatewayFixture.Workspace(), "f", "export default () => 1;", new { module = "amd" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(
            "module: 'amd' is not a module system; use one of: commonjs, esm (or leave it out to detect it from the code).",
            problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task TheModuleSettingIsRefusedForPython()
    {
        var response = await Server.Http.PutAsJsonAsync(
            GranaryServer.FunctionPath(GatewayFixture.Workspace(), "py"),
            new { runtime = "python", code = "def main(event, context):\n    return 1\n", module = "esm" },
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("module: applies to nodejs functions; a python function is a Python module.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AnEsModuleThatDoesNotCompileIsRefusedWithItsLine()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "stable", "export default () => 'v1';");

        var refused = await Server.DeployAsync(ws, "stable", "import path from 'node:path';\nexport default () => {\n  return 'v2'\n  oops oops;\n};");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Code does not compile", problem.GetProperty("title").GetString());
        Assert.StartsWith("SyntaxError:", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(4, problem.GetProperty("line").GetInt32());
        Assert.True(problem.GetProperty("column").GetInt32() > 0);
        Assert.Equal("v1", await (await Server.InvokeAsync(ws, "stable")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnEsModuleImportingAnUnlistedPackageIsRefusedAtDeploy()
    {
        var refused = await Server.DeployAsync(GatewayFixture.Workspace(), "f", "import { nanoid } from 'nanoid';\nexport default () => nanoid();");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Code failed to load", problem.GetProperty("title").GetString());
        Assert.Contains("Cannot find package 'nanoid': an npm package must be listed in the function's dependencies to be installed", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
