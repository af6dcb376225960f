using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Gateway.Tests.CustomCode;
using Granary.Runtime.Packages;

namespace Granary.Gateway.Tests.Python;

/// <summary>
/// A Python function's <c>requirements</c> through the management API, installed by the machine's real pip from a
/// package index the test serves on loopback (<c>Granary:Pip:IndexUrl</c>), once per distinct set.
/// </summary>
public sealed class PythonRequirementsTests(PythonRequirementsTests.Fixture fixture) : IClassFixture<PythonRequirementsTests.Fixture>
{
    private GranaryServer Server => fixture.Server;

    private Task<HttpResponseMessage> DeployAsync(string ws, string name, string code, object requirements) =>
        Server.DeployAsync(ws, name, code, new Dictionary<string, object?> { ["runtime"] = "python", ["requirements"] = requirements });

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadAsync(HttpResponseMessage response) =>
        (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());

    private const string Probe = "import granaryprobe\n\ndef main(event, context):\n    return {\"value\": granaryprobe.VALUE}\n";

    [Fact]
    public async Task AFunctionImportsItsRequirementsFromTheIndex()
    {
        var ws = GatewayFixture.Workspace();

        var (status, deployed) = await ReadAsync(await DeployAsync(ws, "probe", Probe, new List<string> { "granaryprobe==1.0" }));
        var response = await Server.InvokeAsync(ws, "probe", "{}");

        Assert.True(status == HttpStatusCode.Created, deployed.GetRawText());
        Assert.Equal("[\"granaryprobe==1.0\"]", deployed.GetProperty("requirements").GetRawText());
        Assert.Equal("{\"value\": \"wheel-ok\"}", await response.Content.ReadAsStringAsync());
        Assert.True(File.Exists(Path.Combine(Server.DataPath, "pip", PipPackages.SetName(["granaryprobe==1.0"])!, PackageInstaller.MarkerFileName)), "the install should be under the data directory");
    }

    [Fact]
    public async Task TwoFunctionsDeclaringOneSetShareOneInstall()
    {
        var ws = GatewayFixture.Workspace();
        const string code = "import granaryshared\n\ndef main(event, context):\n    return {\"value\": granaryshared.VALUE}\n";
        var (first, _) = await ReadAsync(await DeployAsync(ws, "one", code, new List<string> { "granaryshared==1.0", "granaryprobe" }));
        var directory = Path.Combine(Server.DataPath, "pip", PipPackages.SetName(["granaryprobe", "granaryshared==1.0"])!);
        var marker = File.GetLastWriteTimeUtc(Path.Combine(directory, PackageInstaller.MarkerFileName));

        // The same set as the text of a requirements.txt, in another order, with a comment.
        var (second, body) = await ReadAsync(await DeployAsync(ws, "two", code, "# the same set\ngranaryprobe\ngranaryshared == 1.0\n"));

        Assert.Equal(HttpStatusCode.Created, first);
        Assert.True(second == HttpStatusCode.Created, body.GetRawText());
        Assert.Equal("[\"# the same set\",\"granaryprobe\",\"granaryshared == 1.0\"]", body.GetProperty("requirements").GetRawText());
        Assert.Equal("{\"value\": \"shared\"}", await (await Server.InvokeAsync(ws, "one", "{}")).Content.ReadAsStringAsync());
        Assert.Equal("{\"value\": \"shared\"}", await (await Server.InvokeAsync(ws, "two", "{}")).Content.ReadAsStringAsync());
        Assert.Equal(marker, File.GetLastWriteTimeUtc(Path.Combine(directory, PackageInstaller.MarkerFileName)));
        Assert.Single(Directory.GetDirectories(Path.Combine(Server.DataPath, "pip")), d => Directory.Exists(Path.Combine(d, PipPackages.SitePackages, "granaryshared")));
    }

