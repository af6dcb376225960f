using Granary.Functions;
using static Granary.Runtime.Tests.NodeProcess.NodeRunner;

namespace Granary.Runtime.Tests.NodeProcess;

/// <summary>
/// The attacker's tests of process mode: Node in the worker has all of Node (sockets, child processes, the file
/// system), so the sandbox and the egress policy must hold at the operating system's level, as they do for Python.
/// </summary>
public sealed class NodeSandboxTests(NodePoolFixture fixture) : IClassFixture<NodePoolFixture>
{
    private const string Connect = """
        const net = require('net');
        const http = require('http');
        const attempt = (host, port) => new Promise((resolve) => {
          const s = net.connect({ host, port }, () => { s.write('GET / HTTP/1.0\r\n\r\n'); });
          let got = '';
          s.on('data', (d) => { got += d; });
          s.on('end', () => resolve('reached ' + got.split('\r\n')[0]));
          s.on('error', (e) => resolve(`${e.code} ${e.message}`));
          s.setTimeout(10000, () => { s.destroy(); resolve('timeout'); });
        });
        const get = (url) => new Promise((resolve) => {
          http.get(url, (r) => { let b = ''; r.on('data', (c) => { b += c; }); r.on('end', () => resolve(`${r.statusCode} ${b}`)); })
            .on('error', (e) => resolve(`${e.code} ${e.message}`));
        });
        """;

