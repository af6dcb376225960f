using System.Text;

namespace Granary.Gateway.Tests.Access;

/// <summary>
/// What the APIs take and give: anchored names, strict types and limits, JSON bodies only for changes, a Granary
/// problem type on every refusal, URLs that no caller's Host header chooses, and unknown names refused without a grain.
/// </summary>
public sealed class InputHygieneTests(InputHygieneTests.Fixture fixture) : IClassFixture<InputHygieneTests.Fixture>
{
    private const string PublicUrl = "https://functions.example.test";

    private GranaryServer Server => fixture.Server;

    [Theory]
    [InlineData("/api/v1/tenants/default/workspaces/w/functions/nl%0A", "The function name 'nl\\u000A' is invalid")]
    [InlineData("/api/v1/tenants/default/workspaces/w%0A/functions/f", "The workspace name 'w\\u000A' is invalid")]
    [InlineData("/api/v1/tenants/default%0A/workspaces/w/functions/f", "The tenant name 'default\\u000A' is invalid")]
    public async Task ANameWithATrailingControlCharacterIsRefused(string path, string detail)
    {
        var deploy = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, path, new { runtime = "nodejs", code = AccessCalls.Ok });
        var invoke = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Post, "/fn/" + path["/api/v1/tenants/".Length..].Replace("/workspaces/", "/", StringComparison.Ordinal).Replace("/functions/", "/", StringComparison.Ordinal), "{}");

        foreach (var response in new[] { deploy, invoke })
        {
            var problem = await AccessCalls.ProblemAsync(response, 400, "invalid-name");
            Assert.StartsWith(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("{\"runtime\":\"nodejs\",\"code\":\"module.exports=()=>1\",\"timeoutSeconds\":\"20\"}", "The value of 'timeoutSeconds' has the wrong type: it must be a whole number.")]
    [InlineData("{\"runtime\":\"nodejs\",\"code\":\"module.exports=()=>1\",\"memoryLimitMb\":128.5}", "The value of 'memoryLimitMb' has the wrong type: it must be a whole number.")]
    [InlineData("{\"runtime\":\"nodejs\",\"code\":\"module.exports=()=>1\",\"access\":true}", "The value of 'access' has the wrong type: it must be a string.")]
    [InlineData("{\"runtime\":\"nodejs\",\"code\":\"module.exports=()=>1\",\"secrets\":\"TOKEN\"}", "The value of 'secrets' has the wrong type: it must be an array of strings.")]
    public async Task AValueOfTheWrongTypeIsRefusedNamingTheField(string body, string detail)
    {
        var response = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, GranaryServer.FunctionPath(AccessFixture.Workspace(), "f"), body);

        var problem = await AccessCalls.ProblemAsync(response, 400, "invalid-request");
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("1.5")]
    [InlineData("+5")]
    [InlineData("")]
    public async Task AnInvocationsLimitThatIsNotAWholeNumberInRangeIsA400Problem(string limit)
    {
        var ws = AccessFixture.Workspace();
        await Server.DeployInAsync("default", ws, "f", AccessCalls.Ok);

        var response = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, GranaryServer.FunctionPath(ws, "f") + $"/invocations?limit={Uri.EscapeDataString(limit)}");

        var problem = await AccessCalls.ProblemAsync(response, 400, "invalid-limit");
        Assert.Equal($"limit must be a whole number between 1 and 100; got '{limit}'.", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("PUT /api/v1/tenants/{tenant}", "text/plain")]
    [InlineData("PUT /api/v1/tenants/{tenant}", "application/x-www-form-urlencoded")]
    [InlineData("PUT /api/v1/tenants/{tenant}", "multipart/form-data")]
    [InlineData("PUT /api/v1/tenants/default/workspaces/w/functions/f", "text/plain")]
    [InlineData("PUT /api/v1/tenants/default/workspaces/w/functions/f", "application/x-www-form-urlencoded")]
    [InlineData("PUT /api/v1/tenants/default/workspaces/w/functions/f", "multipart/form-data")]
    [InlineData("POST /api/v1/tenants/default/keys", "text/plain")]
    [InlineData("PUT /api/v1/tenants/default/secrets/TOKEN", "application/x-www-form-urlencoded")]
    [InlineData("PUT /api/v1/tenants/default/workspaces/w", "multipart/form-data")]
    [InlineData("POST /v2/functions/Forged", "text/plain")]
    [InlineData("POST /v2/functions/Forged", "application/x-www-form-urlencoded")]
    [InlineData("POST /v2/functions/Forged", "multipart/form-data")]
    [InlineData("PUT /v2/functions/Forged", "text/plain")]
    [InlineData("POST /v2/functions/Forged/run/f", "text/plain")]
    public async Task AChangeWithAFormOrTextBodyIsRefusedAs415(string endpoint, string mediaType)
    {
        var tenant = AccessFixture.Tenant();
        var (method, path) = (endpoint.Split(' ')[0], endpoint.Split(' ')[1].Replace("{tenant}", tenant, StringComparison.Ordinal));
        const string Json = "{\"quotas\":{},\"role\":\"owner\",\"value\":\"v\",\"runtime\":\"nodejs\",\"code\":\"module.exports=()=>1\",\"functions\":{}}";
        HttpContent content = mediaType switch
        {
            "text/plain" => new StringContent(Json, Encoding.UTF8, "text/plain"),
            "application/x-www-form-urlencoded" => new FormUrlEncodedContent([KeyValuePair.Create(Json, "")]),
            _ => new MultipartFormDataContent { { new StringContent(Json), "body" } },
        };
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = content };

        var response = await Server.Http.SendAsync(request, TestContext.Current.CancellationToken);

        var problem = await AccessCalls.ProblemAsync(response, 415, "unsupported-media-type");
        Assert.StartsWith($"The API takes JSON bodies (Content-Type: application/json); '{mediaType}", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AccessCalls.ProblemAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, $"/api/v1/tenants/{tenant}"), 404, "tenant-not-found");
    }

    [Fact]
    public async Task AChangeWithABodyButNoContentTypeIsRefusedAs415()
    {
        var tenant = AccessFixture.Tenant();
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/tenants/{tenant}") { Content = new ByteArrayContent("{}"u8.ToArray()) };

        var response = await Server.Http.SendAsync(request, TestContext.Current.CancellationToken);

        var problem = await AccessCalls.ProblemAsync(response, 415, "unsupported-media-type");
        Assert.Equal("The API takes JSON bodies (Content-Type: application/json); 'no Content-Type' is refused.", problem.GetProperty("detail").GetString());
        await AccessCalls.ProblemAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, $"/api/v1/tenants/{tenant}"), 404, "tenant-not-found");
    }

    [Fact]
    public async Task AJsonBodyOfAnyJsonMediaTypeIsTaken()
    {
        var tenant = AccessFixture.Tenant();
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/tenants/{tenant}") { Content = new StringContent("{}", Encoding.UTF8, "application/merge-patch+json") };

        var response = await Server.Http.SendAsync(request, TestContext.Current.CancellationToken);

        await AccessCalls.JsonAsync(response, 201);
    }

    [Theory]
    [InlineData("PUT", "/api/v1/tenants/default/workspaces/w/functions/f", "{\"runtime\": ", 400, "malformed-json")]
    [InlineData("PATCH", "/api/v1/tenants/default/workspaces/w/functions/f", "{}", 405, "method-not-allowed")]
    [InlineData("POST", "/api/v1/tenants", "{}", 405, "method-not-allowed")]
    [InlineData("GET", "/api/v1/nothing", null, 404, "not-found")]
    [InlineData("GET", "/api/v1/tenants/nosuch-tenant-0", null, 404, "tenant-not-found")]
    [InlineData("DELETE", "/api/v1/tenants/default/workspaces/w/functions/nosuch", null, 404, "function-not-found")]
    [InlineData("GET", "/api/v1/tenants/default/workspaces/nosuch-ws-0", null, 404, "workspace-not-found")]
    [InlineData("PUT", "/api/v1/tenants/Bad_Name", "{}", 400, "invalid-name")]
    [InlineData("PUT", "/api/v1/tenants/default/secrets/TOKEN", "[]", 400, "invalid-request")]
    [InlineData("PUT", "/api/v1/tenants/{big}", "{big}", 413, "body-too-large")]
    [InlineData("POST", "/fn/default/w/nosuch", "{}", 404, "function-not-found")]
    public async Task EveryRefusalIsAProblemWithAGranaryType(string method, string path, string? body, int status, string slug)
    {
        path = path.Replace("{big}", AccessFixture.Tenant(), StringComparison.Ordinal);
        body = body == "{big}" ? "{\"quotas\":{},\"pad\":\"" + new string('x', 70 * 1024) + "\"}" : body;

        var response = await Server.SendAsync(GranaryServer.AdminKey, new HttpMethod(method), path, body);

        var problem = await AccessCalls.ProblemAsync(response, status, slug);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task AFunctionsUrlComesFromThePublicUrlSettingAndNeverFromTheRequestsHost()
    {
        var ws = AccessFixture.Workspace();
        KeyValuePair<string, string>[] spoofed = [KeyValuePair.Create("Host", "evil.example"), KeyValuePair.Create("X-Forwarded-Host", "evil.example")];

        var deployed = await AccessCalls.JsonAsync(await Server.DeployAsAsync(GranaryServer.AdminKey, "default", ws, "f", AccessCalls.Ok), 201);
        var read = await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, GranaryServer.FunctionPath(ws, "f"), headers: spoofed), 200);
        var listed = await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, $"/api/v1/tenants/default/workspaces/{ws}/functions", headers: spoofed), 200);
        var updated = await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, GranaryServer.FunctionPath(ws, "f"), new { runtime = "nodejs", code = AccessCalls.Ok }, spoofed), 200);

        var url = $"{PublicUrl}/fn/default/{ws}/f";
        Assert.Equal(url, deployed.GetProperty("url").GetString());
        Assert.Equal(url, read.GetProperty("url").GetString());
        Assert.Equal(url, listed.GetProperty("functions")[0].GetProperty("url").GetString());
        Assert.Equal(url, updated.GetProperty("url").GetString());
    }

    [Fact]
    public async Task WithoutThePublicUrlSettingAFunctionsUrlIsTheListeningAddressAndNeverTheRequestsHost()
    {
        await using var server = await GranaryServer.StartAsync();
        KeyValuePair<string, string>[] spoofed = [KeyValuePair.Create("Host", "evil.example"), KeyValuePair.Create("X-Forwarded-Host", "evil.example")];

        var deployed = await AccessCalls.JsonAsync(await server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, GranaryServer.FunctionPath("w", "f"), new { runtime = "nodejs", code = AccessCalls.Ok }, spoofed), 201);

        Assert.Equal(new Uri(server.BaseAddress, "/fn/default/w/f").ToString(), deployed.GetProperty("url").GetString());
    }

    [Fact]
    public async Task UnknownFunctionsAndTenantsAre404WithoutActivatingAGrain()
    {
        var ws = AccessFixture.Workspace();
        await Server.DeployInAsync("default", ws, "real", AccessCalls.Ok);
        Assert.Equal("ok", await AccessCalls.TextAsync(await Server.InvokeAsAsync(null, "default", ws, "real"), 200));
        var management = Server.Grains.GetGrain<IManagementGrain>(0);
        var before = await ActiveAsync(management);
        Assert.Contains($"fn/default/{ws}/real", before);
        var views = Server.Services.GetRequiredService<Granary.Gateway.Access.TenantViews>();
        var viewsBefore = views.Count;
        var names = Enumerable.Range(0, 100).Select(_ => "n" + Guid.NewGuid().ToString("N")[..12]).ToList();
        var tenants = Enumerable.Range(0, 100).Select(_ => AccessFixture.Tenant()).ToList();

        var responses = new List<HttpResponseMessage>();
        foreach (var name in names)
        {
            responses.Add(await Server.InvokeAsAsync(null, "default", ws, name));
        }

        foreach (var tenant in tenants)
        {
            responses.Add(await Server.InvokeAsAsync(null, tenant, "w", "f"));
        }

        var after = await ActiveAsync(management);

        foreach (var response in responses)
        {
            await AccessCalls.ProblemAsync(response, 404, "function-not-found");
        }

        Assert.DoesNotContain(after, id => names.Any(n => id.Contains(n, StringComparison.Ordinal)) || tenants.Any(t => id.Contains(t, StringComparison.Ordinal)));
        Assert.Empty(after.Except(before));

        // Nor does the gateway keep anything for names that do not exist: a flood of them cannot grow its memory.
        Assert.Equal(viewsBefore, views.Count);
    }

    // Every active grain of the types an invocation could wake, as "type/key".
    private static async Task<HashSet<string>> ActiveAsync(IManagementGrain management)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in new[] { "fn", "fndef", "tenant", "workspace", "audit" })
        {
            foreach (var id in await management.GetActiveGrains(GrainType.Create(type)))
            {
                ids.Add($"{type}/{id.Key}");
            }
        }

        Assert.Contains("tenant/default", ids);
        return ids;
    }

    /// <summary>A server whose function URLs come from <c>Granary:Gateway:PublicUrl</c>.</summary>
    public sealed class Fixture : AccessFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Granary:Gateway:PublicUrl"] = PublicUrl };
    }
}
