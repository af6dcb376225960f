using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Gateway.Tests.CustomCode;

namespace Granary.Gateway.Tests;

/// <summary>
/// npm dependencies through both APIs, installed by the machine's real npm from the registry into the data
/// directory, once per distinct set; failures come back with npm's own message.
/// </summary>
public sealed class DependenciesTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private GranaryServer Server => fixture.Server;

    [Fact]
    public async Task AFunctionOfTheManagementApiRequiresItsDeclaredPackage()
    {
        var ws = GatewayFixture.Workspace();
        var deployed = await Server.DeployOkAsync(ws, "duration", "const ms = require('ms'); module.exports = (event) => ({ ms: ms(event.text) });", new { dependencies = new { ms = "2.1.3" } });

        var response = await Server.InvokeAsync(ws, "duration", "{\"text\":\"2h\"}");

        Assert.Equal("2.1.3", deployed.GetProperty("dependencies").GetProperty("ms").GetString());
        Assert.Equal("{\"ms\":7200000}", await response.Content.ReadAsStringAsync());
        Assert.True(Directory.EnumerateFiles(Path.Combine(Server.DataPath, "npm"), ".granary-installed", SearchOption.AllDirectories).Any(), "the install should be under the data directory");
    }

    [Fact]
    public async Task AWorkspacesSnippetsRequireItsDeclaredPackages()
    {
        var ws = CustomCodeFixture.Workspace();
        var response = await Server.PutWorkspaceAsync(
            ws,
            new JsonObject { ["chunks"] = CustomCodeCalls.Snippet("const _ = require('lodash'); return _.chunk(items, 2);", ("items", "array")) },
            new JsonObject { ["lodash"] = "^4.17.21" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var result = await Server.ResultAsync(ws, "chunks", new { items = Enumerable.Range(1, 5) });
        var stored = await Server.GetJsonAsync($"/v2/functions/{ws}");

        Assert.Equal("[[1,2],[3,4],[5]]", result.GetRawText());
        Assert.Equal("^4.17.21", stored.GetProperty("dependencies").GetProperty("lodash").GetString());
    }

    [Fact]
    public async Task APackageThatDoesNotExistIsRefusedWithNpmsMessage()
    {
        var ws = GatewayFixture.Workspace();

        var managed = await Server.DeployAsync(ws, "nope", "module.exports = () => 1;", new { dependencies = new Dictionary<string, string> { ["granary-no-such-package-zz9"] = "1.0.0" } });
        var snippets = await Server.PutWorkspaceAsync(
            CustomCodeFixture.Workspace(),
            new JsonObject { ["f"] = CustomCodeCalls.Snippet("return 1;") },
            new JsonObject { ["granary-no-such-package-zz9"] = "1.0.0" });

        var problem = JsonDocument.Parse(await managed.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.UnprocessableEntity, managed.StatusCode);
        Assert.Contains("E404", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var error = JsonDocument.Parse(await snippets.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.UnprocessableEntity, snippets.StatusCode);
        Assert.Equal("DependencyInstallError", error.GetProperty("error").GetString());
        Assert.Contains("E404", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("evil", "file:/etc")]
    [InlineData("Bad Name", "1.0.0")]
    [InlineData("x", "git+https://example.com/x.git")]
    public async Task DependenciesThatAreNotRegistryPackagesAreRefusedBeforeNpmRuns(string name, string range)
    {
        var response = await Server.DeployAsync(GatewayFixture.Workspace(), "f", "module.exports = () => 1;", new { dependencies = new Dictionary<string, string> { [name] = range } });
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("dependencies:", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(name, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
