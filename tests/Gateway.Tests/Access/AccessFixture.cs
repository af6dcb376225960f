namespace Granary.Gateway.Tests.Access;

/// <summary>
/// One server shared by the tests of a class, started with the class's own <see cref="Settings"/> on top of the test
/// defaults; each test makes its own tenants (<see cref="Tenant"/>) so none sees another's keys, secrets or audit.
/// </summary>
public class AccessFixture : IAsyncLifetime
{
    public GranaryServer Server { get; private set; } = null!;

    /// <summary>Gets the settings the server starts with, on top of <see cref="GranaryServer"/>'s.</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public async ValueTask InitializeAsync()
    {
        var all = new Dictionary<string, string?> { ["Granary:Limits:MaxRequestBodyBytes"] = "65536" };
        foreach (var (key, value) in Settings)
        {
            all[key] = value;
        }

        Server = await GranaryServer.StartAsync(settings: all);
        await SeedAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>A tenant name no other test uses.</summary>
    public static string Tenant() => "t" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>A workspace name no other test uses.</summary>
    public static string Workspace() => "ws-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>Makes what every test of the class shares, once the server is up.</summary>
    protected virtual Task SeedAsync() => Task.CompletedTask;
}
