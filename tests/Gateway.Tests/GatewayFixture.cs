namespace Granary.Gateway.Tests;

/// <summary>One server shared by the tests of a class; each test uses its own workspace so none sees another's functions.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public GranaryServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await GranaryServer.StartAsync(settings: new Dictionary<string, string?>
    {
        // Small limits make 413 and 429 cheap to reach; the defaults are covered by FunctionLimits itself.
        ["Granary:Limits:MaxRequestBodyBytes"] = "65536",
        ["Granary:Limits:MaxQueueLength"] = "2",
    });

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();

    public static string Workspace() => "ws-" + Guid.NewGuid().ToString("N")[..12];
}