    [Fact]
    public async Task ABadRequirementIsRefusedWithPipsMessageAndThePreviousVersionKeepsServing()
    {
        var ws = GatewayFixture.Workspace();
        Assert.Equal(HttpStatusCode.Created, (await DeployAsync(ws, "probe", Probe, new List<string> { "granaryprobe==1.0" })).StatusCode);

        var (status, problem) = await ReadAsync(await DeployAsync(ws, "probe", "def main(event, context):\n    return {\"value\": \"new\"}\n", new List<string> { "granary-no-such-package-zz9==1.0" }));
        var response = await Server.InvokeAsync(ws, "probe", "{}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("Dependencies could not be installed", problem.GetProperty("title").GetString());
        Assert.StartsWith(
            "pip install failed: ERROR: Could not find a version that satisfies the requirement granary-no-such-package-zz9==1.0 (from versions: none)\nERROR: No matching distribution found for granary-no-such-package-zz9==1.0",
            problem.GetProperty("detail").GetString(),
            StringComparison.Ordinal);
        Assert.Equal("{\"value\": \"wheel-ok\"}", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, (await Server.GetJsonAsync(GranaryServer.FunctionPath(ws, "probe"))).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task TwoFunctionsWithDifferentVersionsOfOnePackageEachSeeTheirOwn()
    {
        var ws = GatewayFixture.Workspace();
        const string code = "import granaryver\n\ndef main(event, context):\n    return {\"version\": granaryver.VERSION}\n";

        Assert.Equal(HttpStatusCode.Created, (await DeployAsync(ws, "v1", code, new List<string> { "granaryver==1.0" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await DeployAsync(ws, "v2", code, new List<string> { "granaryver==2.0" })).StatusCode);

        Assert.Equal("{\"version\": \"1.0\"}", await (await Server.InvokeAsync(ws, "v1", "{}")).Content.ReadAsStringAsync());
        Assert.Equal("{\"version\": \"2.0\"}", await (await Server.InvokeAsync(ws, "v2", "{}")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task APackagePublishedOnlyAsSourceIsRefusedSayingWheelsOnly()
    {
        var (status, problem) = await ReadAsync(await DeployAsync(GatewayFixture.Workspace(), "src", "import granarysource\n\ndef main(event, context):\n    return 1\n", new List<string> { "granarysource==1.0" }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(
            "pip install failed: ERROR: Could not find a version that satisfies the requirement granarysource==1.0 (from versions: none)\n"
            + "ERROR: No matching distribution found for granarysource==1.0\n"
            + "Granary installs wheels only (Granary:Pip:AllowSourceBuilds is off): a package published only as a source distribution cannot be installed.",
            problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("--index-url http://evil.example/simple", "'--index-url' is not allowed: packages come from the operator's index (Granary:Pip:IndexUrl).")]
    [InlineData("-e git+https://evil.example/x.git#egg=x", "editable installs (-e) are not allowed; name a package from the index.")]
    [InlineData("../../etc/evil", "local paths are not allowed; name a package from the index.")]
    [InlineData("granaryprobe @ http://169.254.169.254/latest/x.whl", "URLs are not allowed (Granary:Pip:AllowDirectUrls is off); name a package from the index.")]
    public async Task RequirementsThatReachOutsideTheIndexAreRefusedBeforePipRuns(string line, string expected)
    {
        var (status, problem) = await ReadAsync(await DeployAsync(GatewayFixture.Workspace(), "evil", Probe, new List<string> { "granaryprobe==1.0", line }));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal($"requirements: pip requirement '{line}': {expected}", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task RequirementsOfTheWrongShapeOrRuntimeAreRefused()
    {
        var ws = GatewayFixture.Workspace();

        var (shape, shapeProblem) = await ReadAsync(await DeployAsync(ws, "shape", Probe, new { granaryprobe = "1.0" }));
        var (runtime, runtimeProblem) = await ReadAsync(await Server.DeployAsync(ws, "js", "module.exports = () => 1;", new { requirements = new List<string> { "granaryprobe" } }));

        Assert.Equal(HttpStatusCode.BadRequest, shape);
        Assert.Equal("requirements: must be a list of requirement lines or the text of a requirements.txt.", shapeProblem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, runtime);
        Assert.Equal("requirements: pip requirements are for python functions; a nodejs function lists its npm packages in dependencies.", runtimeProblem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task PythonSnippetsOfAWorkspaceImportItsRequirements()
    {
        var ws = CustomCodeFixture.Workspace();
        var snippet = CustomCodeCalls.Snippet("import granaryprobe\nreturn granaryprobe.VALUE");
        snippet["language"] = "python";
        var body = new JsonObject { ["functions"] = new JsonObject { ["probe"] = snippet }, ["requirements"] = "granaryprobe==1.0\n" };
        var evil = new JsonObject { ["functions"] = new JsonObject { ["probe"] = snippet.DeepClone() }, ["requirements"] = new JsonArray("--index-url http://evil.example/simple") };

        var stored = await Server.Http.PostAsync($"/v2/functions/{ws}", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var refused = await Server.Http.PostAsync($"/v2/functions/{CustomCodeFixture.Workspace()}", new StringContent(evil.ToJsonString(), Encoding.UTF8, "application/json"));

        Assert.True(stored.IsSuccessStatusCode, await stored.Content.ReadAsStringAsync());
        Assert.Equal("wheel-ok", (await Server.ResultAsync(ws, "probe")).GetString());
        Assert.Equal("[\"granaryprobe==1.0\"]", (await Server.GetJsonAsync($"/v2/functions/{ws}")).GetProperty("requirements").GetRawText());
        var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(
            "request/body/requirements: pip requirement '--index-url http://evil.example/simple': '--index-url' is not allowed: packages come from the operator's index (Granary:Pip:IndexUrl).",
            error.GetProperty("message").GetString());
    }

    /// <summary>A server whose pip installs from an index on loopback holding wheels built here.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private readonly LocalPackageIndex _index = new();

        public GranaryServer Server { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            LocalPackageIndex.RequirePip();
            _index.AddWheel("granaryprobe", "1.0", "granaryprobe", "VALUE = \"wheel-ok\"\n");
            _index.AddWheel("granaryshared", "1.0", "granaryshared", "VALUE = \"shared\"\n");
            _index.AddWheel("granaryver", "1.0", "granaryver", "VERSION = \"1.0\"\n");
            _index.AddWheel("granaryver", "2.0", "granaryver", "VERSION = \"2.0\"\n");
            _index.AddSourceOnly("granarysource", "1.0", "granarysource", "VALUE = 1\n");
            Server = await GranaryServer.StartAsync(settings: new Dictionary<string, string?> { ["Granary:Pip:IndexUrl"] = _index.Url });
        }

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            _index.Dispose();
        }
    }
}
