using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Granary.Gateway.Tests.Access;

/// <summary>Calls of the tenancy APIs with a chosen key, and the checks of their answers.</summary>
public static class AccessCalls
{
    /// <summary>The code of a function that answers "ok".</summary>
    public const string Ok = "module.exports = () => 'ok';";

    /// <summary>Sends a request with <paramref name="key"/> (none when null) and a JSON body when one is given.</summary>
    public static Task<HttpResponseMessage> SendAsync(
        this GranaryServer server, string? key, HttpMethod method, string path, object? body = null, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (body is not null)
        {
            request.Content = body is string json
                ? new StringContent(json, Encoding.UTF8, "application/json")
                : JsonContent.Create(body);
        }

        return server.Anonymous.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>Creates a tenant as the admin, with quotas when given; fails unless it answers 201.</summary>
    public static async Task<JsonElement> CreateTenantAsync(this GranaryServer server, string tenant, object? quotas = null)
    {
        var response = await server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, $"/api/v1/tenants/{tenant}", quotas is null ? new { } : new { quotas });
        return await JsonAsync(response, 201);
    }

    /// <summary>Creates a key of a tenant, by default as the admin; returns its id and the key itself.</summary>
    public static async Task<(string Id, string Key)> CreateKeyAsync(this GranaryServer server, string tenant, string role, string? name = null, string creator = GranaryServer.AdminKey)
    {
        var response = await server.SendAsync(creator, HttpMethod.Post, $"/api/v1/tenants/{tenant}/keys", new { role, name = name ?? role });
        var created = await JsonAsync(response, 201);
        return (created.GetProperty("id").GetString()!, created.GetProperty("key").GetString()!);
    }

    /// <summary>Deploys a nodejs function (settings add to or override the definition's fields) with a key.</summary>
    public static Task<HttpResponseMessage> DeployAsAsync(this GranaryServer server, string? key, string tenant, string workspace, string name, string code, object? settings = null)
    {
        var body = new Dictionary<string, object?> { ["runtime"] = "nodejs", ["code"] = code };
        if (settings is not null)
        {
            foreach (var property in JsonSerializer.SerializeToElement(settings).EnumerateObject())
            {
                body[property.Name] = property.Value;
            }
        }

        return server.SendAsync(key, HttpMethod.Put, GranaryServer.FunctionPath(workspace, name, tenant), body);
    }

    /// <summary>Deploys a nodejs function as the admin; fails unless it is created.</summary>
    public static async Task<JsonElement> DeployInAsync(this GranaryServer server, string tenant, string workspace, string name, string code, object? settings = null) =>
        await JsonAsync(await server.DeployAsAsync(GranaryServer.AdminKey, tenant, workspace, name, code, settings), 201);

    /// <summary>Invokes <c>/fn/{tenant}/{workspace}/{name}</c> with a key (none when null).</summary>
    public static Task<HttpResponseMessage> InvokeAsAsync(this GranaryServer server, string? key, string tenant, string workspace, string name, IEnumerable<KeyValuePair<string, string>>? headers = null) =>
        server.SendAsync(key, HttpMethod.Post, $"/fn/{tenant}/{workspace}/{name}", "{}", headers);

    /// <summary>Asserts the status and returns the JSON body.</summary>
    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, int status) =>
        JsonDocument.Parse(await TextAsync(response, status)).RootElement.Clone();

    /// <summary>Asserts the status and returns the body as text.</summary>
    public static async Task<string> TextAsync(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True((int)response.StatusCode == status, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery} answered {(int)response.StatusCode}, not {status}: {text}");
        return text;
    }

    /// <summary>Asserts that the answer is a problem of <c>urn:granary:problem:{slug}</c> with the status, and returns it.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, int status, string slug)
    {
        var problem = await JsonAsync(response, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("urn:granary:problem:" + slug, problem.GetProperty("type").GetString());
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    /// <summary>Asserts a 401 with its <c>WWW-Authenticate</c> challenge and an unauthorized problem.</summary>
    public static async Task<JsonElement> UnauthorizedAsync(HttpResponseMessage response, string challenge = "Bearer")
    {
        var problem = await ProblemAsync(response, 401, "unauthorized");
        Assert.Equal([challenge], response.Headers.WwwAuthenticate.Select(h => h.ToString()));
        return problem;
    }

    /// <summary>Polls until <paramref name="done"/> holds, failing with <paramref name="what"/> after the deadline.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> done, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(15));
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what} did not happen within {within ?? TimeSpan.FromSeconds(15)}.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
