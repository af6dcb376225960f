using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Granary.Gateway.Tests.Access;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Granary.Gateway.Tests.Sandbox;

/// <summary>
/// A gateway whose egress policy allows one loopback test server (<c>Granary:Egress:Allow</c>), whose Kyma publisher is
/// another (<c>Granary:JavaScript:PublisherProxyAddress</c>), and with one tenant narrowed to <c>none</c>.
/// </summary>
public sealed class JavaScriptEgressFixture : IAsyncLifetime
{
    public GranaryServer Server { get; private set; } = null!;

    /// <summary>Gets the server functions may reach.</summary>
    public TestServer Allowed { get; private set; } = null!;

    /// <summary>Gets the operator's Kyma publisher.</summary>
    public TestServer Publisher { get; private set; } = null!;

    /// <summary>Gets a loopback server functions name themselves (in env, in fetch): it must never be reached.</summary>
    public TestServer Forbidden { get; private set; } = null!;

    /// <summary>Gets the tenant whose egress is <c>none</c>.</summary>
    public string NoEgressTenant { get; } = AccessFixture.Tenant();

    public int SiloPort { get; private set; }

    public async ValueTask InitializeAsync()
    {
        Allowed = await TestServer.StartAsync();
        Publisher = await TestServer.StartAsync();
        Forbidden = await TestServer.StartAsync();
        Server = await GranaryServer.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Granary:Egress:Allow:0"] = $"127.0.0.1:{Allowed.Port}",
            [$"Granary:Egress:Tenants:{NoEgressTenant}"] = "none",
            ["Granary:JavaScript:PublisherProxyAddress"] = Publisher.Url + "/publish",
        });
        SiloPort = int.Parse(Server.Services.GetRequiredService<IConfiguration>()["Granary:Cluster:SiloPort"]!, System.Globalization.CultureInfo.InvariantCulture);
        await Server.CreateTenantAsync(NoEgressTenant);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Allowed.DisposeAsync();
        await Publisher.DisposeAsync();
        await Forbidden.DisposeAsync();
    }
}

/// <summary>
/// Issue 11's attacker tests for JavaScript, end to end through a real gateway: a function's <c>fetch</c> cannot reach
/// the host's own ports or anything on loopback (by address, by name, or by redirect), a tenant narrowed to <c>none</c>
/// cannot connect at all, and nothing in a function's definition redirects where Granary itself posts (Kyma's publisher).
/// </summary>
public sealed class JavaScriptEgressTests(JavaScriptEgressFixture fixture) : IClassFixture<JavaScriptEgressFixture>
{
    private const string Describe = """
        const describe = (e) => ({ error: String(e), cause: e && e.cause && e.cause.message, code: e && e.cause && e.cause.code });
        """;

    private GranaryServer Server => fixture.Server;

