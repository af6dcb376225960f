using System.Net;
using System.Text.Json;

namespace Granary.Gateway.Tests.Conformance;

/// <summary>
/// Every case of the Functions Framework conformance suite, through the multi-function gateway: the test
/// functions answer with what they received (instead of writing function_output.json, which single-function mode
/// covers), and the answer is compared as the conformance client compares its output file.
/// </summary>
public sealed class GatewayConformanceTests(GatewayConformanceTests.Functions fixture) : IClassFixture<GatewayConformanceTests.Functions>
{
    public static TheoryData<string, string> CloudEventCases => ConformanceVectors.Names("cloudevent");

    public static TheoryData<string, string> LegacyEventCases => ConformanceVectors.Names("legacyevent");

    [Fact]
    public async Task TheHttpCaseEchoesTheBody()
    {
        var response = await fixture.Server.Http.PostAsync("/fn/default/conformance/http", JsonContent.Create(new { res = "PASS" }));

        Assert.True(response.IsSuccessStatusCode, $"status {(int)response.StatusCode}");
        Assert.Equal("PASS", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("res").GetString());
    }

    [Theory]
    [MemberData(nameof(CloudEventCases))]
    public async Task ACloudEventFunctionReceivesTheEvent(string phase, string name)
    {
        var c = ConformanceVectors.Case("cloudevent", phase, name);

        var response = await fixture.Server.Http.SendAsync(ConformanceVectors.Request(c, "/fn/default/conformance/cloudevent"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode, $"{name}: status {(int)response.StatusCode}: {body}");
        ConformanceComparer.Compare(c.Comparator, body, c.Expected);
    }

    [Theory]
    [MemberData(nameof(LegacyEventCases))]
    public async Task ALegacyEventFunctionReceivesTheEvent(string phase, string name)
    {
        var c = ConformanceVectors.Case("legacyevent", phase, name);

        var response = await fixture.Server.Http.SendAsync(ConformanceVectors.Request(c, "/fn/default/conformance/legacy"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode, $"{name}: status {(int)response.StatusCode}: {body}");
        ConformanceComparer.Compare(c.Comparator, body, c.Expected);
    }

    [Fact]
    public async Task TenSimultaneousOneSecondInvocationsFinishWithinTwiceTheTimeOfOne()
    {
        // The contract times concurrency, not cold starts: ten instances are made once, unmeasured (on a loaded machine
        // making nine isolates at once took more than the second the rule leaves).
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => fixture.Server.Http.PostAsync("/fn/default/conformance/concurrent", JsonContent.Create(new { data = "hello" }))));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var single = await fixture.Server.Http.PostAsync("/fn/default/conformance/concurrent", JsonContent.Create(new { data = "hello" }));
        var t1 = watch.Elapsed;
        watch.Restart();
        var all = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => fixture.Server.Http.PostAsync("/fn/default/conformance/concurrent", JsonContent.Create(new { data = "hello" }))));
        var t10 = watch.Elapsed;

        Assert.Equal(HttpStatusCode.OK, single.StatusCode);
        Assert.True(t1 >= TimeSpan.FromSeconds(1), $"one invocation took {t1}");
        Assert.All(all, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.True(t10 <= 2 * t1, $"ten took {t10}, one took {t1}");
    }

    /// <summary>The conformance functions, deployed once on one gateway.</summary>
    public sealed class Functions : IAsyncLifetime
    {
        public GranaryServer Server { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Server = await GranaryServer.StartAsync();
            await Server.DeployOkAsync("conformance", "http", "exports.writeHttp = (req, res) => res.json(req.body);", new { signature = "http", handler = "writeHttp" });
            await Server.DeployOkAsync("conformance", "cloudevent", "exports.writeCloudEvent = (cloudEvent) => cloudEvent;", new { signature = "cloudevent", handler = "writeCloudEvent" });
            await Server.DeployOkAsync(
                "conformance",
                "legacy",
                "exports.writeLegacyEvent = (data, context) => ({ data, context: { eventId: context.eventId, timestamp: context.timestamp, eventType: context.eventType, resource: context.resource } });",
                new { signature = "event", handler = "writeLegacyEvent" });
            await Server.DeployOkAsync("conformance", "concurrent", "exports.concurrentHttp = (req, res) => setTimeout(() => res.send('done'), 1000);", new { signature = "http", handler = "concurrentHttp" });
        }

        public async ValueTask DisposeAsync() => await Server.DisposeAsync();
    }
}
