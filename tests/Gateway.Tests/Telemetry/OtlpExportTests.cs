using Granary.Gateway.Tests.Access;

namespace Granary.Gateway.Tests.Telemetry;

/// <summary>
/// OTLP export, on when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set: a gateway sends its metrics and logs over
/// OTLP/HTTP (protobuf) to a receiver in the test, with <c>OTEL_SERVICE_NAME</c> and the silo's resource attributes.
/// </summary>
public sealed partial class OtlpExportTests
{
    [Fact]
    public async Task MetricsAndLogsReachAnOtlpReceiverWithTheServiceNameAndTheSilo()
    {
        await using var receiver = new OtlpReceiver();
        await using var server = await GranaryServer.StartAsync(settings: new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "granary-otlp-test",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "deployment.environment=test",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "300",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "100",
        });
        var workspace = AccessFixture.Workspace();
        await server.DeployOkAsync(workspace, "hello", AccessCalls.Ok);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await server.InvokeAsync(workspace, "hello")).StatusCode);
        LogMarker(server.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Granary.Tests.Otlp"), workspace);

        await AccessCalls.EventuallyAsync(
            () => Task.FromResult(receiver.MetricNames().IsSupersetOf(["faas.invocations", "faas.coldstarts", "faas.invoke_duration"]) && receiver.LogBodies().Contains("otlp-marker {Workspace}")),
            $"faas metrics and the log line over OTLP (got {string.Join(", ", receiver.Received.Select(r => r.Path).Distinct())}: {string.Join(", ", receiver.MetricNames().Where(n => n.StartsWith("faas", StringComparison.Ordinal)))})");

        Assert.All(receiver.Received, r => Assert.Equal("application/x-protobuf", r.ContentType));
        foreach (var path in new[] { "/v1/metrics", "/v1/logs" })
        {
            var resource = receiver.Resources(path).First();
            Assert.Equal("granary-otlp-test", resource["service.name"]);
            Assert.Equal("test", resource["deployment.environment"]);
            Assert.StartsWith("S127.0.0.1:", resource["service.instance.id"], StringComparison.Ordinal);
            Assert.Equal(resource["service.instance.id"], resource["granary.silo.address"]);
            Assert.StartsWith("granary-test-", resource["granary.cluster.id"], StringComparison.Ordinal);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "otlp-marker {Workspace}")]
    private static partial void LogMarker(ILogger logger, string workspace);
}
