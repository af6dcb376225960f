using System.Net;
using System.Text;
using Granary.Cluster.Tests.Infrastructure;

namespace Granary.Cluster.Tests;

/// <summary>
/// What a user's console shows with Granary's default log levels: the start-up essentials and nothing per request
/// (ASP.NET Core's request lines and Orleans' placement messages were Information, and halved the throughput).
/// </summary>
public sealed class DefaultLoggingTests
{
    [Fact]
    public async Task AnEmbeddedGatewayWithDefaultLoggingShowsWhereItListensAndWritesNothingPerRequest()
    {
        await using var gateway = await GranaryProcess.StartEmbeddedGatewayAsync(new Dictionary<string, string>
        {
            // Granary's own default level (the fixture quiets every process to Warning; this one runs as users get it).
            ["Logging__LogLevel__Default"] = "Information",
        });
        using var http = GranaryProcess.AdminClient(gateway.HttpUri, TimeSpan.FromSeconds(30));
        using var deploy = await http.PutAsync(
            new Uri("api/v1/tenants/default/workspaces/main/functions/hello", UriKind.Relative),
            new StringContent("""{"runtime":"nodejs","code":"module.exports = async () => 'hello';"}""", Encoding.UTF8, "application/json"));
        Assert.True(deploy.IsSuccessStatusCode, await deploy.Content.ReadAsStringAsync());
        using (var first = await http.GetAsync(new Uri("fn/default/main/hello", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        await Task.Delay(500);
        var before = Lines(gateway.Output);
        for (var i = 0; i < 100; i++)
        {
            using var response = await http.GetAsync(new Uri("fn/default/main/hello", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await Task.Delay(500);
        var output = gateway.Output;
        var after = Lines(output);

        Assert.Contains("Now listening on: " + gateway.HttpUri.ToString().TrimEnd('/'), output, StringComparison.Ordinal);
        Assert.True(after - before < 5, $"100 invocations wrote {after - before} lines:\n{output}");
        Assert.DoesNotContain("Request starting", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Resilience pipeline executed", output, StringComparison.Ordinal);
        Assert.True(before < 60, $"Start-up, a deployment and a call wrote {before} lines (Orleans' configuration dump is Information in Orleans):\n{output}");
    }

    private static int Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
}