    [Fact]
    public async Task AnAllowedLoopbackServerIsReachedByHttpGetAndPlainSockets()
    {
        var key = Guid.NewGuid().ToString("N");
        await using var function = Create(fixture.Pool, Connect + """
            module.exports = async (event) => ({
              get: await get(`http://127.0.0.1:${event.port}/report?key=${event.key}&value=get`),
              socket: await attempt('127.0.0.1', event.port),
              byName: await get(`http://localhost:${event.port}/report?key=${event.key}&value=name`),
            });
            """);

        var body = await OkAsync(function, new { port = fixture.Allowed.Port, key });

        Assert.Equal("200 ok", body.GetProperty("get").GetString());
        Assert.Equal("reached HTTP/1.1 200 OK", body.GetProperty("socket").GetString());
        Assert.Equal("200 ok", body.GetProperty("byName").GetString());
        Assert.Equal(["get", "name"], fixture.Allowed.Reported(key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AFunctionCannotReachAPortOfTheHostTheMetadataAddressOrAPrivateAddress()
    {
        await using var function = Create(fixture.Pool, Connect + """
            module.exports = async (event) => ({
              loopback: await attempt('127.0.0.1', event.port),
              byName: await get(`http://localhost:${event.port}/`),
              metadata: await get('http://169.254.169.254/latest/meta-data/'),
              privateAddress: await attempt('10.0.0.1', 5432),
              // The sandbox's own loopback stays the function's: a listener of its own is reached directly.
              local: await new Promise((resolve) => {
                const server = net.createServer((c) => { c.end('mine'); }).listen(0, '127.0.0.1', () => {
                  net.connect(server.address().port, '127.0.0.1').on('data', (d) => { server.close(); resolve(String(d)); });
                });
              }),
            });
            """);

        var body = await OkAsync(function, new { port = fixture.Refused.Port });

        Assert.StartsWith("ECONNREFUSED ", body.GetProperty("loopback").GetString(), StringComparison.Ordinal);
        Assert.Contains("loopback", body.GetProperty("loopback").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("ECONNREFUSED ", body.GetProperty("byName").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("ECONNREFUSED ", body.GetProperty("metadata").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("ECONNREFUSED ", body.GetProperty("privateAddress").GetString(), StringComparison.Ordinal);
        Assert.Equal("mine", body.GetProperty("local").GetString());
        Assert.Equal(0, fixture.Refused.Requests);
    }

    [Fact]
    public async Task AFunctionCannotReadTheHostsFilesOrAnotherTenantsDirectory()
    {
        await using var other = Create(fixture.Pool, """
            const fs = require('fs');
            module.exports = async () => { fs.writeFileSync('secret.txt', 'tenant b'); return { cwd: process.cwd(), uid: process.getuid() }; };
            """, tenant: "globex");
        await using var function = Create(fixture.Pool, """
            const fs = require('fs');
            const read = (p) => { try { return fs.readFileSync(p, 'utf8').slice(0, 20); } catch (e) { return e.code; } };
            module.exports = async (event) => ({
              passwd: read('/etc/passwd'),
              hostTmp: (() => { try { return fs.readdirSync('/tmp').join(','); } catch (e) { return e.code; } })(),
              silo: read('/proc/1/environ'),
              other: read(event.otherDirectory + '/secret.txt'),
              processes: fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length,
              uid: process.getuid(),
            });
            """);

        var theirs = await OkAsync(other);
        var body = await OkAsync(function, new { otherDirectory = theirs.GetProperty("cwd").GetString() });

        Assert.Contains(body.GetProperty("passwd").GetString(), (string[])["ENOENT", "EACCES"]);
        // The sandbox's own /tmp holds nothing of the host's but the mount point of the npm package sets (read-only).
        Assert.Equal(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(fixture.PackagesDirectory))), body.GetProperty("hostTmp").GetString());
        Assert.NotEqual("tenant b", body.GetProperty("other").GetString());
        Assert.True(body.GetProperty("processes").GetInt32() <= 2, body.ToString());
        Assert.NotEqual(0, body.GetProperty("uid").GetInt32());
        if (!fixture.Pool.Options.RootlessEvenAsRoot && Environment.IsPrivilegedProcess)
        {
            Assert.NotEqual(theirs.GetProperty("uid").GetInt32(), body.GetProperty("uid").GetInt32());
        }
    }

    [Fact]
    public async Task AForkBombIsBoundedByTheSandboxsProcessLimit()
    {
        Assert.True(fixture.Pool.HasCgroups, "The sandbox has no cgroups here: give the test a cgroup hierarchy it can write (run as root).");
        await using var function = Create(fixture.Pool, """
            const { spawn } = require('child_process');
            module.exports = async () => {
              let started = 0, refused = 0;
              for (let i = 0; i < 200; i++) {
                try {
                  const child = spawn('/bin/sleep', ['30']);
                  await new Promise((resolve) => { child.once('spawn', () => { started++; resolve(); }); child.once('error', () => { refused++; resolve(); }); });
                } catch (e) { refused++; }
              }
              return { started, refused };
            };
            """);

        var body = await OkAsync(function);

        Assert.True(body.GetProperty("started").GetInt32() < 32, body.ToString());
        Assert.True(body.GetProperty("refused").GetInt32() > 0, body.ToString());
    }

    [Fact]
    public async Task AMemoryHogIsStoppedAtItsMemoryLimitAndItsWorkerReplaced()
    {
        Assert.True(fixture.Pool.HasCgroups, "The sandbox has no cgroups here: give the test a cgroup hierarchy it can write (run as root).");
        await using var function = Create(fixture.Pool, """
            const kept = [];
            module.exports = async (event) => {
              if (event.hog) { for (let i = 0; i < 1000; i++) { const b = Buffer.alloc(16 * 1024 * 1024, 1); kept.push(b); } }
              return { kept: kept.length };
            };
            """, spec => spec with { MemoryLimitMb = 64 });

        var hog = await function.InvokeAsync(InvocationRequest.Json("""{"hog":true}"""));
        var after = await OkAsync(function);

        Assert.Equal(500, hog.StatusCode);
        Assert.True(hog.Outcome == InvocationOutcomes.MemoryLimit, $"outcome {hog.Outcome}: {hog.Text()}");
        Assert.Equal(0, after.GetProperty("kept").GetInt32());
    }
}
