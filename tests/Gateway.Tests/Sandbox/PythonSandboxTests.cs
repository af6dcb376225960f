using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Granary.Gateway.Tests.Access;

namespace Granary.Gateway.Tests.Sandbox;

/// <summary>
/// The Python sandbox (issue 11, items 1 and 4) end to end: a real gateway and silo, two tenants, and Python functions
/// that attack the host and each other the ways that worked before the sandbox. Each test is one finding.
/// </summary>
public sealed class PythonSandboxTests(AccessFixture fixture) : IClassFixture<AccessFixture>
{
    private GranaryServer Server => fixture.Server;

    private async Task<string> TenantAsync()
    {
        var tenant = AccessFixture.Tenant();
        await Server.CreateTenantAsync(tenant);
        return tenant;
    }

    private async Task DeployAsync(string tenant, string workspace, string name, string code, object? settings = null)
    {
        var body = new Dictionary<string, object?> { ["runtime"] = "python", ["code"] = code, ["timeoutSeconds"] = 30 };
        foreach (var property in JsonSerializer.SerializeToElement(settings ?? new { }).EnumerateObject())
        {
            body[property.Name] = property.Value;
        }

        var response = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, GranaryServer.FunctionPath(workspace, name, tenant), body);
        Assert.True(response.IsSuccessStatusCode, $"deploy of {tenant}/{workspace}/{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
    }

