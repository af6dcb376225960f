using System.Text;
using System.Text.Json;
using Granary.Cluster.Tests.Infrastructure;

namespace Granary.Cluster.Tests;

/// <summary>
/// <c>Granary__Telemetry__Traces__Enabled=false</c> on the real gateway process (its own process: a tracer provider
/// listens process-wide, so a test host beside others would still see their listeners). Granary makes no spans then,
/// but ASP.NET Core still continues an incoming <c>traceparent</c> in its request activity (for its own log
/// correlation), so a caller's trace id still reaches the records and the function, cold and warm.
/// </summary>
public sealed class TracingOffTests
{
    [Fact]
    public async Task WithTracingOffACallersTraceIdStillReachesTheRecordsAndTheFunction()
    {
        await using var gateway = await GranaryProcess.StartEmbeddedGatewayAsync(new Dictionary<string, string>
        {
            ["Granary__Telemetry__Traces__Enabled"] = "false",
        });
        using var http = GranaryProcess.AdminClient(gateway.HttpUri, TimeSpan.FromSeconds(30));
        using var deploy = await http.PutAsync(
            new Uri("api/v1/tenants/default/workspaces/main/functions/plain", UriKind.Relative),
            new StringContent("""{"runtime":"nodejs","code":"module.exports = (e, c) => c.headers.traceparent;"}""", Encoding.UTF8, "application/json"));
        Assert.True(deploy.IsSuccessStatusCode, await deploy.Content.ReadAsStringAsync());
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        var seen = new List<string>();
        for (var call = 0; call < 2; call++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("fn/default/main/plain", UriKind.Relative));
            request.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");
            using var response = await http.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            seen.Add(await response.Content.ReadAsStringAsync());
        }

        var records = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/v1/tenants/default/workspaces/main/functions/plain/invocations", UriKind.Relative))).RootElement;

        Assert.All(seen, s => Assert.Matches($"^00-{traceId}-[0-9a-f]{{16}}-0[01]$", s));
        Assert.Equal([traceId, traceId], records.GetProperty("invocations").EnumerateArray().Select(r => r.GetProperty("traceId").GetString()));
    }
}
