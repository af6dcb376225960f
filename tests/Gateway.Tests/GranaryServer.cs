using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Granary.Gateway.Tests;

/// <summary>
/// A real Granary process-in-a-test: the gateway with its embedded silo on free loopback ports, Kestrel on
/// a real socket, file storage in a temporary directory that outlives the server unless it is deleted.
/// </summary>
public sealed class GranaryServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsData;

    /// <summary>The admin key every test server is started with (<c>Granary:Auth:AdminKey</c>), unless a test sets its own.</summary>
    public const string AdminKey = "gk_test_admin_0123456789abcdef0123456789abcdef";

    private GranaryServer(WebApplication app, string dataPath, bool ownsData, int gatewayPort)
    {
        _app = app;
        _ownsData = ownsData;
        DataPath = dataPath;
        OrleansGatewayPort = gatewayPort;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        Http = Client(app.Services.GetRequiredService<IConfiguration>()["Granary:Auth:AdminKey"]);
        Anonymous = Client(key: null);
    }

    public Uri BaseAddress { get; }

    /// <summary>Gets a client that sends the admin key with every request (the existing suites run as the admin).</summary>
    public HttpClient Http { get; }

    /// <summary>Gets a client that sends no key.</summary>
    public HttpClient Anonymous { get; }

    public string DataPath { get; }

    public int OrleansGatewayPort { get; }

    public IServiceProvider Services => _app.Services;

    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    public static async Task<GranaryServer> StartAsync(string? dataPath = null, IDictionary<string, string?>? settings = null, IDictionary<string, string>? seedEnvironment = null, Action<IServiceCollection>? services = null)
    {
        var ownsData = dataPath is null;
        dataPath ??= Directory.CreateTempSubdirectory("granary-test-").FullName;
        var gatewayPort = FreePort();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        var configuration = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Granary:Storage:Path"] = dataPath,
            ["Granary:Cluster:SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Granary:Cluster:GatewayPort"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Granary:Cluster:ServiceId"] = "granary-test",
            ["Granary:Cluster:ClusterId"] = "granary-test-" + Guid.NewGuid().ToString("N"),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Granary:Auth:AdminKey"] = AdminKey,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        if (seedEnvironment is not null)
        {
            // Stands in for the Custom Code service's environment variables, below every other source.
            var variables = new System.Collections.Hashtable();
            foreach (var (name, value) in seedEnvironment)
            {
                variables[name] = value;
            }

            builder.Configuration.Sources.Insert(0, new Granary.Silo.Hosting.CustomCodeEnvironment(variables));
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddGranaryGateway();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapGranaryGateway();
        await app.StartAsync();
        var server = new GranaryServer(app, dataPath, ownsData, gatewayPort);
        await server.WaitReadyAsync();
        return server;
    }

    // A client-mode gateway connects to its silos in the background: on a loaded machine a first call came before a silo
    // had answered (503). An embedded one is ready at once.
    private async Task WaitReadyAsync()
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var ready = await Http.GetAsync(new Uri("/readyz", UriKind.Relative));
            if (ready.StatusCode == System.Net.HttpStatusCode.OK)
            {
                return;
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"The gateway did not become ready within 30 s: /readyz answered {(int)ready.StatusCode}.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Makes a client of this server that sends <paramref name="key"/> (none when null); the caller disposes it.</summary>
    public HttpClient Client(string? key)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    public static int FreePort() => Granary.Cluster.Tests.Infrastructure.Ports.FreePort();

    public static string FunctionPath(string workspace, string name, string tenant = "default") =>
        $"/api/v1/tenants/{tenant}/workspaces/{workspace}/functions/{name}";

    /// <summary>
    /// Gets or sets the <c>isolation</c> every deploy of this server sends unless its settings say otherwise: the
    /// contract suites run again in process mode with <c>process</c>.
    /// </summary>
    public string? Isolation { get; set; }

    public async Task<HttpResponseMessage> DeployAsync(string workspace, string name, string code, object? settings = null, string tenant = "default")
    {
        var body = new Dictionary<string, object?> { ["runtime"] = "nodejs", ["code"] = code };
        if (Isolation is not null)
        {
            body["isolation"] = Isolation;
        }

        if (settings is not null)
        {
            foreach (var property in JsonSerializer.SerializeToElement(settings).EnumerateObject())
            {
                body[property.Name] = property.Value;
            }
        }

        return await Http.PutAsJsonAsync(FunctionPath(workspace, name, tenant), body);
    }

    public async Task<JsonElement> DeployOkAsync(string workspace, string name, string code, object? settings = null)
    {
        var response = await DeployAsync(workspace, name, code, settings);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"deploy of {name} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public Task<HttpResponseMessage> InvokeAsync(string workspace, string name, string? json = null, string path = "", HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Post, $"/fn/default/{workspace}/{name}{path}");
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return Http.SendAsync(request);
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<string> StateAsync(string workspace, string name) =>
        (await GetJsonAsync(FunctionPath(workspace, name))).GetProperty("status").GetProperty("state").GetString()!;

    /// <summary>Polls until the function reaches a state; fails with the last state seen.</summary>
    public async Task WaitForStateAsync(string workspace, string name, string state, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(15));
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            last = await StateAsync(workspace, name);
            if (last == state)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"Function {workspace}/{name} did not become '{state}' within {within ?? TimeSpan.FromSeconds(15)}; last state '{last}'.");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Anonymous.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsData)
        {
            try
            {
                Directory.Delete(DataPath, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by the process; the OS temp cleaner takes it.
            }
        }
    }
}