    private async Task<JsonElement> InvokeAsync(string tenant, string workspace, string name, object? body = null) =>
        await AccessCalls.JsonAsync(await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Post, $"/fn/{tenant}/{workspace}/{name}", JsonSerializer.Serialize(body ?? new { })), 200);

    private async Task DeleteAsync(string tenant, string workspace, string name)
    {
        var response = await Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Delete, GranaryServer.FunctionPath(workspace, name, tenant));
        Assert.True(response.IsSuccessStatusCode, $"delete of {tenant}/{workspace}/{name}: {(int)response.StatusCode}");
    }

    [Fact]
    public async Task APythonFunctionCannotReachTheGatewayTheSiloOrTheOrleansGatewayPort()
    {
        var (attacker, victim, ws) = (await TenantAsync(), await TenantAsync(), AccessFixture.Workspace());
        await Server.DeployInAsync(victim, ws, "target", AccessCalls.Ok);
        await DeployAsync(attacker, ws, "snoop", """
            import socket, urllib.error, urllib.request

            def main(event, context):
                out = {}
                request = urllib.request.Request("http://127.0.0.1:%d%s" % (event["gateway"], event["path"]), headers={"Authorization": "Bearer " + event["key"]})
                try:
                    out["api"] = "reached: " + urllib.request.urlopen(request, timeout=10).read().decode()[:200]
                except urllib.error.HTTPError as e:
                    out["api"] = "%d %s" % (e.code, e.read().decode())
                except OSError as e:
                    out["api"] = "error: %s" % e
                for name in ("silo", "orleans", "gateway"):
                    try:
                        socket.create_connection(("127.0.0.1", event[name]), timeout=10).close()
                        out[name] = "connected"
                    except OSError as e:
                        out[name] = str(e)
                return out
            """);
        var configuration = Server.Services.GetRequiredService<IConfiguration>();
        var siloPort = int.Parse(configuration["Granary:Cluster:SiloPort"]!, CultureInfo.InvariantCulture);

        var result = await InvokeAsync(attacker, ws, "snoop", new
        {
            gateway = Server.BaseAddress.Port,
            path = GranaryServer.FunctionPath(ws, "target", victim),
            key = GranaryServer.AdminKey,
            silo = siloPort,
            orleans = Server.OrleansGatewayPort,
        });

        var api = result.GetProperty("api").GetString()!;
        Assert.StartsWith("403 Egress to 127.0.0.1:", api, StringComparison.Ordinal);
        Assert.Contains("loopback", api, StringComparison.Ordinal);
        foreach (var name in new[] { "silo", "orleans", "gateway" })
        {
            Assert.Contains("refused by Granary's egress policy: 127.0.0.1 is loopback", result.GetProperty(name).GetString(), StringComparison.Ordinal);
        }

        // The victim's function is as it was.
        Assert.Equal("ok", await AccessCalls.TextAsync(await Server.InvokeAsAsync(GranaryServer.AdminKey, victim, ws, "target"), 200));
    }

    [Fact]
    public async Task TwoTenantsFunctionsRunAsDistinctUidsAndNeitherReadsNorKillsTheOther()
    {
        var (a, b, ws) = (await TenantAsync(), await TenantAsync(), AccessFixture.Workspace());
        const string Code = """
            import glob, os, signal

            def main(event, context):
                if event.get("write"):
                    with open("secret.txt", "w") as f:
                        f.write(event["write"])
                    with open("/tmp/secret.txt", "w") as f:
                        f.write(event["write"])
                found = []
                for path in [os.path.join(os.getcwd(), "secret.txt"), "/tmp/secret.txt"] + glob.glob("/tmp/granary-py-*/*"):
                    try:
                        with open(path) as f:
                            found.append(f.read())
                    except OSError:
                        pass
                kill = None
                if event.get("kill"):
                    try:
                        os.kill(event["kill"], signal.SIGKILL)
                        kill = "killed"
                    except OSError as e:
                        kill = type(e).__name__
                return {"uid": os.getuid(), "pid": os.getpid(), "pidns": os.readlink("/proc/self/ns/pid"), "found": found, "kill": kill}
            """;
        await DeployAsync(a, ws, "fn", Code);
        await DeployAsync(b, ws, "fn", Code);

        var secret = "b-secret-" + Guid.NewGuid().ToString("N");
        var victim = await InvokeAsync(b, ws, "fn", new { write = secret });
        var victimPid = HostProcesses.HostPid(victim);
        var attack = await InvokeAsync(a, ws, "fn", new { kill = victimPid });
        var after = await InvokeAsync(b, ws, "fn");

        Assert.NotEqual(victim.GetProperty("uid").GetInt32(), attack.GetProperty("uid").GetInt32());
        Assert.DoesNotContain(secret, attack.GetProperty("found").EnumerateArray().Select(e => e.GetString()));
        Assert.NotEqual("killed", attack.GetProperty("kill").GetString());
        Assert.Equal(victim.GetProperty("pidns").GetString(), after.GetProperty("pidns").GetString());
        Assert.True(HostProcesses.ProcessExists(victimPid));
    }

    [Fact]
    public async Task AChildThatCalledSetsidIsGoneOnceTheFunctionIsDeleted()
    {
        var (tenant, ws) = (await TenantAsync(), AccessFixture.Workspace());
        await DeployAsync(tenant, ws, "spawner", """
            import os

            def main(event, context):
                pid = os.fork()
                if pid == 0:
                    os.setsid()
                    os.execv("/bin/sleep", ["sleep", "600"])
                return {"pid": pid, "pidns": os.readlink("/proc/self/ns/pid")}
            """);
        var body = await InvokeAsync(tenant, ws, "spawner");
        var child = HostProcesses.HostPid(body);
        Assert.True(HostProcesses.ProcessExists(child));

        await DeleteAsync(tenant, ws, "spawner");

        Assert.True(await HostProcesses.ProcessGoneAsync(child, 10_000), $"the setsid child {child} outlived DELETE");
    }

    [Fact]
    public async Task AFileWrittenToTmpIsGoneOnceTheFunctionIsDeleted()
    {
        var (tenant, ws) = (await TenantAsync(), AccessFixture.Workspace());
        var name = $"granary-left-{Guid.NewGuid():N}.txt";
        await DeployAsync(tenant, ws, "writer", """
            import os

            def main(event, context):
                with open("/tmp/" + event["name"], "w") as f:
                    f.write("still here?")
                return {"pidns": os.readlink("/proc/self/ns/pid"), "there": os.path.exists("/tmp/" + event["name"])}
            """);
        var body = await InvokeAsync(tenant, ws, "writer", new { name });
        Assert.True(body.GetProperty("there").GetBoolean());

        await DeleteAsync(tenant, ws, "writer");

        Assert.True(await HostProcesses.NamespaceGoneAsync(body.GetProperty("pidns").GetString()!, 10_000));
        Assert.False(File.Exists(Path.Combine("/tmp", name)), $"/tmp/{name} outlived DELETE");
    }

    [Fact]
    public async Task ThePublisherAddressInAFunctionsEnvDoesNotRedirectGranarysEvents()
    {
        var (tenant, ws) = (await TenantAsync(), AccessFixture.Workspace());
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await DeployAsync(tenant, ws, "emitter", """
            def main(event, context):
                try:
                    event.emitCloudEvent("order.shipped", "/shop", {"id": 1})
                    return {"sent": True}
                except Exception as e:
                    return {"sent": False, "error": str(e)}
            """, new { signature = "kyma", env = new { PUBLISHER_PROXY_ADDRESS = $"http://127.0.0.1:{port}/" } });

        var body = await InvokeAsync(tenant, ws, "emitter");

        Assert.False(body.GetProperty("sent").GetBoolean());
        Assert.Contains("Granary:Python:PublisherProxyAddress", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(listener.Pending(), "the function's env redirected an event to its own address");
    }
}

