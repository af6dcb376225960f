using System.Globalization;
using Granary.Cluster.Tests.Infrastructure;

namespace Granary.Cluster.Tests;

/// <summary>The process fixture itself, on a single silo with file storage (the programs' own behaviour is tested elsewhere).</summary>
public sealed class GranaryProcessTests
{
    [Fact]
    public async Task SiloBecomesReadyAndExitsCleanlyOnSigterm()
    {
        await using var silo = await GranaryProcess.StartSiloAsync(SingleSilo());

        await silo.WaitReadyAsync(TimeSpan.FromSeconds(60));
        var exitCode = await silo.TerminateAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 0, $"exit code {exitCode}. Output:\n{silo.Output}");
        Assert.True(silo.HasExited);
    }

    [Fact]
    public async Task KillEndsTheProcessAtOnce()
    {
        await using var silo = await GranaryProcess.StartSiloAsync(SingleSilo());
        await silo.WaitReadyAsync(TimeSpan.FromSeconds(60));

        silo.Kill();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!silo.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.True(silo.HasExited, $"process {silo.Pid} still runs after SIGKILL");
    }

    private static Dictionary<string, string> SingleSilo() => new()
    {
        ["Granary__Storage__Path"] = "data",
        ["Granary__Cluster__SiloPort"] = Ports.FreePort().ToString(CultureInfo.InvariantCulture),
        ["Granary__Cluster__GatewayPort"] = Ports.FreePort().ToString(CultureInfo.InvariantCulture),
        ["Granary__Cluster__ClusterId"] = "process-test-" + Guid.NewGuid().ToString("N"),
    };
}
