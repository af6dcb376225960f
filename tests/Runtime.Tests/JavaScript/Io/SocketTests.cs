using Granary.Runtime.Egress;
using Granary.Runtime.JavaScript;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.JavaScript.Io;

/// <summary>
/// require('net') and require('tls') (builtins/net.js, tls.js over Io/SocketOperations.cs) against real loopback
/// servers a test's egress policy allows: sockets as Node's Duplex, TLS with SNI, a private CA and an upgrade in place,
/// and the attacker's side (refused destinations, bytes counted, no socket outliving its invocation).
/// </summary>
public sealed class SocketTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);

    private const string Describe = """
        const describe = (e) => ({ message: e.message, code: e.code });
        """;

    [Fact]
    public async Task ASocketConnectsWritesEndsAndReadsTheEchoAsADuplex()
    {
        await using var server = new LoopbackTcpServer(LoopbackTcpServer.EchoAsync);
        using var pool = Pool(server.Port);

        var result = await RunAsync(pool, $$"""
            const net = require('net');
            module.exports = () => new Promise((resolve, reject) => {
              const events = [];
              const chunks = [];
              const socket = net.connect({{server.Port}}, '127.0.0.1', () => events.push('callback'));
              socket.on('connect', () => events.push('connect'));
              socket.on('ready', () => events.push('ready'));
              socket.on('data', (c) => chunks.push(c));
              socket.on('end', () => events.push('end'));
              socket.on('error', reject);
              socket.on('close', (hadError) => {
                events.push('close');
                resolve({ events, echo: Buffer.concat(chunks).toString(), remote: [socket.remoteAddress, socket.remotePort === {{server.Port}}, socket.remoteFamily],
                  written: socket.bytesWritten, read: socket.bytesRead, hadError, chained: [socket.setNoDelay(true) === socket, socket.setKeepAlive(true) === socket] });
              });
              socket.setNoDelay(true).setKeepAlive(true, 1000);
              socket.write('hello ');
              socket.write(Buffer.from('wörld'));
              socket.end();
            });
            """);

        Assert.Equal(
            """{"events":["callback","connect","ready","end","close"],"echo":"hello wörld","remote":["127.0.0.1",true,"IPv4"],"written":12,"read":12,"hadError":false,"chained":[true,true]}""",
            result.Text());
    }

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("10.1.2.3", "a private network")]
    [InlineData("localhost", "loopback")]
    public async Task LoopbackMetadataAndPrivateDestinationsAreRefusedUnlessAllowed(string hostname, string why)
    {
        await using var server = new LoopbackTcpServer(LoopbackTcpServer.EchoAsync);
        using var pool = Pool(null);

        var result = await RunAsync(pool, $$"""
            {{Describe}}
            const net = require('net');
            module.exports = () => new Promise((resolve) => {
              const socket = net.createConnection({ host: '{{hostname}}', port: {{server.Port}} }, () => resolve('reached'));
              socket.on('error', (e) => resolve(describe(e)));
            });
            """);

        var body = result.JsonBody();
        Assert.Equal("ECONNREFUSED", body.GetProperty("code").GetString());
        var message = body.GetProperty("message").GetString()!;
        Assert.StartsWith($"connect ECONNREFUSED {hostname}:{server.Port}: ", message, StringComparison.Ordinal);
        Assert.Contains(why, message, StringComparison.Ordinal);
        Assert.Contains("Granary's egress policy", message, StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task AnAllowedPortWithNothingListeningIsARealRefusal()
    {
        int port;
        await using (var gone = new LoopbackTcpServer(LoopbackTcpServer.EchoAsync))
        {
            port = gone.Port;
        }

        using var pool = Pool(port);

        var result = await RunAsync(pool, $$"""
            {{Describe}}
            module.exports = () => new Promise((resolve) => require('net').connect({{port}}, '127.0.0.1').on('error', (e) => resolve(Object.assign(describe(e), { syscall: e.syscall }))));
            """);

        Assert.Equal($$"""{"message":"connect ECONNREFUSED 127.0.0.1:{{port}}","code":"ECONNREFUSED","syscall":"connect"}""", result.Text());
    }

    [Fact]
    public async Task AnIdleSocketFiresTimeout()
    {
        await using var server = new LoopbackTcpServer(LoopbackTcpServer.EchoAsync);
        using var pool = Pool(server.Port);

        var result = await RunAsync(pool, $$"""
            module.exports = () => new Promise((resolve) => {
              const socket = require('net').connect({ port: {{server.Port}}, host: '127.0.0.1', timeout: 150 });
              const started = Date.now();
              socket.on('timeout', () => { const waited = Date.now() - started; socket.destroy(); resolve({ timedOut: true, waited: waited >= 140, timeout: socket.timeout }); });
            });
            """);

        Assert.Equal("""{"timedOut":true,"waited":true,"timeout":150}""", result.Text());
    }

    [Fact]
    public async Task ASocketDoesNotOutliveItsInvocation()
    {
        await using var server = new LoopbackTcpServer(LoopbackTcpServer.EchoAsync);
        using var pool = Pool(server.Port);

        var result = await RunAsync(pool, $$"""
            module.exports = () => new Promise((resolve) => {
              const socket = require('net').connect({{server.Port}}, '127.0.0.1');
              socket.once('data', (c) => resolve(String(c)));
              socket.write('ping');
            });
            """);

        Assert.Equal("ping", result.Text());
        await server.Closed.Task.WaitAsync(s_wait, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task ConnectingWhileTheModuleLoadsIsRefusedWithTheReason()
    {
        await using var server = new LoopbackTcpServer(LoopbackTcpServer.EchoAsync);
        using var pool = Pool(server.Port);

        var result = await RunAsync(pool, $$"""
            let failure;
            require('net').connect({{server.Port}}, '127.0.0.1').on('error', (e) => { failure = e.message; });
            module.exports = () => failure;
            """);

        Assert.Equal("sockets are only available while the function handles a request (not while its module loads, nor after it has answered): connect inside the handler.", result.Text());
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task BytesReadCountAgainstTheInvocationsLimit()
    {
        await using var server = new LoopbackTcpServer(async (stream, connection) => await stream.WriteAsync(new byte[100_000], connection.Token));
        using var pool = Pool(server.Port, o => o.FetchMaxResponseBytes = 10_000);

        var result = await RunAsync(pool, $$"""
            {{Describe}}
            module.exports = () => new Promise((resolve) => {
              let read = 0;
              const socket = require('net').connect({{server.Port}}, '127.0.0.1');
              socket.on('data', (c) => { read += c.length; });
              socket.on('error', (e) => resolve(Object.assign(describe(e), { under: read <= 10000 })));
              socket.on('end', () => resolve('read it all'));
            });
            """);

        Assert.Equal("""{"message":"the function has read more than 10000 bytes from sockets in this invocation (Granary:JavaScript:FetchMaxResponseBytes).","code":"EIO","under":true}""", result.Text());
    }

    [Fact]
    public async Task TlsConnectsWithSniAndAPrivateCaAndRefusesAnUntrustedCertificate()
    {
        await using var server = new LoopbackTcpServer(LoopbackTcpServer.EchoAsync, tls: true);
        using var pool = Pool(server.Port);

        var result = await RunAsync(pool, $$"""
            {{Describe}}
            const tls = require('tls');
            const ca = {{System.Text.Json.JsonSerializer.Serialize(LoopbackTcpServer.CertificatePem)}};
            const talk = (options) => new Promise((resolve) => {
              const socket = tls.connect(Object.assign({ host: '127.0.0.1', port: {{server.Port}} }, options), () => {
                socket.end('secret');
              });
              const chunks = [];
              socket.on('data', (c) => chunks.push(c));
              socket.on('error', (e) => resolve(describe(e)));
              socket.on('end', () => resolve({ echo: Buffer.concat(chunks).toString(), authorized: socket.authorized, error: socket.authorizationError, encrypted: socket.encrypted,
                protocol: /^TLSv1\.[23]$/.test(socket.getProtocol()) }));
            });
            module.exports = async () => ({
              trusted: await talk({ servername: 'granary.test', ca }),
              untrusted: await talk({ servername: 'granary.test' }),
              wrongName: await talk({ servername: 'other.test', ca }),
              unchecked: await talk({ servername: 'granary.test', rejectUnauthorized: false }),
            });
            """);

        Assert.Equal(
            """{"trusted":{"echo":"secret","authorized":true,"error":null,"encrypted":true,"protocol":true},"untrusted":{"message":"self-signed certificate in certificate chain","code":"SELF_SIGNED_CERT_IN_CHAIN"},"wrongName":{"message":"Hostname/IP does not match certificate's altnames: Host: other.test.","code":"ERR_TLS_CERT_ALTNAME_INVALID"},"unchecked":{"echo":"secret","authorized":false,"error":"SELF_SIGNED_CERT_IN_CHAIN","encrypted":true,"protocol":true}}""",
            result.Text());
        Assert.Equal("granary.test", server.ServerName);
    }

    [Fact]
    public async Task TlsUpgradesAConnectedSocketInPlaceAsPostgresSslDoes()
    {
        LoopbackTcpServer? self = null;
        await using var server = new LoopbackTcpServer(async (stream, connection) =>
        {
            Assert.Equal("STARTTLS", await LoopbackTcpServer.Connection.ReadLineAsync(stream, connection.Token));
            await stream.WriteAsync("S"u8.ToArray(), connection.Token);
            await using var ssl = await self!.StartTlsAsync(stream, connection);
            await LoopbackTcpServer.EchoAsync(ssl, connection);
        });
        self = server;
        using var pool = Pool(server.Port);

        var result = await RunAsync(pool, $$"""
            const net = require('net');
            const tls = require('tls');
            const ca = {{System.Text.Json.JsonSerializer.Serialize(LoopbackTcpServer.CertificatePem)}};
            module.exports = () => new Promise((resolve, reject) => {
              const plain = net.connect({{server.Port}}, '127.0.0.1', () => plain.write('STARTTLS\n'));
              plain.on('error', reject);
              plain.once('data', (answer) => {
                const secure = tls.connect({ socket: plain, servername: 'granary.test', ca });
                const chunks = [];
                secure.on('secureConnect', () => secure.end('over tls'));
                secure.on('data', (c) => chunks.push(c));
                secure.on('error', reject);
                secure.on('end', () => resolve({ answer: String(answer), echo: Buffer.concat(chunks).toString(), authorized: secure.authorized }));
              });
            });
            """);

        Assert.Equal("""{"answer":"S","echo":"over tls","authorized":true}""", result.Text());
    }

    private static IsolatePool Pool(int? allowedPort, Action<JavaScriptRuntimeOptions>? configure = null)
    {
        var options = new JavaScriptRuntimeOptions { WarmIsolates = 0 };
        configure?.Invoke(options);
        var egress = new EgressOptions();
        if (allowedPort is { } port)
        {
            egress.Allow.Add($"127.0.0.1:{port}");
        }

        return new IsolatePool(Options.Create(options), NullLogger<IsolatePool>.Instance, new EgressPolicy(egress));
    }
}
