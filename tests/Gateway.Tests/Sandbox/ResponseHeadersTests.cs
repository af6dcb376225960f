using System.Net;
using System.Text.Json;
using Granary.Gateway.Apis;

namespace Granary.Gateway.Tests.Sandbox;

/// <summary>
/// A function's answers and the API's share a host by default: function responses get security headers, their cookies
/// stay on the function's own path, and a separate functions origin keeps functions and the API apart.
/// </summary>
public sealed class ResponseHeadersTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string HtmlWithCookie = """
        exports.main = (event) => ({
          statusCode: 200,
          headers: { 'Content-Type': 'text/html', 'Set-Cookie': 'admin=1; Path=/api; Domain=localhost; HttpOnly' },
          body: '<script>fetch("/api/v1/tenants")</script>',
        });
        """;

    private static readonly string[] FontHosts = ["fonts.googleapis.com", "*.example.com"];

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : "";

    [Fact]
    public async Task AFunctionsHtmlGetsSecurityHeadersAndItsCookieStaysOnItsOwnPath()
    {
        var ws = GatewayFixture.Workspace();
        await fixture.Server.DeployOkAsync(ws, "page", HtmlWithCookie);

        using var response = await fixture.Server.InvokeAsync(ws, "page");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("SAMEORIGIN", Header(response, "X-Frame-Options"));
        Assert.Equal("strict-origin-when-cross-origin", Header(response, "Referrer-Policy"));
        Assert.StartsWith("default-src 'self'; ", Header(response, "Content-Security-Policy"), StringComparison.Ordinal);
        Assert.Contains("object-src 'none'", Header(response, "Content-Security-Policy"), StringComparison.Ordinal);

        // Served over plain http: no HSTS.
        Assert.Equal("", Header(response, "Strict-Transport-Security"));

        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.Equal($"admin=1; Path=/fn/default/{ws}/page; HttpOnly", cookie);
    }

    [Theory]
    [InlineData("a=1", "a=1; Path=/fn/t/w/n")]
    [InlineData("a=1; Path=/", "a=1; Path=/fn/t/w/n")]
    [InlineData("a=1; path=/fn/t/w/n2", "a=1; Path=/fn/t/w/n")]
    [InlineData("a=1; Path=/fn/t/w/n/sub; Secure", "a=1; Path=/fn/t/w/n/sub; Secure")]
    [InlineData("a=1; Domain=.example.com; Path=/fn/t/w/n", "a=1; Path=/fn/t/w/n")]
    [InlineData("a=1; Max-Age=60; SameSite=Lax", "a=1; Max-Age=60; SameSite=Lax; Path=/fn/t/w/n")]
    public void CookiesAreConfinedToTheFunctionsPath(string setCookie, string expected) =>
        Assert.Equal(expected, FunctionCookies.Scope(setCookie, "/fn/t/w/n"));

    [Fact]
    public void OnAHostOfItsOwnAFunctionKeepsItsPathsButNeverADomain() =>
        Assert.Equal("a=1; Path=/x", FunctionCookies.Scope("a=1; Domain=fn.test; Path=/x", "/"));

    [Fact]
    public async Task HeadersTheFunctionSetsWinAndEachToggleTurnsItsHeaderOff()
    {
        var ws = GatewayFixture.Workspace();
        await fixture.Server.DeployOkAsync(ws, "own", """
            exports.main = () => ({ statusCode: 200, headers: { 'Content-Type': 'text/html', 'X-Frame-Options': 'DENY', 'Content-Security-Policy': "default-src 'none'" }, body: '<p>hi</p>' });
            """);
        await fixture.Server.DeployOkAsync(ws, "bare", "exports.main = () => ({ statusCode: 200, headers: { 'Content-Type': 'text/html' }, body: '<p>hi</p>' });", new
        {
            securityHeaders = new { csp = false, contentTypeOptions = false, frameOptions = "off", referrerPolicy = "off" },
        });
        await fixture.Server.DeployOkAsync(ws, "fonts", "exports.main = () => ({ statusCode: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: '<p>hi</p>' });", new
        {
            securityHeaders = new { cspAllowlist = FontHosts, referrerPolicy = "no-referrer" },
        });

        using var own = await fixture.Server.InvokeAsync(ws, "own");
        using var bare = await fixture.Server.InvokeAsync(ws, "bare");
        using var fonts = await fixture.Server.InvokeAsync(ws, "fonts");

        Assert.Equal("DENY", Header(own, "X-Frame-Options"));
        Assert.Equal("default-src 'none'", Header(own, "Content-Security-Policy"));
        Assert.Equal("nosniff", Header(own, "X-Content-Type-Options"));
        foreach (var name in new[] { "Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy" })
        {
            Assert.Equal("", Header(bare, name));
        }

        Assert.StartsWith("default-src 'self' fonts.googleapis.com *.example.com; ", Header(fonts, "Content-Security-Policy"), StringComparison.Ordinal);
        Assert.Equal("no-referrer", Header(fonts, "Referrer-Policy"));

        var stored = await fixture.Server.GetJsonAsync($"/api/v1/tenants/default/workspaces/{ws}/functions/fonts");
        Assert.Equal("fonts.googleapis.com", stored.GetProperty("securityHeaders").GetProperty("cspAllowlist")[0].GetString());
    }

    [Fact]
    public async Task JsonAnswersGetNosniffButNoPolicy()
    {
        var ws = GatewayFixture.Workspace();
        await fixture.Server.DeployOkAsync(ws, "json", "exports.main = () => ({ ok: true });");

        using var response = await fixture.Server.InvokeAsync(ws, "json");

        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("", Header(response, "Content-Security-Policy"));
    }

    [Theory]
    [InlineData("{\"frameOptions\":\"ALLOW-FROM x\"}", "securityHeaders.frameOptions")]
    [InlineData("{\"referrerPolicy\":\"always\"}", "securityHeaders.referrerPolicy")]
    [InlineData("{\"cspAllowlist\":[\"x.com; script-src *\"]}", "securityHeaders.cspAllowlist")]
    [InlineData("{\"cspAllowlist\":[\"'unsafe-eval'\"]}", "securityHeaders.cspAllowlist")]
    [InlineData("{\"unknown\":true}", "unknown")]
    public async Task BadSecuritySettingsAreRefusedNamingTheField(string settings, string field)
    {
        var ws = GatewayFixture.Workspace();
        var body = $$"""{"runtime":"nodejs","code":"exports.main = () => 1;","securityHeaders":{{settings}}}""";
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");

        using var response = await fixture.Server.Http.PutAsync(GranaryServer.FunctionPath(ws, "f"), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(field, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheApiAnswersWithItsOwnSecurityHeadersAndSetsNoCookie()
    {
        using var response = await fixture.Server.Http.GetAsync("/api/v1/tenants");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task ASeparateFunctionsOriginServesFunctionsOnlyAndHstsWhenHttps()
    {
        await using var server = await GranaryServer.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Granary:Functions:PublicUrl"] = "https://fn.granary.test",
        });
        var ws = GatewayFixture.Workspace();
        var deployed = await server.DeployOkAsync(ws, "page", HtmlWithCookie);

        async Task<HttpResponseMessage> OnFunctionsHost(string path)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = "fn.granary.test";
            return await server.Http.SendAsync(request);
        }

        using var function = await OnFunctionsHost($"/fn/default/{ws}/page");
        using var apiThere = await OnFunctionsHost("/api/v1/tenants");
        using var healthThere = await OnFunctionsHost("/healthz");
        using var functionOnApiHost = await server.InvokeAsync(ws, "page");

        Assert.Equal($"https://fn.granary.test/fn/default/{ws}/page", deployed.GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.OK, function.StatusCode);
        Assert.Equal("max-age=31536000", Header(function, "Strict-Transport-Security"));
        Assert.Equal(HttpStatusCode.NotFound, apiThere.StatusCode);
        Assert.Contains("functions only", await apiThere.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, healthThere.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, functionOnApiHost.StatusCode);
        using var problem = JsonDocument.Parse(await functionOnApiHost.Content.ReadAsStringAsync());
        Assert.Contains("https://fn.granary.test", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABadFunctionsOriginIsNamedAtStartUp()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var server = await GranaryServer.StartAsync(settings: new Dictionary<string, string?> { ["Granary:Functions:PublicUrl"] = "ftp://x/y" });
        });

        Assert.Contains("Granary:Functions:PublicUrl", error.ToString(), StringComparison.Ordinal);
    }
}
