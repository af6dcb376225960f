using System.Text;
using Granary.Runtime.Egress;
using Granary.Runtime.JavaScript;
using Granary.Runtime.Tests.Egress;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.JavaScript.Io;

/// <summary>
/// require('http') and require('https') (builtins/http.js over fetch's host operations) against real loopback servers
/// that only a test's egress policy lets the function reach: requests as Node's client makes them, responses as
/// streams, and the attacker's side (loopback, metadata and private addresses refused; requests end with their invocation).
/// </summary>
public sealed class HttpModuleTests
{
    private const string Describe = """
        const describe = (e) => ({ message: e.message, code: e.code });
        """;

    [Fact]
    public async Task GetReadsStatusHeadersAndABodyStreamedInChunks()
    {
        var big = new string('x', 200_000);
        await using var server = new LoopbackHttpServer(x => x.Path == "/big"
            ? x.RespondChunkedAsync(200, [Encoding.UTF8.GetBytes(big[..100_000]), Encoding.UTF8.GetBytes(big[100_000..])])
            : x.RespondAsync(201, """{"hello":"world"}""", "application/json", ("X-Reply", "yes"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")));
        using var pool = Pool(server);

        var result = await RunAsync(pool, $$"""
            const http = require('http');
            const get = (url) => new Promise((resolve, reject) => {
              http.get(url, { headers: { 'X-Api-Key': 'k1' } }, (res) => {
                res.setEncoding('utf8');
                const chunks = [];
                res.on('data', (c) => chunks.push(c));
                res.on('end', () => resolve({ res, body: chunks.join(''), chunks: chunks.length }));
              }).on('error', reject);
            });
            module.exports = async () => {
              const small = await get('{{server.Url}}/things?x=1');
              const big = await get('{{server.Url}}/big');
              return { status: small.res.statusCode, message: small.res.statusMessage, type: small.res.headers['content-type'], reply: small.res.headers['x-reply'],
                cookies: small.res.headers['set-cookie'], raw: small.res.rawHeaders.includes('x-reply'), body: JSON.parse(small.body), complete: small.res.complete,
                bigLength: big.body.length, bigChunks: big.chunks > 1, version: small.res.httpVersion };
            };
            """);

        Assert.Equal(
            """{"status":201,"message":"Created","type":"application/json","reply":"yes","cookies":["a=1","b=2"],"raw":true,"body":{"hello":"world"},"complete":true,"bigLength":200000,"bigChunks":true,"version":"1.1"}""",
            result.Text());
        var first = server.Received.First();
        Assert.Equal("GET", first.Method);
        Assert.Equal("/things?x=1", first.Target);
        Assert.Equal("k1", first.Header("X-Api-Key"));
    }

    [Fact]
    public async Task RequestWritesABodyInPiecesWithItsHeadersAndAuth()
    {
        await using var server = new LoopbackHttpServer(x => x.RespondAsync(200, $"{x.Method} {x.Header("Content-Type")} {x.Header("Authorization")} {x.BodyText}"));
        using var pool = Pool(server);

        var result = await RunAsync(pool, $$"""
            const http = require('http');
            module.exports = () => new Promise((resolve, reject) => {
              const req = http.request({ host: '127.0.0.1', port: {{server.Port}}, path: '/echo', method: 'put', auth: 'user:pw' }, (res) => {
                let body = '';
                res.on('data', (c) => { body += c; });
                res.on('end', () => resolve({ body, header: req.getHeader('content-type'), names: req.getHeaderNames(), sent: req.headersSent, finished: req.writableFinished }));
              });
              req.on('error', reject);
              req.setHeader('Content-Type', 'text/plain');
              req.setHeader('X-Remove', '1');
              req.removeHeader('x-remove');
              req.write('hello ');
              req.write(Buffer.from('wörld '));
              req.end('!');
            });
            """);

        Assert.Equal("""{"body":"PUT text/plain Basic dXNlcjpwdw== hello wörld !","header":"text/plain","names":["authorization","content-type"],"sent":true,"finished":true}""", result.Text());
    }

    [Fact]
    public async Task ATimeoutFiresTheTimeoutEventAndDestroyAbortsTheRequest()
    {
        var closed = new TaskCompletionSource();
        await using var server = new LoopbackHttpServer(async x =>
        {
            await x.WaitForCloseAsync();
            closed.TrySetResult();
        });
        using var pool = Pool(server);

        var result = await RunAsync(pool, $$"""
            {{Describe}}
            const http = require('http');
            module.exports = () => new Promise((resolve) => {
              const events = [];
              const req = http.get('{{server.Url}}/slow');
              req.setTimeout(200, () => { events.push('timeout'); req.destroy(); });
              req.on('error', (e) => events.push(['error', describe(e)]));
              req.on('close', () => { events.push('close'); resolve(events); });
            });
            """);

        Assert.Equal("""["timeout",["error",{"message":"socket hang up","code":"ECONNRESET"}],"close"]""", result.Text());
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task STATUSCODESMETHODSAgentAndCreateServerAreThere()
    {
        using var pool = Pool(null);

        var result = await RunAsync(pool, """
            module.exports = () => {
              const http = require('http');
              const https = require('https');
              let server;
              try { http.createServer(); } catch (e) { server = [e.code, e.message.includes('"isolation": "process"')]; }
              const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
              return { codes: [http.STATUS_CODES[404], http.STATUS_CODES[503]], methods: http.METHODS.includes('PATCH'), keepAlive: agent.keepAlive,
                httpsPort: https.globalAgent.defaultPort, server, same: require('node:http') === http };
            };
            """);

        Assert.Equal("""{"codes":["Not Found","Service Unavailable"],"methods":true,"keepAlive":true,"httpsPort":443,"server":["ERR_NOT_AVAILABLE",true],"same":true}""", result.Text());
    }

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("10.1.2.3", "a private network")]
    [InlineData("localhost", "loopback")]
    public async Task LoopbackMetadataAndPrivateDestinationsAreRefusedLikeARefusedConnection(string hostname, string why)
    {
        await using var server = new LoopbackHttpServer(x => x.RespondAsync(200, "secret"));
        using var pool = Pool(null);

        var result = await RunAsync(pool, $$"""
            {{Describe}}
            const http = require('http');
            module.exports = () => new Promise((resolve) => {
              http.get({ host: '{{hostname}}', port: {{server.Port}}, path: '/latest/meta-data/' }, () => resolve('reached')).on('error', (e) => resolve(describe(e)));
            });
            """);

        var body = result.JsonBody();
        Assert.Equal("ECONNREFUSED", body.GetProperty("code").GetString());
        var message = body.GetProperty("message").GetString()!;
        Assert.StartsWith($"connect ECONNREFUSED {hostname}:{server.Port}: ", message, StringComparison.Ordinal);
        Assert.Contains(why, message, StringComparison.Ordinal);
        Assert.Contains("Granary:Egress:Allow", message, StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task ARequestDoesNotOutliveItsInvocation()
    {
        var closed = new TaskCompletionSource();
        await using var server = new LoopbackHttpServer(async x =>
        {
            await x.SendHeadThenHoldAsync();
            closed.TrySetResult();
        });
        using var pool = Pool(server);

        // The function answers while its response is still streaming: the host aborts the request, and the server sees it close.
        var result = await RunAsync(pool, $$"""
            const http = require('http');
            module.exports = () => new Promise((resolve) => {
              http.get('{{server.Url}}/stream', (res) => { res.once('data', (c) => resolve(String(c))); });
            });
            """);

        Assert.Equal("first", result.Text());
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
    }

    internal static IsolatePool Pool(LoopbackHttpServer? allowed, Action<JavaScriptRuntimeOptions>? configure = null)
    {
        var options = new JavaScriptRuntimeOptions { WarmIsolates = 0 };
        configure?.Invoke(options);
        var egress = new EgressOptions();
        if (allowed is not null)
        {
            egress.Allow.Add($"127.0.0.1:{allowed.Port}");
        }

        return new IsolatePool(Options.Create(options), NullLogger<IsolatePool>.Instance, new EgressPolicy(egress));
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not come true within 20 s");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
