using Granary.Functions;
using Granary.Runtime.Egress;
using Granary.Runtime.JavaScript;
using Granary.Runtime.Tests.Egress;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.Packages;

/// <summary>
/// The npm HTTP clients functions use, installed from the registry and run in the isolate against a loopback HTTP
/// server the test's egress policy allows: axios and node-fetch v2 (http, stream, zlib), with their failure codes. The
/// database drivers (pg, mysql2, ioredis against real servers) run in the compatibility suite, in both isolations
/// (tests/Gateway.Tests/Compatibility).
/// </summary>
public sealed class NodeClientPackagesTests(NpmPackagesTests.Fixture npm) : IClassFixture<NpmPackagesTests.Fixture>
{
    [Fact]
    public async Task AxiosGetsAndPostsJsonThroughHttp()
    {
        await using var server = new LoopbackHttpServer(x => x.RespondAsync(200, $$"""{"method":"{{x.Method}}","path":"{{x.Target}}","got":{{(x.Body.Length == 0 ? "null" : x.BodyText)}},"auth":"{{x.Header("Authorization")}}"}""", "application/json"));
        var directory = await npm.InstallAsync(new() { ["axios"] = "1.21.1" });

        var result = await RunAsync(directory, server.Port, $$"""
            const axios = require('axios');
            module.exports = async () => {
              const client = axios.create({ baseURL: 'http://127.0.0.1:{{server.Port}}', headers: { Authorization: 'Bearer t' } });
              const got = await client.get('/items', { params: { q: 'a b' } });
              const posted = await client.post('/items', { name: 'widget', n: 2 });
              let missing;
              try { await axios.get('http://127.0.0.1:1/'); } catch (e) { missing = e.code; }
              let http2;
              try { await axios.get('https://127.0.0.1:1/', { httpVersion: 2 }); } catch (e) { http2 = e.code; }
              return { get: got.data, status: got.status, post: posted.data, missing, http2, adapter: typeof got.request.getHeader };
            };
            """);

        Assert.Equal(
            """{"get":{"method":"GET","path":"/items?q=a+b","got":null,"auth":"Bearer t"},"status":200,"post":{"method":"POST","path":"/items","got":{"name":"widget","n":2},"auth":"Bearer t"},"missing":"ECONNREFUSED","http2":"ERR_NOT_AVAILABLE","adapter":"function"}""",
            result.Text());
    }

    [Fact]
    public async Task NodeFetchTwoGetsTextAndJson()
    {
        await using var server = new LoopbackHttpServer(x => x.RespondAsync(200, $$"""{"path":"{{x.Target}}","body":"{{x.BodyText}}"}""", "application/json", ("X-Reply", "yes")));
        var directory = await npm.InstallAsync(new() { ["node-fetch"] = "2.7.0" });

        var result = await RunAsync(directory, server.Port, $$"""
            const fetch = require('node-fetch');
            module.exports = async () => {
              const r = await fetch('http://127.0.0.1:{{server.Port}}/a?b=1');
              const p = await fetch('http://127.0.0.1:{{server.Port}}/post', { method: 'POST', body: 'payload' });
              return { status: r.status, reply: r.headers.get('x-reply'), json: await r.json(), text: await p.text() };
            };
            """);

        Assert.Equal("""{"status":200,"reply":"yes","json":{"path":"/a?b=1","body":""},"text":"{\"path\":\"/post\",\"body\":\"payload\"}"}""", result.Text());
    }

    private static async Task<ExecutionResult> RunAsync(string packagesRoot, int allowedPort, string code)
    {
        var egress = new EgressOptions();
        egress.Allow.Add($"127.0.0.1:{allowedPort}");
        using var pool = new IsolatePool(Options.Create(new JavaScriptRuntimeOptions { WarmIsolates = 0 }), NullLogger<IsolatePool>.Instance, new EgressPolicy(egress));
        await using var function = new JavaScriptFunction(Definition(code, s => s with { TimeoutSeconds = 30 }), pool, Limits, NullLogger.Instance, packagesRoot: packagesRoot);
        var error = await function.WarmUpAsync();
        Assert.Null(error);
        var result = await function.InvokeAsync(new InvocationRequest { Method = "GET" });
        Assert.True(result.StatusCode == 200, result.Text());
        return result;
    }
}
