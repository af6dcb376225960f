using System.Globalization;
using Granary.Functions;
using Granary.Runtime.Egress;
using Granary.Runtime.Python;
using Granary.Runtime.Workers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Granary.Runtime.Tests.Python.PythonRunner;

namespace Granary.Runtime.Tests.Python;

/// <summary>
/// A sandboxed pool with small quotas, a loopback server its egress policy allows (Granary:Egress:Allow) and one it
/// does not (standing in for the host's own ports).
/// </summary>
public sealed class SandboxPoolFixture : IAsyncLifetime
{
    private WorkerPool? _pool;

    public WorkerPool Pool => _pool ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>Gets a server the policy allows.</summary>
    public LoopbackServer Allowed { get; } = new();

    /// <summary>Gets a loopback server no function may reach (a port of the host's own).</summary>
    public LoopbackServer Refused { get; } = new();

    /// <summary>Gets a port of this host that listens and that nothing allows.</summary>
    public int RefusedPort => Refused.Port;

    public WorkerRuntimeOptions Options { get; } = new()
    {
        Interpreter = PythonPoolFixture.Interpreter,
        WarmWorkers = 2,
        MaxFileSizeMb = 8,
        DirectoryQuotaMb = 16,
        TmpQuotaMb = 16,
        MaxProcesses = 32,
    };

    public async ValueTask InitializeAsync()
    {
        var egress = new EgressPolicy(new EgressOptions { Allow = [$"127.0.0.1:{Allowed.Port.ToString(CultureInfo.InvariantCulture)}"] });
        _pool = new WorkerPool(Microsoft.Extensions.Options.Options.Create(Options), NullLogger<WorkerPool>.Instance, egress);
        await _pool.WarmUpAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_pool is not null)
        {
            await _pool.DisposeAsync();
        }

        Allowed.Dispose();
        Refused.Dispose();
    }
}

/// <summary>
/// The Python sandbox (issue 11, items 1 and 4) at the runtime level, each test an attack that worked before it: a
/// function reaching the host's own ports or another tenant's files and processes, outliving its deletion, or taking
/// more processes, disk or memory than it was given. Real bubblewrap, real cgroups, real sockets on loopback.
/// </summary>
public sealed class PythonSandboxTests(SandboxPoolFixture fixture) : IClassFixture<SandboxPoolFixture>
{
    private PythonFunction Function(string tenant, string code, Func<FunctionSpec, FunctionSpec>? configure = null) =>
        TenantFunction(fixture.Pool, tenant, code, configure);

