using Granary.Cluster.Tests.Infrastructure;

namespace Granary.Cluster.Tests;

/// <summary>A silo or gateway with a bad cluster or storage setting stops at start-up with a message naming the setting.</summary>
public sealed class ClusterSettingsTests
{
    [Theory]
    [InlineData("silo", "Granary__Cluster__Clustering", "zookeeper", "Granary:Cluster:Clustering")]
    [InlineData("silo", "Granary__Cluster__Clustering", "redis", "Granary:Cluster:RedisConnectionString")]
    [InlineData("silo", "Granary__Storage__Provider", "adonet", "Granary:Storage:Database")]
    [InlineData("silo", "Granary__Storage__Provider", "cassandra", "Granary:Storage:Provider")]
    [InlineData("gateway", "Granary__Gateway__Mode", "proxy", "Granary:Gateway:Mode")]
    public async Task ABadSettingStopsTheProcessWithAMessageNamingIt(string program, string variable, string value, string setting)
    {
        var environment = new Dictionary<string, string>
        {
            [variable] = value,
            ["Granary__Cluster__SiloPort"] = Ports.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Granary__Cluster__GatewayPort"] = Ports.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        await using var process = program == "silo" ? await GranaryProcess.StartSiloAsync(environment) : await GranaryProcess.StartGatewayAsync(environment);

        await WaitForExitAsync(process);
        Assert.Contains(setting, process.Output, StringComparison.Ordinal);
    }

    // A cluster's credentials: the admin key on every gateway; a master key of tenant secrets, when set, must be one.
    [Theory]
    [InlineData("gateway", "Granary__Gateway__Mode=client;Granary__Auth__AdminKey=", "Granary:Auth:AdminKey")]
    [InlineData("gateway", "Granary__Auth__AdminKey=too-short", "Granary:Auth:AdminKey")]
    [InlineData("silo", "Granary__Secrets__MasterKey=not-32-bytes", "Granary:Secrets:MasterKey")]
    [InlineData("gateway", "Granary__CustomCode__AnonymousTenant=Not_A_Tenant", "Granary:CustomCode:AnonymousTenant")]
    public async Task AMissingOrBadCredentialSettingStopsTheProcessNamingIt(string program, string variables, string setting)
    {
        var environment = variables.Split(';').Select(v => v.Split('=', 2)).ToDictionary(v => v[0], v => v[1]);
        environment["Granary__Cluster__SiloPort"] = Ports.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["Granary__Cluster__GatewayPort"] = Ports.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var process = program == "silo" ? await GranaryProcess.StartSiloAsync(environment) : await GranaryProcess.StartGatewayAsync(environment);

        await WaitForExitAsync(process);
        Assert.Contains(setting, process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASiloWhoseDatabaseIsUnreachableStopsNamingTheConnectionSetting()
    {
        var environment = new Dictionary<string, string>
        {
            ["Granary__Storage__Provider"] = "adonet",
            ["Granary__Storage__Database"] = "postgres",
            ["Granary__Storage__ConnectionString"] = $"Host=127.0.0.1;Port={Ports.FreePort()};Username=granary;Password=secret-pw;Database=granary;Timeout=3",
            ["Granary__Cluster__SiloPort"] = Ports.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Granary__Cluster__GatewayPort"] = Ports.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        await using var silo = await GranaryProcess.StartSiloAsync(environment);

        await WaitForExitAsync(silo);
        Assert.Contains("Granary:Storage:ConnectionString", silo.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-pw", silo.Output, StringComparison.Ordinal);
    }

    private static async Task WaitForExitAsync(GranaryProcess process)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(40);
        while (!process.HasExited)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{process} is still running with a bad setting. Output:\n{process.Output}");
            await Task.Delay(100);
        }
    }
}
