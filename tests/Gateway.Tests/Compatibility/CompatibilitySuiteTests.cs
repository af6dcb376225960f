using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Granary.Gateway.Tests.Compatibility;

/// <summary>
/// Issue 13's compatibility suite, through the real gateway: for each package family (<see cref="PackageFamilies"/>)
/// one function, deployed with its npm dependencies, performs a real operation against real servers on loopback that
/// the egress policy allows, in the isolate runtime and in process mode; the families that connect also aim at a
/// loopback server the policy does not allow and must get the policy's reason. A native addon runs in process mode
/// only: the isolate refuses it at deploy, naming process mode.
/// </summary>
public sealed class CompatibilitySuiteTests(CompatibilityFixture fixture) : IClassFixture<CompatibilityFixture>
{
    private const string Isolate = "isolate";
    private const string Process = "process";

    private GranaryServer Server => fixture.Server;

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var family in PackageFamilies.All.Keys)
        {
            foreach (var isolation in new[] { Isolate, Process })
            {
                if (!(family == "native addon" && isolation == Isolate))
                {
                    cases.Add(family, isolation);
                }
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task APackageFamilyDoesItsWorkThroughTheGateway(string family, string isolation)
    {
        var definition = PackageFamilies.All[family];
        var ws = GatewayFixture.Workspace();
        var deployed = await DeployAsync(ws, definition, isolation);
        var deployText = await deployed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(deployed.IsSuccessStatusCode, $"deploy of {family} ({isolation}) answered {(int)deployed.StatusCode}: {deployText}");

        var response = await Server.InvokeAsync(ws, "f", fixture.Event);

        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{family} ({isolation}) answered {(int)response.StatusCode}: {text}");
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(definition.Expected ?? ExpectedJwt(), body.GetProperty("result").GetRawText());
        if (body.TryGetProperty("refused", out var refused))
        {
            Assert.Contains($"127.0.0.1:{fixture.Forbidden.Port}", refused.GetString(), StringComparison.Ordinal);
            Assert.Contains("Granary's egress policy", refused.GetString(), StringComparison.Ordinal);
            Assert.Contains("the operator may allow it with Granary:Egress:Allow", refused.GetString(), StringComparison.Ordinal);
        }

        Assert.Empty(fixture.Forbidden.Received);
    }

    [Fact]
    public async Task ANativeAddonIsRefusedAtDeployInTheIsolateNamingProcessMode()
    {
        var ws = GatewayFixture.Workspace();

        var refused = await DeployAsync(ws, PackageFamilies.All["native addon"], Isolate);

        var text = await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{(int)refused.StatusCode} {text}");
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.True(problem.GetProperty("kind").GetString() == "module", text);
        Assert.Contains("native addon", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("@node-rs/crc32-linux-x64-gnu", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("\"isolation\": \"process\"", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var missing = await Server.InvokeAsync(ws, "f", "{}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task ANativeAddonRequiredOnlyInsideTheHandlerIsRefusedAtDeployInTheIsolate()
    {
        var ws = GatewayFixture.Workspace();
        var lazy = new PackageFamilies.Family(PackageFamilies.NativePackages, """
            module.exports = async () => {
              const { crc32 } = require('@node-rs/crc32');
              return crc32('later');
            };
            """, null);

        var refused = await DeployAsync(ws, lazy, Isolate);

        var text = await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{(int)refused.StatusCode} {text}");
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.True(problem.GetProperty("kind").GetString() == "module", text);
        Assert.Equal(2, problem.GetProperty("line").GetInt32());
        Assert.Contains("'@node-rs/crc32-linux-x64-gnu'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("\"isolation\": \"process\"", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> DeployAsync(string ws, PackageFamilies.Family family, string isolation) =>
        Server.DeployAsync(ws, "f", family.Code, new { dependencies = family.Dependencies, isolation, timeoutSeconds = 30 });

    // The token jsonwebtoken must produce, signed here by .NET: {"alg":"HS256","typ":"JWT"}.{"sub":"42","name":"Ada"}.
    private static string ExpectedJwt()
    {
        static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var signed = Encode(Encoding.UTF8.GetBytes("""{"alg":"HS256","typ":"JWT"}""")) + "." + Encode(Encoding.UTF8.GetBytes("""{"sub":"42","name":"Ada"}"""));
        var signature = Encode(HMACSHA256.HashData(Encoding.UTF8.GetBytes(PackageFamilies.JwtSecret), Encoding.UTF8.GetBytes(signed)));
        return $$"""{"token":"{{signed}}.{{signature}}","verified":{"sub":"42","name":"Ada"},"wrongKey":"JsonWebTokenError: invalid signature"}""";
    }
}
