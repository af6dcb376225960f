using Microsoft.Extensions.Options;

namespace Granary.Gateway.Tests;

/// <summary>Settings are validated when the process starts, and the message names the setting.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Granary:Limits:MaxConcurrency", "0")]
    [InlineData("Granary:Scaling:ScaleUpUtilisation", "0")]
    [InlineData("Granary:Scaling:RetireAfterSeconds", "0")]
    [InlineData("Granary:Limits:MaxRequestBodyBytes", "-1")]
    [InlineData("Granary:JavaScript:WarmIsolates", "1000")]
    [InlineData("Granary:JavaScript:ScriptSliceMs", "-1")]
    [InlineData("Granary:JavaScript:LongRunnerNice", "20")]
    [InlineData("Granary:JavaScript:MaxRunningScriptsPerTenant", "-1")]
    [InlineData("Granary:Gateway:PublicUrl", "not a url")]
    [InlineData("Granary:Cluster:SiloPort", "70000")]
    [InlineData("Granary:Workspaces:RunTimeoutMs", "0")]
    [InlineData("Granary:Workspaces:MaxCacheBytes", "10")]
    [InlineData("Granary:Limits:MaxActiveFunctions", "0")]
    [InlineData("Granary:Limits:MaxInstances", "0")]
    [InlineData("Granary:Npm:InstallTimeoutSeconds", "0")]
    [InlineData("Granary:Pip:InstallTimeoutSeconds", "0")]
    [InlineData("Granary:Pip:MaxRequirements", "-1")]
    [InlineData("Granary:Pip:IndexUrl", "not a url")]
    [InlineData("Granary:Pip:IndexUrl", "ftp://mirror.example/simple")]
    [InlineData("Granary:Pip:ExtraIndexUrls:0", "javascript:alert(1)")]
    [InlineData("Granary:Python:Isolation", "chroot")]
    [InlineData("Granary:Python:UidRangeStart", "1000")]
    [InlineData("Granary:Python:MaxProcesses", "1")]
    [InlineData("Granary:Python:DirectoryQuotaMb", "0")]
    [InlineData("Granary:Python:PublisherProxyAddress", "file:///etc/passwd")]
    [InlineData("Granary:NodeProcess:MaxProcesses", "1")]
    [InlineData("Granary:NodeProcess:Isolation", "chroot")]
    [InlineData("Granary:Telemetry:Traces:SampleRatio", "1.5")]
    [InlineData("Granary:Telemetry:Traces:SampleRatio", "-0.1")]
    public async Task AnInvalidSettingStopsStartUpNamingTheSetting(string key, string value)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GranaryServer.StartAsync(settings: new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost", 1)]
    [InlineData("redis", 10)]
    public void AFunctionDeployedWithoutMaxInstancesGetsTenInAClusterAndOneOnASingleSilo(string clustering, int expected)
    {
        var cluster = new Granary.Silo.Hosting.ClusterEndpointOptions { Clustering = clustering };

        Assert.Equal(expected, cluster.DefaultMaxInstances);
    }
}
