using System.Collections.Immutable;
using Granary.Runtime.Egress;
using Granary.Runtime.JavaScript;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.Egress;

/// <summary>
/// JavaScript's <c>fetch</c> against real loopback servers: what Node's fetch does, under Granary's egress policy (the
/// test servers are reachable only where a test's policy allows their port), within the per-invocation limits, and
/// never outliving the invocation that made it.
/// </summary>
public sealed class FetchTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);

    // Returns what a fetch failure looks like to the function.
    private const string Describe = """
        const describe = (e) => ({ error: String(e), name: e && e.name, cause: e && e.cause && e.cause.message, code: e && e.cause && e.cause.code, causeName: e && e.cause && e.cause.name });
        """;

    [Fact]
    public async Task AFetchToAnAllowedServerGetsItsStatusHeadersAndJson()
    {
        await using var server = new LoopbackHttpServer(x => x.RespondAsync(201, """{"hello":"world","n":1}""", "application/json", ("X-Reply", "yes"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")));
        using var pool = Pool(server);

        var result = await RunAsync(pool, $$"""
            module.exports = async () => {
              const r = await fetch('{{server.Url}}/things?x=1', { headers: { 'X-Api-Key': 'k1', accept: 'application/json' } });
              return { status: r.status, ok: r.ok, statusText: r.statusText, reply: r.headers.get('x-reply'), type: r.headers.get('content-type'),
                cookies: r.headers.getSetCookie(), url: r.url, redirected: r.redirected, json: await r.json(), used: r.bodyUsed };
            };
            """);

        Assert.Equal(200, result.StatusCode);
        var body = result.JsonBody();
        Assert.Equal(201, body.GetProperty("status").GetInt32());
        Assert.True(body.GetProperty("ok").GetBoolean());
        Assert.Equal("Created", body.GetProperty("statusText").GetString());
        Assert.Equal("yes", body.GetProperty("reply").GetString());
        Assert.Equal("application/json", body.GetProperty("type").GetString());
        Assert.Equal(["a=1", "b=2"], body.GetProperty("cookies").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal($"{server.Url}/things?x=1", body.GetProperty("url").GetString());
        Assert.False(body.GetProperty("redirected").GetBoolean());
        Assert.Equal("""{"hello":"world","n":1}""", body.GetProperty("json").GetRawText());
        Assert.True(body.GetProperty("used").GetBoolean());
        var received = Assert.Single(server.Received);
        Assert.Equal("GET", received.Method);
        Assert.Equal("/things?x=1", received.Target);
        Assert.Equal("k1", received.Header("X-Api-Key"));
        Assert.Equal("application/json", received.Header("Accept"));
    }

    [Fact]
    public async Task PostSendsStringJsonFormAndBinaryBodiesWithTheirContentTypes()
    {
        await using var server = new LoopbackHttpServer(x => x.RespondAsync(200, $"{x.Method} {x.Header("Content-Type")} {Convert.ToHexString(x.Body)}"));
        using var pool = Pool(server);

        var result = await RunAsync(pool, $$"""
            module.exports = async () => {
              const u = '{{server.Url}}/echo';
              const out = [];
              out.push(await (await fetch(u, { method: 'POST', body: JSON.stringify({ a: 1 }), headers: { 'Content-Type': 'application/json' } })).text());
              out.push(await (await fetch(u, { method: 'put', body: 'hé' })).text());
              out.push(await (await fetch(u, { method: 'POST', body: new URLSearchParams({ q: 'a b' }) })).text());
              out.push(await (await fetch(u, { method: 'POST', body: new Uint8Array([1, 2, 255]) })).text());
              out.push(await (await fetch(u, { method: 'PATCH', body: new Uint8Array([9, 8, 7]).buffer })).text());
              out.push(await (await fetch(new Request(u, { method: 'DELETE' }))).text());
              const form = new FormData();
              form.append('field', 'value');
              form.append('file', new Blob(['xyz'], { type: 'text/plain' }), 'f.txt');
              const multipart = await (await fetch(u, { method: 'POST', body: form })).text();
              out.push(multipart.startsWith('POST multipart/form-data; boundary=') ? 'multipart' : multipart);
              return out;
            };
            """);

        var lines = result.JsonBody().EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Equal(
            [
                "POST application/json " + Convert.ToHexString("""{"a":1}"""u8),
                "PUT text/plain;charset=UTF-8 " + Convert.ToHexString("hé"u8),
                "POST application/x-www-form-urlencoded;charset=UTF-8 " + Convert.ToHexString("q=a+b"u8),
                "POST  0102FF",
                "PATCH  090807",
                "DELETE  ",
                "multipart",
            ],
            lines);
        var form = server.Received.Last().BodyText;
        Assert.Contains("Content-Disposition: form-data; name=\"field\"\r\n\r\nvalue\r\n", form, StringComparison.Ordinal);
        Assert.Contains("Content-Disposition: form-data; name=\"file\"; filename=\"f.txt\"\r\nContent-Type: text/plain\r\n\r\nxyz\r\n", form, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedirectsAreFollowedOrReturnedOrRefusedAsTheRequestAsks()
    {
        await using var server = new LoopbackHttpServer(x => x.Path switch
        {
            "/start" => x.RespondAsync(302, "", "text/plain", ("Location", "/middle")),
            "/middle" => x.RespondAsync(303, "", "text/plain", ("Location", "/end?from=303")),
            "/keep" => x.RespondAsync(307, "", "text/plain", ("Location", "/end")),
            _ => x.RespondAsync(200, $"{x.Method} {x.Target} {x.BodyText}"),
        });
        using var pool = Pool(server);

        var result = await RunAsync(pool, $$"""
            {{Describe}}
            module.exports = async () => {
              const u = '{{server.Url}}';
              const followed = await fetch(u + '/start', { method: 'POST', body: 'data' });
              const kept = await fetch(u + '/keep', { method: 'POST', body: 'data' });
              const manual = await fetch(u + '/start', { redirect: 'manual' });
              let refused;
              try { await fetch(u + '/start', { redirect: 'error' }); } catch (e) { refused = describe(e); }
              return { followed: [followed.status, followed.redirected, followed.url, await followed.text()], kept: await kept.text(),
                manual: [manual.status, manual.headers.get('location')], refused };
            };
            """);

        var body = result.JsonBody();
        Assert.Equal($"""[200,true,"{server.Url}/end?from=303","GET /end?from=303 "]""", body.GetProperty("followed").GetRawText());
        Assert.Equal("POST /end data", body.GetProperty("kept").GetString());
        Assert.Equal("""[302,"/middle"]""", body.GetProperty("manual").GetRawText());
        Assert.Equal("TypeError: fetch failed", body.GetProperty("refused").GetProperty("error").GetString());
        Assert.Equal("unexpected redirect", body.GetProperty("refused").GetProperty("cause").GetString());
    }

    [Fact]
    public async Task LoopbackIsRefusedByDefaultWithThePolicysReason()
    {
        await using var server = new LoopbackHttpServer(x => x.RespondAsync(200, "secret"));
        using var pool = Pool(allowed: null);

        var result = await RunAsync(pool, $$"""
            {{Describe}}
            module.exports = async () => { try { await fetch('{{server.Url}}/'); return 'reached'; } catch (e) { return describe(e); } };
            """);

        var body = result.JsonBody();
        Assert.Equal("TypeError: fetch failed", body.GetProperty("error").GetString());
        Assert.Equal("TypeError", body.GetProperty("name").GetString());
        Assert.Contains("loopback", body.GetProperty("cause").GetString(), StringComparison.Ordinal);
        Assert.Contains("Granary:Egress:Allow", body.GetProperty("cause").GetString(), StringComparison.Ordinal);
        Assert.Equal("EGRESS_DENIED", body.GetProperty("code").GetString());
        Assert.Empty(server.Received);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task ANameThatResolvesToLoopbackIsRefused()
    {
        await using var server = new LoopbackHttpServer(x => x.RespondAsync(200, "secret"));
        using var pool = Pool(allowed: null);

        var result = await RunAsync(pool, $$"""
            {{Describe}}
            module.exports = async () => { try { await fetch('http://localhost:{{server.Port}}/'); return 'reached'; } catch (e) { return describe(e); } };
            """);

        var body = result.JsonBody();
        Assert.Equal("TypeError: fetch failed", body.GetProperty("error").GetString());
        Assert.Contains("loopback", body.GetProperty("cause").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task ARedirectFromAnAllowedServerToAnotherLoopbackPortIsRefusedAtTheHop()
    {
        await using var target = new LoopbackHttpServer(x => x.RespondAsync(200, "internal"));
        await using var server = new LoopbackHttpServer(x => x.RespondAsync(302, "", "text/plain", ("Location", $"{target.Url}/admin")));
        using var pool = Pool(server);

        var result = await RunAsync(pool, $$"""
            {{Describe}}
            module.exports = async () => { try { const r = await fetch('{{server.Url}}/go'); return await r.text(); } catch (e) { return describe(e); } };
            """);

        var body = result.JsonBody();
        Assert.Equal("TypeError: fetch failed", body.GetProperty("error").GetString());
        Assert.Contains($"127.0.0.1:{target.Port}", body.GetProperty("cause").GetString(), StringComparison.Ordinal);
        Assert.Contains("loopback", body.GetProperty("cause").GetString(), StringComparison.Ordinal);
        Assert.Single(server.Received);
        Assert.Equal(0, target.Connections);
    }

    [Fact]
    public async Task ATenantNarrowedToNoneCannotFetchAtAll()
    {
        await using var server = new LoopbackHttpServer(x => x.RespondAsync(200, "ok"));
        using var pool = Pool(server, egress: o => o.Tenants["acme"] = "none");

        var result = await RunAsync(pool, $$"""
            {{Describe}}
            module.exports = async () => { try { await fetch('{{server.Url}}/'); return 'reached'; } catch (e) { return describe(e); } };
            """);

        var body = result.JsonBody();
        Assert.Equal("TypeError: fetch failed", body.GetProperty("error").GetString());
        Assert.Contains("tenant 'acme' may not open outbound connections", body.GetProperty("cause").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task OnlyHttpAndHttpsGoOutDataUrlsAreReadAndFilesNever()
    {
        using var pool = Pool(allowed: null);

        var result = await RunAsync(pool, $$"""
            {{Describe}}
            module.exports = async () => {
              const out = {};
              for (const u of ['file:///etc/passwd', 'ftp://example.com/x']) { try { await fetch(u); out[u] = 'fetched'; } catch (e) { out[u] = describe(e); } }
              const d = await fetch('data:text/plain,hello%20world');
              out.data = [d.status, d.headers.get('content-type'), await d.text()];
              out.base64 = await (await fetch('data:application/octet-stream;base64,AAEC')).arrayBuffer().then(b => [...new Uint8Array(b)]);
              try { await fetch('not a url'); } catch (e) { out.bad = String(e); }
              return out;
            };
            """);

        var body = result.JsonBody();
        Assert.Equal("TypeError: fetch failed", body.GetProperty("file:///etc/passwd").GetProperty("error").GetString());
        Assert.Equal("URL scheme \"file\" is not supported.", body.GetProperty("file:///etc/passwd").GetProperty("cause").GetString());
        Assert.Equal("URL scheme \"ftp\" is not supported.", body.GetProperty("ftp://example.com/x").GetProperty("cause").GetString());
        Assert.Equal("""[200,"text/plain","hello world"]""", body.GetProperty("data").GetRawText());
        Assert.Equal("[0,1,2]", body.GetProperty("base64").GetRawText());
        Assert.Equal("TypeError: Failed to parse URL from not a url", body.GetProperty("bad").GetString());
    }

    [Fact]
    public async Task AnAbortControllerAbortsAFetchAndItsConnection()
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new LoopbackHttpServer(async x =>
        {
            arrived.TrySetResult();
            await x.WaitForCloseAsync();
            closed.TrySetResult();
        });
        using var pool = Pool(server);

        var result = await RunAsync(pool, $$"""
            {{Describe}}
            module.exports = async () => {
              const controller = new AbortController();
              const pending = fetch('{{server.Url}}/slow', { signal: controller.signal });
              await new Promise(r => setTimeout(r, 50));
              controller.abort();
              let out;
              try { await pending; out = 'settled'; } catch (e) { out = { name: e.name, message: e.message, dom: e instanceof DOMException, aborted: controller.signal.aborted }; }
              let already;
              try { await fetch('{{server.Url}}/x', { signal: AbortSignal.abort() }); } catch (e) { already = e.name; }
              return { out, already };
            };
            """);

        var body = result.JsonBody();
        Assert.Equal("""{"name":"AbortError","message":"This operation was aborted","dom":true,"aborted":true}""", body.GetProperty("out").GetRawText());
        Assert.Equal("AbortError", body.GetProperty("already").GetString());
        await closed.Task.WaitAsync(s_wait);
    }

    [Fact]
    public async Task AbortSignalTimeoutRejectsWithATimeoutError()
    {
        await using var server = new LoopbackHttpServer(x => x.WaitForCloseAsync());
        using var pool = Pool(server);

        var result = await RunAsync(pool, $$"""
            module.exports = async () => {
              try { await fetch('{{server.Url}}/slow', { signal: AbortSignal.timeout(100) }); return 'settled'; }
              catch (e) { return [e.name, e.message]; }
            };
            """);

        Assert.Equal("""["TimeoutError","The operation was aborted due to timeout"]""", result.Text());
    }

    [Fact]
    public async Task AResponseOverTheSizeLimitFailsTheFetchOrItsBody()
    {
        var big = new byte[200_000];
        await using var server = new LoopbackHttpServer(x => x.Path == "/declared"
            ? x.RespondAsync(200, big, "application/octet-stream")
            : x.RespondChunkedAsync(200, Enumerable.Repeat(new byte[50_000], 4)));
        using var pool = Pool(server, o => o.FetchMaxResponseBytes = 100_000);

        var result = await RunAsync(pool, $$"""
            {{Describe}}
            module.exports = async () => {
              const out = {};
              try { await fetch('{{server.Url}}/declared'); out.declared = 'fetched'; } catch (e) { out.declared = describe(e); }
              const r = await fetch('{{server.Url}}/chunked');
              try { await r.arrayBuffer(); out.chunked = 'read'; } catch (e) { out.chunked = describe(e); }
              return out;
            };
            """);

        var body = result.JsonBody();
        Assert.Equal("TypeError: fetch failed", body.GetProperty("declared").GetProperty("error").GetString());
        Assert.Contains("Granary:JavaScript:FetchMaxResponseBytes", body.GetProperty("declared").GetProperty("cause").GetString(), StringComparison.Ordinal);
        Assert.Equal("TypeError: terminated", body.GetProperty("chunked").GetProperty("error").GetString());
        Assert.Contains("larger than 100000 bytes", body.GetProperty("chunked").GetProperty("cause").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFetchThatTakesLongerThanTheFetchTimeoutFails()
    {
        await using var server = new LoopbackHttpServer(x => x.WaitForCloseAsync());
        using var pool = Pool(server, o => o.FetchTimeoutSeconds = 1);

        var result = await RunAsync(pool, $$"""
            {{Describe}}
            module.exports = async () => { try { await fetch('{{server.Url}}/slow'); return 'settled'; } catch (e) { return describe(e); } };
            """, configure: s => s with { TimeoutSeconds = 30 });

        var body = result.JsonBody();
        Assert.Equal("TypeError: fetch failed", body.GetProperty("error").GetString());
        Assert.Equal("TimeoutError", body.GetProperty("causeName").GetString());
        Assert.Contains("Granary:JavaScript:FetchTimeoutSeconds", body.GetProperty("cause").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInvocationMayHaveOnlySoManyFetchesInFlight()
    {
        await using var server = new LoopbackHttpServer(x => x.WaitForCloseAsync());
        using var pool = Pool(server, o => o.FetchMaxConcurrentRequests = 2);

        var result = await RunAsync(pool, $$"""
            {{Describe}}
            module.exports = async () => {
              fetch('{{server.Url}}/1').catch(() => {});
              fetch('{{server.Url}}/2').catch(() => {});
              try { await fetch('{{server.Url}}/3'); return 'settled'; } catch (e) { return describe(e); }
            };
            """);

        Assert.Contains("Granary:JavaScript:FetchMaxConcurrentRequests", result.JsonBody().GetProperty("cause").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStreamedBodyIsReadChunkByChunk()
    {
        var chunks = Enumerable.Range(0, 5).Select(i => Enumerable.Repeat((byte)('a' + i), 100_000).ToArray()).ToArray();
        await using var server = new LoopbackHttpServer(x => x.RespondChunkedAsync(200, chunks));
        using var pool = Pool(server);

        var result = await RunAsync(pool, $$"""
            module.exports = async () => {
              const r = await fetch('{{server.Url}}/stream');
              let total = 0, reads = 0;
              const seen = new Set();
              for await (const chunk of r.body) { reads++; total += chunk.length; for (const b of chunk) seen.add(String.fromCharCode(b)); }
              const r2 = await fetch('{{server.Url}}/stream');
              const reader = r2.body.getReader();
              let readerTotal = 0;
              for (;;) { const { value, done } = await reader.read(); if (done) break; readerTotal += value.byteLength; }
              const r3 = await fetch('{{server.Url}}/stream');
              const copy = r3.clone();
              const [a, b] = await Promise.all([r3.text(), copy.arrayBuffer()]);
              return { total, manyReads: reads > 1, letters: [...seen].sort().join(''), readerTotal, cloned: [a.length, b.byteLength], used: r.bodyUsed };
            };
            """);

        Assert.Equal("""{"total":500000,"manyReads":true,"letters":"abcde","readerTotal":500000,"cloned":[500000,500000],"used":true}""", result.Text());
    }

    [Fact]
    public async Task AFetchInFlightWhenTheInvocationEndsIsAbortedAndNeverSettlesLater()
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new LoopbackHttpServer(async x =>
        {
            if (x.Path == "/hold")
            {
                held.TrySetResult();
                await x.WaitForCloseAsync();
                closed.TrySetResult();
            }
            else
            {
                // Answers once the held request has arrived, so the function answers only when that fetch is on the wire.
                await held.Task;
                await x.RespondAsync(200, "ok");
            }
        });
        using var pool = Pool(server);
        await using var function = Create(pool, $$"""
            let settled = 'nothing';
            module.exports = async (event, context) => {
              if (context.query.step === '1') {
                fetch('{{server.Url}}/hold').then(() => { settled = 'resolved'; }, (e) => { settled = 'rejected: ' + e.message; });
                await (await fetch('{{server.Url}}/arrived')).text();
                return 'answered without waiting';
              }
              await (await fetch('{{server.Url}}/ok')).text();
              return settled;
            };
            """);
        Assert.Null(await function.WarmUpAsync());

        var first = await function.InvokeAsync(Request(query: "?step=1"));
        await closed.Task.WaitAsync(s_wait);
        var second = await function.InvokeAsync(Request(query: "?step=2"));

        Assert.Equal("answered without waiting", first.Text());
        Assert.Equal("nothing", second.Text());
    }

    [Fact]
    public async Task AFetchInFlightWhenTheInvocationTimesOutIsAborted()
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new LoopbackHttpServer(async x =>
        {
            await x.SendHeadThenHoldAsync();
            closed.TrySetResult();
        });
        using var pool = Pool(server);

        var result = await RunAsync(pool, $$"""
            module.exports = async () => { const r = await fetch('{{server.Url}}/hold'); return await r.text(); };
            """, configure: s => s with { TimeoutSeconds = 1 });

        Assert.Equal(504, result.StatusCode);
        Assert.Contains("timed out", result.Text(), StringComparison.Ordinal);
        await closed.Task.WaitAsync(s_wait);
    }

    [Fact]
    public async Task FetchIsRefusedWhileTheModuleLoads()
    {
        await using var server = new LoopbackHttpServer(x => x.RespondAsync(200, "ok"));
        using var pool = Pool(server);

        var result = await RunAsync(pool, $$"""
            let atLoad;
            fetch('{{server.Url}}/').then(() => { atLoad = 'fetched'; }, (e) => { atLoad = e.cause.message; });
            module.exports = async () => atLoad;
            """);

        Assert.Contains("only available while the function handles a request", result.Text(), StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task HeadersRequestAndResponseBehaveAsInNode()
    {
        using var pool = Pool(allowed: null);

        var result = await RunAsync(pool, """
            module.exports = async () => {
              const h = new Headers({ B: '1', a: '2' });
              h.append('b', '3');
              const req = new Request('http://example.com/x', { method: 'post', body: 'hi', headers: h });
              const res = new Response('abc');
              const json = Response.json({ a: 1 }, { status: 202 });
              const copy = res.clone();
              let getBody;
              try { new Request('http://example.com', { body: 'x' }); } catch (e) { getBody = e.message; }
              return {
                headers: [...h], method: req.method, reqType: req.headers.get('content-type'), reqText: await req.text(),
                res: [res.status, res.statusText, res.headers.get('content-type'), await res.text(), await copy.text()],
                json: [json.status, json.headers.get('content-type'), await json.json()],
                body: Object.prototype.toString.call(new Response('x').body), getBody,
                blob: await new Blob(['a', new Uint8Array([98])]).text(),
              };
            };
            """);

        Assert.Equal(
            """{"headers":[["a","2"],["b","1, 3"]],"method":"POST","reqType":"text/plain;charset=UTF-8","reqText":"hi","res":[200,"","text/plain;charset=UTF-8","abc","abc"],"json":[202,"application/json",{"a":1}],"body":"[object ReadableStream]","getBody":"Request with GET/HEAD method cannot have body.","blob":"ab"}""",
            result.Text());
    }

    // The finding: a kyma function's own PUBLISHER_PROXY_ADDRESS pointed Granary's publisher at any address it liked.
    [Fact]
    public async Task TheKymaPublisherAddressInTheFunctionsEnvIsIgnored()
    {
        await using var named = new LoopbackHttpServer(x => x.RespondAsync(200, "{}", "application/json"));
        await using var publisher = new LoopbackHttpServer(x => x.RespondAsync(202, """{"accepted":true}""", "application/json"));
        using var pool = Pool(allowed: null, o => o.PublisherProxyAddress = publisher.Url + "/publish");

        var result = await RunAsync(pool, """
            module.exports = { main: async (event) => {
              const r = await event.emitCloudEvent('t', '/s', { a: 1 });
              return { status: r.status, seen: process.env.PUBLISHER_PROXY_ADDRESS };
            } };
            """, configure: s => s with { Signature = "kyma", Env = ImmutableDictionary<string, string>.Empty.Add("PUBLISHER_PROXY_ADDRESS", named.Url + "/admin") });

        Assert.Equal($$"""{"status":202,"seen":"{{publisher.Url}}/publish"}""", result.Text());
        Assert.Empty(named.Received);
        Assert.Equal("/publish", Assert.Single(publisher.Received).Target);
    }

    // The finding: file:///etc/passwd as the publisher address left the call pending until the function's timeout (408).
    [Fact]
    public async Task AFilePublisherAddressFailsFastWithAClearError()
    {
        using var pool = Pool(allowed: null, o => o.PublisherProxyAddress = "file:///etc/passwd");

        var result = await RunAsync(pool, """
            module.exports = { main: async (event) => {
              try { await event.emitCloudEvent('t', '/s', 'x'); return 'sent'; } catch (e) { return e.message; }
            } };
            """, configure: s => s with { Signature = "kyma", TimeoutSeconds = 30 });

        Assert.Equal(200, result.StatusCode);
        Assert.Contains("Granary:JavaScript:PublisherProxyAddress", result.Text(), StringComparison.Ordinal);
        Assert.Contains("must be an http or https URL", result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFilePublisherAddressInTheFunctionsEnvFailsFastAsUnconfigured()
    {
        using var pool = Pool(allowed: null);

        var result = await RunAsync(pool, """
            module.exports = { main: async (event) => {
              try { await event.publishCloudEvent({ type: 't', source: '/s', specversion: '1.0', id: '1' }); return 'sent'; } catch (e) { return e.message; }
            } };
            """, configure: s => s with { Signature = "kyma", TimeoutSeconds = 30, Env = ImmutableDictionary<string, string>.Empty.Add("PUBLISHER_PROXY_ADDRESS", "file:///etc/passwd") });

        Assert.Equal(200, result.StatusCode);
        Assert.Contains("No event publisher is configured", result.Text(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("file:///etc/passwd", "is a file: URL")]
    [InlineData("not a url", "is not an absolute URL")]
    [InlineData("ftp://events/", "is a ftp: URL")]
    public void APublisherAddressThatIsNotHttpIsRefusedAtStart(string address, string reason)
    {
        var options = new JavaScriptRuntimeOptions { PublisherProxyAddress = address };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();

        Assert.False(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true));
        var result = Assert.Single(results);
        Assert.Equal([nameof(JavaScriptRuntimeOptions.PublisherProxyAddress)], result.MemberNames);
        Assert.Contains(reason, result.ErrorMessage, StringComparison.Ordinal);
    }

    private static IsolatePool Pool(LoopbackHttpServer? allowed, Action<JavaScriptRuntimeOptions>? configure = null, Action<EgressOptions>? egress = null)
    {
        var options = new JavaScriptRuntimeOptions { WarmIsolates = 0 };
        configure?.Invoke(options);
        var egressOptions = new EgressOptions();
        if (allowed is not null)
        {
            egressOptions.Allow.Add($"127.0.0.1:{allowed.Port}");
        }

        egress?.Invoke(egressOptions);
        return new IsolatePool(Options.Create(options), NullLogger<IsolatePool>.Instance, new EgressPolicy(egressOptions));
    }
}
