using System.Net;
using System.Text;
using System.Text.Json;
using Granary.Cluster.Tests.Infrastructure;

namespace Granary.Cluster.Tests;

/// <summary>
/// The documented switch to JSON console logs (<c>Logging__Console__FormatterName=json</c>), on the real gateway
/// process: every console line is a JSON object a log shipper can read, and a line Granary writes about an invocation
/// carries the tenant, workspace, function, version, invocation id and trace id as structured fields (the invocation's
/// logging scope).
/// </summary>
public sealed class JsonConsoleLoggingTests
{
    [Fact]
    public async Task JsonConsoleLinesAreJsonAndAnInvocationsLineCarriesItsFields()
    {
        await using var gateway = await GranaryProcess.StartEmbeddedGatewayAsync(new Dictionary<string, string>
        {
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__LogLevel__Default"] = "Information",
            // The per-invocation line is Debug: off by default, on here.
            ["Logging__LogLevel__Granary.Functions.FunctionGrain"] = "Debug",
        });
        using var http = GranaryProcess.AdminClient(gateway.HttpUri, TimeSpan.FromSeconds(30));
        using var deploy = await http.PutAsync(
            new Uri("api/v1/tenants/default/workspaces/main/functions/hello", UriKind.Relative),
            new StringContent("""{"runtime":"nodejs","code":"module.exports = async () => 'hello';"}""", Encoding.UTF8, "application/json"));
        Assert.True(deploy.IsSuccessStatusCode, await deploy.Content.ReadAsStringAsync());
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("fn/default/main/hello", UriKind.Relative));
        request.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var invocationId = response.Headers.GetValues("X-Granary-Invocation-Id").Single();

        var line = await FindAsync(gateway, e => e.GetProperty("EventId").GetInt32() == 2108);
        var lines = gateway.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var scope = line.GetProperty("Scopes").EnumerateArray().Single(s => s.TryGetProperty("InvocationId", out _));

        Assert.All(lines, l => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(l).RootElement.ValueKind));
        Assert.Contains(lines, l => l.Contains("Now listening on", StringComparison.Ordinal));
        Assert.Equal("Granary.Functions.FunctionGrain", line.GetProperty("Category").GetString());
        Assert.Equal("default", scope.GetProperty("Tenant").GetString());
        Assert.Equal("main", scope.GetProperty("Workspace").GetString());
        Assert.Equal("hello", scope.GetProperty("Function").GetString());
        Assert.Equal(1, scope.GetProperty("Version").GetInt32());
        Assert.Equal(invocationId, scope.GetProperty("InvocationId").GetString());
        Assert.Equal(traceId, scope.GetProperty("TraceId").GetString());
        Assert.Equal(invocationId, line.GetProperty("State").GetProperty("InvocationId").GetString());
    }

    // The first JSON line of the console that matches, within 10 s (the console is written asynchronously).
    private static async Task<JsonElement> FindAsync(GranaryProcess process, Func<JsonElement, bool> match)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            foreach (var line in process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (line.StartsWith('{') && JsonDocument.Parse(line).RootElement is var entry && entry.TryGetProperty("EventId", out _) && match(entry))
                {
                    return entry;
                }
            }

            Assert.True(DateTime.UtcNow < until, $"No such line in the console:\n{process.Output}");
            await Task.Delay(100);
        }
    }
}