    [Theory]
    [InlineData("gateway")]
    [InlineData("silo")]
    [InlineData("orleans-gateway")]
    public async Task FetchToTheHostsOwnPortsIsRefused(string which)
    {
        var port = which switch
        {
            "gateway" => Server.BaseAddress.Port,
            "silo" => fixture.SiloPort,
            _ => Server.OrleansGatewayPort,
        };

        var body = await RunAsync($"try {{ const r = await fetch('http://127.0.0.1:{port}/api/v1/tenants'); return {{ reached: r.status }}; }} catch (e) {{ return describe(e); }}");

        Assert.Equal("TypeError: fetch failed", body.GetProperty("error").GetString());
        Assert.Equal("EGRESS_DENIED", body.GetProperty("code").GetString());
        Assert.Contains($"127.0.0.1:{port}", body.GetProperty("cause").GetString(), StringComparison.Ordinal);
        Assert.Contains("loopback", body.GetProperty("cause").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchToANameThatResolvesToLoopbackIsRefused()
    {
        var body = await RunAsync($"try {{ await fetch('http://localhost:{fixture.Forbidden.Port}/'); return {{ reached: true }}; }} catch (e) {{ return describe(e); }}");

        Assert.Equal("TypeError: fetch failed", body.GetProperty("error").GetString());
        Assert.Contains("loopback", body.GetProperty("cause").GetString(), StringComparison.Ordinal);
        Assert.Empty(fixture.Forbidden.Received);
    }

    [Fact]
    public async Task ARedirectFromTheAllowedServerToTheGatewayIsRefusedAtTheHop()
    {
        var target = Uri.EscapeDataString($"{Server.BaseAddress.ToString().TrimEnd('/')}/api/v1/tenants");

        var body = await RunAsync($"try {{ const r = await fetch('{fixture.Allowed.Url}/redirect?to={target}'); return {{ reached: r.status }}; }} catch (e) {{ return describe(e); }}");

        Assert.Equal("TypeError: fetch failed", body.GetProperty("error").GetString());
        Assert.Contains($"127.0.0.1:{Server.BaseAddress.Port}", body.GetProperty("cause").GetString(), StringComparison.Ordinal);
        Assert.Contains("loopback", body.GetProperty("cause").GetString(), StringComparison.Ordinal);
        Assert.Contains(fixture.Allowed.Received, r => r.StartsWith("GET /redirect", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheAllowedServerIsReachableWithEverythingFetchOffers()
    {
        var body = await RunAsync($$"""
            const u = '{{fixture.Allowed.Url}}';
            const json = await fetch(u + '/json', { headers: { 'X-Probe': 'p1' } });
            const posted = await fetch(u + '/echo', { method: 'POST', body: JSON.stringify({ n: 2 }), headers: { 'content-type': 'application/json' } });
            const redirected = await fetch(u + '/redirect?to=' + encodeURIComponent(u + '/json'));
            const controller = new AbortController();
            const held = fetch(u + '/hold', { signal: controller.signal });
            setTimeout(() => controller.abort(), 20);
            let aborted;
            try { await held; } catch (e) { aborted = e.name; }
            return { json: [json.status, json.headers.get('x-server'), await json.json()], posted: [posted.status, await posted.text()],
              redirected: [redirected.redirected, redirected.url, (await redirected.json()).probe], aborted };
            """);

        Assert.Equal("""[200,"allowed",{"probe":"p1"}]""", body.GetProperty("json").GetRawText());
        Assert.Equal("""[201,"POST application/json {\"n\":2}"]""", body.GetProperty("posted").GetRawText());
        Assert.Equal($"""[true,"{fixture.Allowed.Url}/json",null]""", body.GetProperty("redirected").GetRawText());
        Assert.Equal("AbortError", body.GetProperty("aborted").GetString());
    }

    [Fact]
    public async Task AFetchInFlightWhenTheInvocationEndsIsCancelled()
    {
        var id = Guid.NewGuid().ToString("N");
        var closed = fixture.Allowed.WatchHold(id);
        var ws = AccessFixture.Workspace();
        await Server.DeployOkAsync(ws, "leaver", $$"""
            module.exports = async () => {
              fetch('{{fixture.Allowed.Url}}/hold?id={{id}}').catch(() => {});
              await (await fetch('{{fixture.Allowed.Url}}/arrived?id={{id}}')).text();
              return 'answered';
            };
            """);

        var response = await Server.InvokeAsync(ws, "leaver");

        Assert.Equal("answered", await AccessCalls.TextAsync(response, 200));
        await closed.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task ATenantNarrowedToNoneCannotFetchAtAll()
    {
        await Server.DeployInAsync(fixture.NoEgressTenant, "w", "fetcher", $$"""
            {{Describe}}
            module.exports = async () => { try { await fetch('{{fixture.Allowed.Url}}/json'); return { reached: true }; } catch (e) { return describe(e); } };
            """);

        var response = await Server.InvokeAsAsync(GranaryServer.AdminKey, fixture.NoEgressTenant, "w", "fetcher");
        var body = await AccessCalls.JsonAsync(response, 200);

        Assert.Equal("TypeError: fetch failed", body.GetProperty("error").GetString());
        Assert.Contains($"tenant '{fixture.NoEgressTenant}' may not open outbound connections", body.GetProperty("cause").GetString(), StringComparison.Ordinal);
    }

    // The finding: a kyma function's env PUBLISHER_PROXY_ADDRESS pointed Granary's own publisher client at the host.
    [Theory]
    [InlineData("loopback server")]
    [InlineData("custom code api")]
    public async Task APublisherAddressInTheFunctionsEnvIsIgnored(string target)
    {
        var named = target == "loopback server"
            ? fixture.Forbidden.Url + "/steal"
            : $"{Server.BaseAddress.ToString().TrimEnd('/')}/api/v1/tenants/default/workspaces";
        var source = "/probe/" + Guid.NewGuid().ToString("N");
        var ws = AccessFixture.Workspace();
        await Server.DeployOkAsync(ws, "emitter", $$"""
            module.exports = { main: async (event) => {
              const r = await event.emitCloudEvent('probe', '{{source}}', { a: 1 });
              return { status: r.status, address: process.env.PUBLISHER_PROXY_ADDRESS };
            } };
            """, new { signature = "kyma", env = new { PUBLISHER_PROXY_ADDRESS = named } });

        var response = await Server.InvokeAsync(ws, "emitter", "{}");
        var body = await AccessCalls.JsonAsync(response, 200);

        Assert.Equal(202, body.GetProperty("status").GetInt32());
        Assert.Equal(fixture.Publisher.Url + "/publish", body.GetProperty("address").GetString());
        Assert.Contains(fixture.Publisher.Received, r => r.Contains(source, StringComparison.Ordinal));
        Assert.DoesNotContain(fixture.Forbidden.Received, r => r.Contains(source, StringComparison.Ordinal));
    }

    // The finding: file:///etc/passwd as the publisher address left the call pending until the timeout (408).
    [Fact]
    public async Task AFilePublisherAddressInTheFunctionsEnvNeitherHangsNorIsUsed()
    {
        var source = "/file/" + Guid.NewGuid().ToString("N");
        var ws = AccessFixture.Workspace();
        await Server.DeployOkAsync(ws, "emitter", $$"""
            module.exports = { main: async (event) => { const r = await event.emitCloudEvent('probe', '{{source}}', 'x'); return String(r.status); } };
            """, new { signature = "kyma", timeoutSeconds = 30, env = new { PUBLISHER_PROXY_ADDRESS = "file:///etc/passwd" } });

        var response = await Server.InvokeAsync(ws, "emitter", "{}");

        Assert.Equal("202", await AccessCalls.TextAsync(response, 200));
        Assert.Contains(fixture.Publisher.Received, r => r.Contains(source, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("not a url")]
    public async Task APublisherAddressThatIsNotHttpStopsStartUpNamingTheSetting(string address)
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => GranaryServer.StartAsync(
            settings: new Dictionary<string, string?> { ["Granary:JavaScript:PublisherProxyAddress"] = address }));

        Assert.Contains("Granary:JavaScript:PublisherProxyAddress", error.Message, StringComparison.Ordinal);
        Assert.Contains("http or https", error.Message, StringComparison.Ordinal);
    }

    private async Task<JsonElement> RunAsync(string body)
    {
        var ws = AccessFixture.Workspace();
        await Server.DeployOkAsync(ws, "probe", $"{Describe}\nmodule.exports = async () => {{ {body} }};");
        return await AccessCalls.JsonAsync(await Server.InvokeAsync(ws, "probe"), 200);
    }
}

/// <summary>
/// A Kestrel server on loopback that records every request ("METHOD /path?query body"): <c>/json</c> answers JSON,
/// <c>/echo</c> echoes, <c>/redirect?to=</c> redirects, <c>/publish</c> accepts events (202), <c>/hold?id=</c> holds the
/// request until the client goes away and <c>/arrived?id=</c> answers once that hold has arrived.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (TaskCompletionSource Arrived, TaskCompletionSource Closed)> _holds = new();

    private TestServer(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    public int Port => new Uri(Url).Port;

    public ConcurrentQueue<string> Received { get; } = new();

    public static async Task<TestServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new TestServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return server;
    }

    /// <summary>Returns a task that completes when the client of <c>/hold?id=</c> has closed its connection.</summary>
    public Task WatchHold(string id) => Hold(id).Closed.Task;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private (TaskCompletionSource Arrived, TaskCompletionSource Closed) Hold(string id) =>
        _holds.GetOrAdd(id, static _ => (new(TaskCreationOptions.RunContinuationsAsynchronously), new(TaskCreationOptions.RunContinuationsAsynchronously)));

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        var request = context.Request;
        Received.Enqueue($"{request.Method} {request.Path}{request.QueryString} {text}");
        var id = request.Query["id"].ToString();
        switch (request.Path.Value)
        {
            case "/json":
                context.Response.Headers["X-Server"] = "allowed";
                await context.Response.WriteAsJsonAsync(new Dictionary<string, string?> { ["probe"] = request.Headers["X-Probe"].FirstOrDefault() });
                break;
            case "/echo":
                context.Response.StatusCode = 201;
                await context.Response.WriteAsync($"{request.Method} {request.ContentType} {text}");
                break;
            case "/redirect":
                context.Response.Redirect(request.Query["to"].ToString());
                break;
            case "/publish":
                context.Response.StatusCode = 202;
                break;
            case "/hold":
                var hold = Hold(id);
                hold.Arrived.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    hold.Closed.TrySetResult();
                }

                break;
            case "/arrived":
                await Hold(id).Arrived.Task;
                await context.Response.WriteAsync("ok");
                break;
            default:
                context.Response.StatusCode = 404;
                break;
        }
    }
}
