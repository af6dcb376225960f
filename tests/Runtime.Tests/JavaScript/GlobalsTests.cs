using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.JavaScript;

/// <summary>What a function sees in its isolate: the web and Node globals it may use, and nothing of the host.</summary>
public sealed class GlobalsTests(IsolatePoolFixture fixture) : IClassFixture<IsolatePoolFixture>
{
    [Fact]
    public async Task ConsoleLinesAreCapturedWithLevelsAndFormatting()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => {
              console.log('plain', 1, true, null, undefined);
              console.info('info %s is %d', 'x', 42);
              console.warn({ a: 1, nested: { b: [1, 2] } });
              console.error(new Error('bad'));
              console.debug('debug');
              return 'done';
            };
            """);

        Assert.Equal(["log", "info", "warn", "error", "debug"], result.Logs.Select(l => l.Level));
        Assert.Equal("plain 1 true null undefined", result.Logs[0].Message);
        Assert.Equal("info x is 42", result.Logs[1].Message);
        Assert.Equal("{ a: 1, nested: { b: [ 1, 2 ] } }", result.Logs[2].Message);
        Assert.StartsWith("Error: bad", result.Logs[3].Message, StringComparison.Ordinal);
        Assert.All(result.Logs, l => Assert.True((DateTimeOffset.UtcNow - l.Timestamp).Duration() < TimeSpan.FromMinutes(1)));
    }

    // Expected values are what Node 20's URL gives for the same input.
    [Theory]
    [InlineData("file:///etc/passwd", "file:///etc/passwd", "", "/etc/passwd")]
    [InlineData("file:/tmp/x", "file:///tmp/x", "", "/tmp/x")]
    [InlineData("file://localhost/a/b", "file:///a/b", "", "/a/b")]
    [InlineData("file://server/share/x?q=1#h", "file://server/share/x?q=1#h", "server", "/share/x")]
    [InlineData("file:///a%2Fb", "file:///a%2Fb", "", "/a%2Fb")]
    [InlineData("file:///", "file:///", "", "/")]
    public async Task FileUrlsParseAsInNode(string input, string href, string host, string pathname)
    {
        var result = await RunAsync(fixture.Pool, $"module.exports = () => {{ const u = new URL({System.Text.Json.JsonSerializer.Serialize(input)}); return [u.href, u.host, u.pathname]; }};");

        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(new[] { href, host, pathname }), result.Text());
    }

    [Fact]
    public async Task ConsoleLinesBelongToTheInvocationThatWroteThem()
    {
        await using var function = Create(fixture.Pool, "let n = 0; module.exports = () => { n++; console.log('call ' + n); return n; };", s => s with { MaxConcurrency = 1 });
        var first = await function.InvokeAsync(Request());
        var second = await function.InvokeAsync(Request());

        Assert.Equal(["call 1"], first.Messages());
        Assert.Equal(["call 2"], second.Messages());
    }

    [Fact]
    public async Task TimersWorkWithAsyncHandlers()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = async () => {
              const order = [];
              const cancelled = setTimeout(() => order.push('cancelled'), 5);
              clearTimeout(cancelled);
              await new Promise(resolve => setTimeout(() => { order.push('timeout'); resolve(); }, 20));
              let ticks = 0;
              await new Promise(resolve => { const id = setInterval(() => { if (++ticks === 3) { clearInterval(id); resolve(); } }, 5); });
              order.push('interval x' + ticks);
              await new Promise(resolve => setImmediate(resolve));
              queueMicrotask(() => order.push('microtask'));
              await null;
              return order;
            };
            """);

        Assert.Equal("[\"timeout\",\"interval x3\",\"microtask\"]", result.Text());
    }

    [Fact]
    public async Task UrlAndUrlSearchParamsFollowTheWhatwgStandard()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => {
              const u = new URL('https://user:pw@Example.COM:443/a/./b/../c?x=1&y=a+b#frag');
              const rel = new URL('../d?q=%20', 'http://host:8080/a/b/c');
              const p = new URLSearchParams('a=1&a=2&b=x%20y');
              p.append('c', 'é&=');
              u.searchParams.set('x', '2');
              return {
                href: u.href, origin: u.origin, host: u.host, hostname: u.hostname, port: u.port,
                pathname: u.pathname, search: u.search, hash: u.hash, username: u.username,
                rel: rel.href, all: p.getAll('a'), b: p.get('b'), str: p.toString(),
                ipv6: new URL('http://[::1]:3000/').host, canParse: URL.canParse('not a url')
              };
            };
            """);

        var json = result.JsonBody();
        Assert.Equal("https://user:pw@example.com/a/c?x=2&y=a+b#frag", json.GetProperty("href").GetString());
        Assert.Equal("https://example.com", json.GetProperty("origin").GetString());
        Assert.Equal("example.com", json.GetProperty("host").GetString());
        Assert.Equal("", json.GetProperty("port").GetString());
        Assert.Equal("/a/c", json.GetProperty("pathname").GetString());
        Assert.Equal("?x=2&y=a+b", json.GetProperty("search").GetString());
        Assert.Equal("#frag", json.GetProperty("hash").GetString());
        Assert.Equal("user", json.GetProperty("username").GetString());
        Assert.Equal("http://host:8080/a/d?q=%20", json.GetProperty("rel").GetString());
        Assert.Equal("[\"1\",\"2\"]", json.GetProperty("all").GetRawText());
        Assert.Equal("x y", json.GetProperty("b").GetString());
        Assert.Equal("a=1&a=2&b=x+y&c=%C3%A9%26%3D", json.GetProperty("str").GetString());
        Assert.Equal("[::1]:3000", json.GetProperty("ipv6").GetString());
        Assert.False(json.GetProperty("canParse").GetBoolean());
    }

    [Fact]
    public async Task TextEncodingBase64AndBufferRoundTrip()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => {
              const bytes = new TextEncoder().encode('héllo €😀');
              return {
                length: bytes.length,
                back: new TextDecoder().decode(bytes),
                b64: btoa('hello'), unb64: atob('aGVsbG8='),
                hex: Buffer.from('hi').toString('hex'),
                fromB64: Buffer.from('aMOpbGxv', 'base64').toString(),
                json: JSON.stringify(Buffer.from('hi')),
                concat: Buffer.concat([Buffer.from('a'), Buffer.from('b')]).toString(),
              };
            };
            """);

        var json = result.JsonBody();
        Assert.Equal(14, json.GetProperty("length").GetInt32());
        Assert.Equal("héllo €😀", json.GetProperty("back").GetString());
        Assert.Equal("aGVsbG8=", json.GetProperty("b64").GetString());
        Assert.Equal("hello", json.GetProperty("unb64").GetString());
        Assert.Equal("6869", json.GetProperty("hex").GetString());
        Assert.Equal("héllo", json.GetProperty("fromB64").GetString());
        Assert.Equal("{\"type\":\"Buffer\",\"data\":[104,105]}", json.GetProperty("json").GetString());
        Assert.Equal("ab", json.GetProperty("concat").GetString());
    }

    [Fact]
    public async Task CryptoRandomUuidIsAVersion4Uuid()
    {
        var result = await RunAsync(fixture.Pool, "module.exports = () => [crypto.randomUUID(), crypto.randomUUID(), Array.from(crypto.getRandomValues(new Uint8Array(4))).length];");

        var json = result.JsonBody();
        var first = json[0].GetString()!;
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", first);
        Assert.NotEqual(first, json[1].GetString());
        Assert.Equal(4, json[2].GetInt32());
    }

    [Fact]
    public async Task ProcessEnvHoldsOnlyTheFunctionsOwnVariables()
    {
        Environment.SetEnvironmentVariable("GRANARY_TEST_HOST_SECRET", "host-secret");
        var result = await RunAsync(
            fixture.Pool,
            "module.exports = () => ({ env: process.env, keys: Object.keys(process.env) });",
            configure: s => s with { Env = s.Env.Add("API_URL", "https://api.example") });

        Assert.Equal("{\"env\":{\"API_URL\":\"https://api.example\"},\"keys\":[\"API_URL\"]}", result.Text());
    }

    [Fact]
    public async Task NoHostObjectFileSystemOrProcessIsReachable()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => {
              // ClearScript's helpers stay on the global object (non-configurable), out of the module's scope.
              const isHostObject = globalThis.EngineInternal.isHostObject;
              const hostObjects = [];
              for (const name of Object.getOwnPropertyNames(globalThis)) {
                const value = globalThis[name];
                if (isHostObject(value)) hostObjects.push(name);
                if (value && (typeof value === 'object' || typeof value === 'function')) {
                  for (const key of Object.getOwnPropertyNames(value)) {
                    try { if (isHostObject(value[key])) hostObjects.push(name + '.' + key); } catch (e) {}
                  }
                }
              }
              const attempts = {};
              for (const m of ['vm', 'child_process', 'worker_threads']) {
                try { require(m); attempts[m] = 'loaded'; } catch (e) { attempts[m] = e.code; }
              }
              let exit;
              try { process.exit(1); exit = 'exited'; } catch (e) { exit = e.message; }
              return { hostObjects, attempts, exit, host: typeof host, importScripts: typeof importScripts, fetch: typeof fetch };
            };
            """);

        var json = result.JsonBody();
        Assert.Equal("[]", json.GetProperty("hostObjects").GetRawText());
        Assert.All(json.GetProperty("attempts").EnumerateObject(), a => Assert.Equal("ERR_MODULE_NOT_IMPLEMENTED", a.Value.GetString()));
        Assert.Equal("process.exit() is not available to functions", json.GetProperty("exit").GetString());
        Assert.Equal("undefined", json.GetProperty("host").GetString());
    }

    [Fact]
    public async Task ModuleStateSurvivesBetweenInvocationsOfOneIsolate()
    {
        await using var function = Create(fixture.Pool, "let count = 0; module.exports = () => ++count;", s => s with { MaxConcurrency = 1 });

        await function.InvokeAsync(Request());
        await function.InvokeAsync(Request());
        var third = await function.InvokeAsync(Request());

        Assert.Equal("3", third.Text());
    }
}