    [Fact]
    public async Task AFunctionCannotReachAPortOfTheHostNeitherDirectlyNorThroughTheProxyNorByName()
    {
        await using var function = Function("acme", """
            import socket, urllib.error, urllib.request

            def main(event, context):
                port = event["port"]
                out = {}
                try:
                    urllib.request.urlopen("http://127.0.0.1:%d/api/v1/tenants" % port, timeout=10).read()
                    out["url"] = "reached"
                except urllib.error.HTTPError as e:
                    out["url"] = "%d %s" % (e.code, e.read().decode())
                except OSError as e:
                    out["url"] = "error " + str(e)
                try:
                    urllib.request.urlopen("http://localhost:%d/" % port, timeout=10).read()
                    out["name"] = "reached"
                except urllib.error.HTTPError as e:
                    out["name"] = "%d %s" % (e.code, e.read().decode())
                except OSError as e:
                    out["name"] = "error " + str(e)
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=10).close()
                    out["tunnel"] = "reached"
                except OSError as e:
                    out["tunnel"] = str(e)
                s = socket.socket()
                s.settimeout(10)
                try:
                    s.connect(("127.0.0.1", port))
                    out["raw"] = "reached"
                except OSError as e:
                    out["raw"] = str(e)
                finally:
                    s.close()
                # The sandbox's own loopback stays the function's: a listener of its own is reached directly.
                listener = socket.create_server(("127.0.0.1", 0))
                local = socket.create_connection(listener.getsockname(), timeout=10)
                peer, _ = listener.accept()
                peer.sendall(b"mine")
                out["local"] = local.recv(4).decode()
                for sock in (local, peer, listener):
                    sock.close()
                return out
            """);

        var body = await OkAsync(function, new { port = fixture.RefusedPort });

        Assert.StartsWith("403 ", body.GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.Contains("127.0.0.1 is loopback", body.GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("403 ", body.GetProperty("name").GetString(), StringComparison.Ordinal);
        Assert.Contains("loopback", body.GetProperty("name").GetString(), StringComparison.Ordinal);
        Assert.Contains("egress policy", body.GetProperty("tunnel").GetString(), StringComparison.Ordinal);
        Assert.Contains("egress policy", body.GetProperty("raw").GetString(), StringComparison.Ordinal);
        Assert.Equal("mine", body.GetProperty("local").GetString());
        Assert.Equal(0, fixture.Refused.Requests);
    }

    [Fact]
    public async Task AnAllowedLoopbackServerIsReachedThroughTheProxyByUrllibConnectAndPlainSockets()
    {
        var key = Guid.NewGuid().ToString("N");
        await using var function = Function("acme", """
            import asyncio, http.client, os, socket, urllib.request

            def main(event, context):
                port, key = event["port"], event["key"]
                plain = urllib.request.urlopen("http://127.0.0.1:%d/report?key=%s&value=plain" % (port, key), timeout=10).read().decode()
                # What an HTTPS client does through a proxy: CONNECT, then its protocol inside the tunnel.
                proxy = os.environ["HTTPS_PROXY"].rsplit(":", 1)
                tunnel = http.client.HTTPConnection(proxy[0].split("//")[1], int(proxy[1]), timeout=10)
                tunnel.set_tunnel("127.0.0.1", port)
                tunnel.request("GET", "/report?key=%s&value=connect" % key)
                connected = tunnel.getresponse().read().decode()
                # A client that knows nothing of proxies: socket.create_connection tunnels.
                direct = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                direct.request("GET", "/report?key=%s&value=direct" % key)
                direct = direct.getresponse().read().decode()
                # What redis-py does: getaddrinfo, then a socket of its own.
                family, kind, proto, _, address = socket.getaddrinfo("localhost", port, 0, socket.SOCK_STREAM)[0]
                raw = socket.socket(family, kind, proto)
                raw.settimeout(10)
                raw.connect(address)
                raw.sendall(b"GET /report?key=" + key.encode() + b"&value=raw HTTP/1.1\r\nHost: x\r\n\r\n")
                answer = b""
                while True:
                    chunk = raw.recv(4096)
                    if not chunk:
                        break
                    answer += chunk
                raw.close()
                # asyncio streams (non-blocking sockets).
                async def stream():
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.write(b"GET /report?key=" + key.encode() + b"&value=asyncio HTTP/1.1\r\nHost: x\r\n\r\n")
                    await writer.drain()
                    data = await reader.read()
                    writer.close()
                    return data.decode()
                streamed = asyncio.run(stream())
                # A name is resolved by the host, not in the sandbox.
                named = socket.socket()
                try:
                    named.connect(socket.getaddrinfo("no-such-host.invalid", 80)[0][4])
                    named = "connected"
                except OSError as e:
                    named = str(e)
                return {"plain": plain, "connect": connected, "direct": direct, "raw": answer.decode().split("\r\n\r\n", 1)[-1],
                        "asyncio": streamed.split("\r\n\r\n", 1)[-1], "named": named, "proxy": os.environ["HTTP_PROXY"]}
            """);

        var body = await OkAsync(function, new { port = fixture.Allowed.Port, key });

        Assert.Equal("ok", body.GetProperty("plain").GetString());
        Assert.Equal("ok", body.GetProperty("connect").GetString());
        Assert.Equal("ok", body.GetProperty("direct").GetString());
        Assert.Equal("ok", body.GetProperty("raw").GetString());
        Assert.Equal("ok", body.GetProperty("asyncio").GetString());
        Assert.Contains("The name no-such-host.invalid could not be resolved", body.GetProperty("named").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("http://127.0.0.1:", body.GetProperty("proxy").GetString(), StringComparison.Ordinal);
        Assert.Equal(["plain", "connect", "direct", "raw", "asyncio"], fixture.Allowed.Reported(key));
    }

    [Fact]
    public async Task EveryWorkerRunsInTheCpuGroupOfAllWorkersWithItsSmallWeight()
    {
        await using var first = Function("cpu-a", "import os\ndef main(event, context):\n    return {'pid': os.getpid(), 'pidns': os.readlink('/proc/self/ns/pid')}\n");
        await using var second = Function("cpu-b", "import os\ndef main(event, context):\n    return {'pid': os.getpid(), 'pidns': os.readlink('/proc/self/ns/pid')}\n");

        var groups = new List<string>();
        foreach (var function in new[] { first, second })
        {
            var body = await OkAsync(function);
            var pid = HostPid(body);
            var line = File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cgroup")
                .Select(l => l.Split(':'))
                .FirstOrDefault(f => f.Length == 3 && (f[1].Split(',').Contains("cpu") || (f[0] == "0" && File.Exists("/sys/fs/cgroup/cgroup.controllers"))));
            Assert.True(line is not null, "this host has no cpu cgroup controller: Python workers cannot be weighted as one group");
            groups.Add(line[2]);
        }

        // Both tenants' workers share one group (not the silo's own), weighted WorkersCpuWeight (v1: cpu.shares = weight × 1024 / 100).
        Assert.Single(groups.Distinct());
        Assert.Contains("/granary-", groups[0], StringComparison.Ordinal);
        var v1 = $"/sys/fs/cgroup/cpu{groups[0]}/cpu.shares";
        var weight = File.Exists(v1)
            ? File.ReadAllText(v1).Trim()
            : File.ReadAllText($"/sys/fs/cgroup{Path.GetDirectoryName(groups[0])}/cpu.weight").Trim();
        var configured = fixture.Options.WorkersCpuWeight;
        Assert.Equal(File.Exists(v1) ? (configured * 1024 / 100).ToString(CultureInfo.InvariantCulture) : configured.ToString(CultureInfo.InvariantCulture), weight);
    }

    [Fact]
    public async Task TwoTenantsRunAsDistinctUidsAndCannotReadOrSignalEachOther()
    {
        await using var victim = Function("victim", """
            import os

            SECRET = "victim-secret-" + "42"

            def main(event, context):
                with open("secret.txt", "w") as f:
                    f.write(SECRET)
                with open("/tmp/victim-tmp.txt", "w") as f:
                    f.write(SECRET)
                return {"uid": os.getuid(), "cwd": os.getcwd(), "pid": os.getpid(), "pidns": os.readlink("/proc/self/ns/pid")}
            """);
        await using var attacker = Function("attacker", """
            import glob, os, signal

            def main(event, context):
                needle = "victim-secret-" + str(6 * 7)
                found = []
                paths = [os.path.join(event["cwd"], "handler.py"), os.path.join(event["cwd"], "secret.txt"), "/tmp/victim-tmp.txt"]
                paths += glob.glob("/tmp/granary-py-*/*") + glob.glob("/proc/*/root/function/*")
                for path in paths:
                    try:
                        with open(path) as f:
                            if needle in f.read():
                                found.append(path)
                    except OSError:
                        pass
                try:
                    os.kill(event["pid"], signal.SIGKILL)
                    killed = "killed"
                except OSError as e:
                    killed = type(e).__name__
                return {"uid": os.getuid(), "found": found, "kill": killed, "tmp": sorted(os.listdir("/tmp"))}
            """);

        var victimBody = await OkAsync(victim);
        var victimPid = HostPid(victimBody);
        var attack = await OkAsync(attacker, new { cwd = victimBody.GetProperty("cwd").GetString(), pid = victimPid });
        var again = await OkAsync(victim);

        var (victimUid, attackerUid) = (victimBody.GetProperty("uid").GetInt32(), attack.GetProperty("uid").GetInt32());
        Assert.NotEqual(victimUid, attackerUid);
        Assert.InRange(victimUid, fixture.Options.UidRangeStart, fixture.Options.UidRangeStart + fixture.Options.UidRangeSize - 1);
        Assert.InRange(attackerUid, fixture.Options.UidRangeStart, fixture.Options.UidRangeStart + fixture.Options.UidRangeSize - 1);
        Assert.Empty(attack.GetProperty("found").EnumerateArray());
        Assert.NotEqual("killed", attack.GetProperty("kill").GetString());
        Assert.DoesNotContain("victim-tmp.txt", attack.GetProperty("tmp").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(victimPid, HostPid(again));
    }

    [Fact]
    public async Task AChildThatLeftTheSessionEndsWithTheFunction()
    {
        var function = Function("acme", """
            import os, subprocess

            def main(event, context):
                child = subprocess.Popen(["sleep", "600"], start_new_session=True)
                return {"pid": child.pid, "pidns": os.readlink("/proc/self/ns/pid"), "sid": os.getsid(child.pid)}
            """);
        int child;
        try
        {
            var body = await OkAsync(function);
            child = HostPid(body);
            Assert.Equal(body.GetProperty("pid").GetInt32(), body.GetProperty("sid").GetInt32());
            Assert.True(ProcessExists(child));
        }
        finally
        {
            await function.DisposeAsync();
        }

        Assert.True(await ProcessGoneAsync(child), $"the setsid child {child} outlived its function");
    }

    [Fact]
    public async Task AFunctionCannotForkPastItsProcessLimit()
    {
        await using var function = Function("acme", """
            import os, signal, time

            def main(event, context):
                children, error = [], None
                for _ in range(200):
                    try:
                        pid = os.fork()
                    except OSError as e:
                        error = "%s: %s" % (type(e).__name__, e)
                        break
                    if pid == 0:
                        time.sleep(60)
                        os._exit(0)
                    children.append(pid)
                for pid in children:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                return {"forked": len(children), "error": error}
            """);

        var body = await OkAsync(function);

        Assert.InRange(body.GetProperty("forked").GetInt32(), 1, fixture.Options.MaxProcesses - 1);
        Assert.Contains("Resource temporarily unavailable", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheFileSizeLimitAndTheDirectoryQuotaHoldWithAClearOSError()
    {
        await using var function = Function("acme", """
            import os

            MiB = b"x" * (1024 * 1024)

            def fill(path, mb):
                written = 0
                try:
                    with open(path, "wb") as f:
                        for _ in range(mb):
                            f.write(MiB)
                            f.flush()
                            written += 1
                except OSError as e:
                    return written, "%s errno %d: %s" % (type(e).__name__, e.errno, e.strerror)
                return written, None

            def main(event, context):
                big = fill("big.bin", 12)
                os.remove("big.bin")
                parts = [fill("part%d.bin" % i, 6) for i in range(5)]
                return {"big": big, "parts": parts}
            """);

        var body = await OkAsync(function);

        var big = body.GetProperty("big");
        Assert.Equal(fixture.Options.MaxFileSizeMb, big[0].GetInt32());
        Assert.Equal("OSError errno 27: File too large", big[1].GetString());
        var parts = body.GetProperty("parts").EnumerateArray().ToList();
        var failure = parts.Select(p => p[1].GetString()).FirstOrDefault(e => e is not null);
        Assert.Equal("OSError errno 28: No space left on device", failure);
        Assert.True(parts.Sum(p => p[0].GetInt32()) < fixture.Options.DirectoryQuotaMb);
    }

    [Fact]
    public async Task MemoryTakenThroughForkedChildrenIsBoundedByTheWorkersLimit()
    {
        Assert.True(fixture.Pool.HasCgroups, "this host has no memory cgroup: the limit over all of a worker's processes cannot hold");
        await using var function = Function("acme", """
            import os, time

            def main(event, context):
                children = []
                for _ in range(8):
                    pid = os.fork()
                    if pid == 0:
                        try:
                            block = b"x" * (100 * 1024 * 1024)
                            time.sleep(3)
                            os._exit(0)
                        except MemoryError:
                            os._exit(3)
                    children.append(pid)
                outcomes = []
                for pid in children:
                    _, status = os.waitpid(pid, 0)
                    outcomes.append("ok" if status == 0 else "signal %d" % os.WTERMSIG(status) if os.WIFSIGNALED(status) else "exit %d" % os.WEXITSTATUS(status))
                return {"outcomes": outcomes}
            """, s => s with { MemoryLimitMb = 128 });

        var result = await function.InvokeAsync(Empty());
        var after = await function.InvokeAsync(Empty());

        if (result.StatusCode == 200)
        {
            var outcomes = result.JsonBody().GetProperty("outcomes").EnumerateArray().Select(e => e.GetString()).ToList();
            Assert.InRange(outcomes.Count(o => o == "ok"), 0, 2);
            Assert.Contains("signal 9", outcomes);
        }
        else
        {
            // The kernel chose the worker itself: the invocation says so, and the next one gets a fresh worker.
            Assert.Equal(InvocationOutcomes.MemoryLimit, result.Outcome);
        }

        Assert.Equal(200, after.StatusCode);
    }

    [Fact]
    public async Task AFileWrittenToTmpIsNeverOnTheHostAndGoneWithTheFunction()
    {
        var name = $"granary-sandbox-{Guid.NewGuid():N}.txt";
        var function = Function("acme", """
            import os

            def main(event, context):
                with open("/tmp/" + event["name"], "w") as f:
                    f.write("left behind?")
                return {"files": os.listdir("/tmp"), "pidns": os.readlink("/proc/self/ns/pid")}
            """);
        string pidns;
        try
        {
            var body = await OkAsync(function, new { name });
            pidns = body.GetProperty("pidns").GetString()!;
            Assert.Contains(name, body.GetProperty("files").EnumerateArray().Select(e => e.GetString()));
            Assert.False(File.Exists(Path.Combine("/tmp", name)));
        }
        finally
        {
            await function.DisposeAsync();
        }

        Assert.True(await NamespaceGoneAsync(pidns));
        Assert.False(File.Exists(Path.Combine("/tmp", name)));
    }

    [Fact]
    public async Task ThePublisherAddressInTheFunctionsEnvIsIgnored()
    {
        var key = Guid.NewGuid().ToString("N");
        await using var function = Function("acme", """
            def main(event, context):
                try:
                    event.emitCloudEvent("t", "/s", {"a": 1})
                    return "sent"
                except Exception as e:
                    return "refused: " + str(e)
            """, s => s with
        {
            Signature = FunctionSignatures.Kyma,
            Env = s.Env.Add("PUBLISHER_PROXY_ADDRESS", $"http://127.0.0.1:{fixture.Allowed.Port}/report?key={key}&value=event"),
        });

        var result = await function.InvokeAsync(Empty());

        Assert.Equal(200, result.StatusCode);
        Assert.Contains("Granary:Python:PublisherProxyAddress", result.Text(), StringComparison.Ordinal);
        Assert.Empty(fixture.Allowed.Reported(key));
    }

    [Fact]
    public async Task APublisherAddressThatIsNotHttpFailsFastWithAClearError()
    {
        await using var pool = new WorkerPool(
            Options.Create(new WorkerRuntimeOptions { Interpreter = PythonPoolFixture.Interpreter, WarmWorkers = 1, PublisherProxyAddress = "file:///etc/passwd" }),
            NullLogger<WorkerPool>.Instance);
        var spec = new FunctionSpec { Runtime = FunctionRuntimes.Python, Signature = FunctionSignatures.Kyma, TimeoutSeconds = 30, Code = "def main(event, context):\n    event.emitCloudEvent('t', '/s', {'a': 1})\n    return 'sent'\n" };
        var now = DateTimeOffset.UtcNow;
        await using var function = new PythonFunction(new FunctionDefinition(new FunctionId("acme", "shop", "pub"), spec, 1, now, now), pool, Limits, NullLogger.Instance);

        var result = await function.InvokeAsync(Empty());

        Assert.Equal(500, result.StatusCode);
        Assert.Equal(InvocationOutcomes.Error, result.Outcome);
        Assert.Contains(result.Logs, l => l.Message.Contains("'file:///etc/passwd' (Granary:Python:PublisherProxyAddress) is not an http:// or https:// URL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AHostThatCannotIsolateRefusesPythonFunctionsNamingTheSetting()
    {
        await using var pool = new WorkerPool(
            Options.Create(new WorkerRuntimeOptions { Interpreter = PythonPoolFixture.Interpreter, WarmWorkers = 1, Bubblewrap = "/nonexistent/bwrap" }),
            NullLogger<WorkerPool>.Instance);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => pool.RentAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Granary:Python:Isolation", error.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install -y bubblewrap", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownIsolationModeIsRefusedNamingTheSetting()
    {
        var options = new WorkerRuntimeOptions { Isolation = "chroot" };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();

        var valid = System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true);

        Assert.False(valid);
        var result = Assert.Single(results);
        Assert.Contains("Isolation", result.MemberNames);
        Assert.Contains("'chroot' is not an isolation mode", result.ErrorMessage, StringComparison.Ordinal);
    }
}