/// <summary>A server whose loopback port the silo's configuration allows (<c>Granary:Egress:Allow</c>).</summary>
public sealed class EgressAllowFixture : AccessFixture, IAsyncLifetime
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private int _requests;

    public EgressAllowFixture()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = ServeAsync();
    }

    public int Port { get; }

    public int Requests => Volatile.Read(ref _requests);

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Granary:Egress:Allow:0"] = $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}",
    };

    ValueTask IAsyncLifetime.InitializeAsync() => InitializeAsync();

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await DisposeAsync();
        _listener.Dispose();
    }

    // Answers every request "allowed", then closes.
    private async Task ServeAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    var stream = client.GetStream();
                    var buffer = new byte[4096];
                    var head = "";
                    while (!head.Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var read = await stream.ReadAsync(buffer);
                        if (read == 0)
                        {
                            return;
                        }

                        head += System.Text.Encoding.ASCII.GetString(buffer, 0, read);
                    }

                    Interlocked.Increment(ref _requests);
                    await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 7\r\nConnection: close\r\n\r\nallowed"u8.ToArray());
                }
            });
        }
    }
}

/// <summary>The silo's egress configuration reaches Python functions: what <c>Granary:Egress:Allow</c> names is reachable, by plain <c>urllib</c> and through a <c>CONNECT</c> tunnel.</summary>
public sealed class PythonEgressAllowTests(EgressAllowFixture fixture) : IClassFixture<EgressAllowFixture>
{
    [Fact]
    public async Task ALoopbackServerTheOperatorAllowedIsReachedThroughTheProxy()
    {
        var (tenant, ws) = (AccessFixture.Tenant(), AccessFixture.Workspace());
        await fixture.Server.CreateTenantAsync(tenant);
        var deploy = await fixture.Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Put, GranaryServer.FunctionPath(ws, "fetch", tenant), new
        {
            runtime = "python",
            timeoutSeconds = 30,
            code = """
                import http.client, os, urllib.request

                def main(event, context):
                    port = event["port"]
                    plain = urllib.request.urlopen("http://127.0.0.1:%d/plain" % port, timeout=10).read().decode()
                    direct = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                    direct.request("GET", "/tunnel")
                    return {"plain": plain, "tunnel": direct.getresponse().read().decode(), "proxy": os.environ.get("HTTP_PROXY")}
                """,
        });
        Assert.True(deploy.IsSuccessStatusCode, await deploy.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        var body = await AccessCalls.JsonAsync(await fixture.Server.SendAsync(GranaryServer.AdminKey, HttpMethod.Post, $"/fn/{tenant}/{ws}/fetch", JsonSerializer.Serialize(new { port = fixture.Port })), 200);

        Assert.Equal("allowed", body.GetProperty("plain").GetString());
        Assert.Equal("allowed", body.GetProperty("tunnel").GetString());
        Assert.StartsWith("http://127.0.0.1:", body.GetProperty("proxy").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, fixture.Requests);
    }
}
