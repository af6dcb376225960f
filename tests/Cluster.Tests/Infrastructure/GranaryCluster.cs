using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Granary.Cluster.Tests.Infrastructure;

/// <summary>
/// A Granary cluster of real processes on loopback: silos with Redis membership and a grain storage of the test's
/// choosing, and gateways in client mode. Each silo keeps its ports across restarts, as a silo on a fixed host would.
/// </summary>
public sealed class GranaryCluster : IAsyncDisposable
{
    private static readonly TimeSpan s_ready = TimeSpan.FromSeconds(60);
    private readonly Dictionary<string, string> _shared;
    private readonly List<Dictionary<string, string>> _siloEnvironments = [];

    private GranaryCluster(Dictionary<string, string> shared) => _shared = shared;

    /// <summary>Gets the silos, by index; a restarted silo replaces its entry.</summary>
    public List<GranaryProcess> Silos { get; } = [];

    /// <summary>Gets the gateways.</summary>
    public List<GranaryProcess> Gateways { get; } = [];

    /// <summary>Gets an HTTP client per gateway (60 s timeout: a test asserts durations itself).</summary>
    public List<HttpClient> Http { get; } = [];

    /// <summary>Gets the Orleans silo port of each silo (it appears in the silo's address: <c>S127.0.0.1:{port}:…</c>).</summary>
    public List<int> SiloPorts { get; } = [];

    /// <summary>Starts <paramref name="silos"/> silos and <paramref name="gateways"/> client-mode gateways.</summary>
    /// <param name="redis">The membership table's server.</param>
    /// <param name="storage">The storage settings (<c>Granary__Storage__*</c>), for example a PostgreSQL database.</param>
    /// <param name="silos">How many silos.</param>
    /// <param name="gateways">How many gateways.</param>
    public static async Task<GranaryCluster> StartAsync(RedisServer redis, IDictionary<string, string> storage, int silos = 3, int gateways = 1)
    {
        ArgumentNullException.ThrowIfNull(redis);
        var shared = new Dictionary<string, string>(storage)
        {
            ["Granary__Cluster__Clustering"] = "redis",
            ["Granary__Cluster__RedisConnectionString"] = redis.ConnectionString,
            ["Granary__Cluster__ClusterId"] = "test-" + Guid.NewGuid().ToString("N")[..12],
            ["Granary__Cluster__ServiceId"] = "granary-test",
            ["Granary__Cluster__AdvertisedAddress"] = "127.0.0.1",
        };
        var cluster = new GranaryCluster(shared);
        try
        {
            for (var i = 0; i < silos; i++)
            {
                var port = Ports.FreePort();
                cluster.SiloPorts.Add(port);
                cluster._siloEnvironments.Add(new Dictionary<string, string>(shared)
                {
                    ["Granary__Cluster__SiloPort"] = port.ToString(CultureInfo.InvariantCulture),
                    ["Granary__Cluster__GatewayPort"] = Ports.FreePort().ToString(CultureInfo.InvariantCulture),
                });
            }

            // The first silo applies the schema alone; the others then start together.
            cluster.Silos.Add(await StartSiloAsync(cluster._siloEnvironments[0]));
            cluster.Silos.AddRange(await Task.WhenAll(cluster._siloEnvironments.Skip(1).Select(StartSiloAsync)));
            for (var i = 0; i < gateways; i++)
            {
                await cluster.AddGatewayAsync();
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts one more client-mode gateway and waits until it sees every silo.</summary>
    public async Task<HttpClient> AddGatewayAsync()
    {
        var gateway = await GranaryProcess.StartGatewayAsync(new Dictionary<string, string>(_shared) { ["Granary__Gateway__Mode"] = "client" });
        Gateways.Add(gateway);
        await gateway.WaitReadyAsync(s_ready);
        var http = GranaryProcess.AdminClient(gateway.HttpUri, TimeSpan.FromSeconds(60));
        Http.Add(http);
        await WaitForSilosAsync(http, Silos.Count(s => !s.HasExited));
        return http;
    }

    /// <summary>Starts silo <paramref name="index"/> again with its ports (after it was killed or stopped).</summary>
    public async Task RestartSiloAsync(int index)
    {
        await Silos[index].DisposeAsync();
        Silos[index] = await StartSiloAsync(_siloEnvironments[index]);
    }

    /// <summary>Waits until the gateway's readiness reports <paramref name="count"/> active silos.</summary>
    public static async Task WaitForSilosAsync(HttpClient gateway, int count, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        var deadline = DateTime.UtcNow + (timeout ?? s_ready);
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await gateway.GetStringAsync(new Uri("/readyz", UriKind.Relative));
                if (last.Contains($"\"{count} active silo(s).\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"The gateway did not see {count} active silos in time; last /readyz: {last}");
    }

    /// <summary>
    /// Deploys a JavaScript function through a gateway and asserts it was accepted; <paramref name="maxInstances"/> null
    /// keeps the default (a busy function scales out to more instances).
    /// </summary>
    public static async Task DeployAsync(HttpClient gateway, string name, string code, string workspace = "w", int? maxInstances = null)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        using var response = await PutAsync(gateway, name, code, workspace, maxInstances);
        Assert.True(response.IsSuccessStatusCode, $"PUT {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Sends the PUT of a function and returns the response as is.</summary>
    public static Task<HttpResponseMessage> PutAsync(HttpClient gateway, string name, string code, string workspace = "w", int? maxInstances = null)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        var uri = new Uri($"/api/v1/tenants/default/workspaces/{workspace}/functions/{name}", UriKind.Relative);
        return maxInstances is { } max
            ? gateway.PutAsJsonAsync(uri, new { runtime = "nodejs", code, maxInstances = max })
            : gateway.PutAsJsonAsync(uri, new { runtime = "nodejs", code });
    }

    /// <summary>Gets the silo address of each live activation of a function, from the status API.</summary>
    public static async Task<List<string>> ActivationSilosAsync(HttpClient gateway, string name, string workspace = "w")
    {
        ArgumentNullException.ThrowIfNull(gateway);
        using var document = JsonDocument.Parse(await gateway.GetStringAsync(new Uri($"/api/v1/tenants/default/workspaces/{workspace}/functions/{name}", UriKind.Relative)));
        return [.. document.RootElement.GetProperty("status").GetProperty("instances").EnumerateArray().Select(i => i.GetProperty("silo").GetString()!)];
    }

    /// <summary>The silo index whose address is <paramref name="silo"/> (<c>S127.0.0.1:{port}:{generation}</c>), or -1.</summary>
    public int IndexOf(string silo) => SiloPorts.FindIndex(p => silo.Contains($":{p}:", StringComparison.Ordinal));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var http in Http)
        {
            http.Dispose();
        }

        await Task.WhenAll(Gateways.Concat(Silos).Select(p => p.DisposeAsync().AsTask()));
    }

    private static async Task<GranaryProcess> StartSiloAsync(Dictionary<string, string> environment)
    {
        var silo = await GranaryProcess.StartSiloAsync(environment);
        await silo.WaitReadyAsync(s_ready);
        return silo;
    }
}
