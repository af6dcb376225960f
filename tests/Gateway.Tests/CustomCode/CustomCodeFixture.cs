using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Granary.Gateway.Tests.CustomCode;

/// <summary>A gateway for the Custom Code API tests, with a short run timeout and a small cache limit so both are cheap to reach.</summary>
public sealed class CustomCodeFixture : IAsyncLifetime
{
    public const int MaxCacheBytes = 4096;

    public GranaryServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await GranaryServer.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Granary:Workspaces:RunTimeoutMs"] = "4000",
        ["Granary:Workspaces:MaxCacheBytes"] = MaxCacheBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Granary:Limits:MaxRequestBodyBytes"] = "65536",
    });

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();

    public static string Workspace() => "Ws_" + Guid.NewGuid().ToString("N")[..10];
}

/// <summary>Calls of the Custom Code API.</summary>
public static class CustomCodeCalls
{
    /// <summary>The functions map of one snippet with the given parameters (name → type).</summary>
    public static JsonObject Snippet(string code, params (string Name, string Type)[] parameters) => new()
    {
        ["code"] = code,
        ["parameters"] = new JsonObject(parameters.Select(p => KeyValuePair.Create(p.Name, (JsonNode?)new JsonObject { ["type"] = p.Type }))),
    };

    public static Task<HttpResponseMessage> PutWorkspaceAsync(this GranaryServer server, string workspace, JsonObject functions, JsonObject? dependencies = null)
    {
        var body = new JsonObject { ["functions"] = functions };
        if (dependencies is not null)
        {
            body["dependencies"] = dependencies;
        }

        return server.Http.PostAsync($"/v2/functions/{workspace}", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
    }

    public static async Task PutWorkspaceOkAsync(this GranaryServer server, string workspace, JsonObject functions)
    {
        var response = await server.PutWorkspaceAsync(workspace, functions);
        Assert.True(response.IsSuccessStatusCode, $"storing workspace {workspace} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public static Task<HttpResponseMessage> RunAsync(this GranaryServer server, string workspace, string function, object? parameters = null) =>
        server.Http.PostAsJsonAsync($"/v2/functions/{workspace}/run/{function}", new { parameters = parameters ?? new { } });

    /// <summary>Runs a function and returns the status and body.</summary>
    public static async Task<(int Status, JsonElement Body)> RunJsonAsync(this GranaryServer server, string workspace, string function, object? parameters = null)
    {
        var response = await server.RunAsync(workspace, function, parameters);
        var text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString() ?? "", StringComparison.Ordinal);
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Runs a function that must succeed and returns its result.</summary>
    public static async Task<JsonElement> ResultAsync(this GranaryServer server, string workspace, string function, object? parameters = null)
    {
        var (status, body) = await server.RunJsonAsync(workspace, function, parameters);
        Assert.True(status == 200, $"run of {function} answered {status}: {body}");
        return body.GetProperty("result");
    }
}
