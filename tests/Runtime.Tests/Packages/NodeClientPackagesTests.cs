using Granary.Cluster.Tests.Infrastructure;
using Granary.Functions;
using Granary.Runtime.Egress;
using Granary.Runtime.JavaScript;
using Granary.Runtime.Tests.Egress;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.Packages;

/// <summary>
/// The npm clients functions use, installed from the registry and run in the isolate against real servers on loopback
/// that the test's egress policy allows: axios and node-fetch v2 (http, stream, zlib) against a loopback HTTP server,
/// pg against PostgreSQL, mysql2 against MariaDB and ioredis against redis-server (net, tls, dns, crypto).
/// </summary>
public sealed class NodeClientPackagesTests(NpmPackagesTests.Fixture npm, NodeClientPackagesTests.Servers servers)
    : IClassFixture<NpmPackagesTests.Fixture>, IClassFixture<NodeClientPackagesTests.Servers>
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

    [Fact]
    public async Task PgQueriesPostgres()
    {
        var directory = await npm.InstallAsync(new() { ["pg"] = "8.13.1" });

        var result = await RunAsync(directory, servers.Postgres.Port, $$"""
            const { Client } = require('pg');
            module.exports = async () => {
              const client = new Client({ host: '127.0.0.1', port: {{servers.Postgres.Port}}, user: '{{PostgresServer.User}}', password: '{{PostgresServer.Password}}', database: '{{PostgresServer.DefaultDatabase}}' });
              await client.connect();
              try {
                await client.query('CREATE TEMP TABLE items (id serial PRIMARY KEY, name text NOT NULL, n int)');
                await client.query('INSERT INTO items (name, n) VALUES ($1, $2), ($3, $4)', ['a', 1, 'b', 2]);
                const rows = (await client.query('SELECT name, n FROM items ORDER BY id')).rows;
                const sum = (await client.query('SELECT $1::int + $2::int AS total', [40, 2])).rows[0].total;
                return { rows, sum };
              } finally {
                await client.end();
              }
            };
            """);

        Assert.Equal("""{"rows":[{"name":"a","n":1},{"name":"b","n":2}],"sum":42}""", result.Text());
    }

    [Fact]
    public async Task Mysql2QueriesMariaDb()
    {
        var directory = await npm.InstallAsync(new() { ["mysql2"] = "3.11.5" });

        var result = await RunAsync(directory, servers.MariaDb.Port, $$"""
            const mysql = require('mysql2/promise');
            module.exports = async () => {
              const connection = await mysql.createConnection({ host: '127.0.0.1', port: {{servers.MariaDb.Port}}, user: '{{MariaDbServer.User}}', password: '{{MariaDbServer.Password}}', database: '{{MariaDbServer.DefaultDatabase}}' });
              try {
                const [sum] = await connection.query('SELECT 40 + 2 AS total');
                const [rows] = await connection.execute('SELECT ? AS name, ? AS n', ['widget', 7]);
                return { total: Number(sum[0].total), rows };
              } finally {
                await connection.end();
              }
            };
            """);

        Assert.Equal("""{"total":42,"rows":[{"name":"widget","n":7}]}""", result.Text());
    }

    [Fact]
    public async Task IoredisSetsAndGetsOnRedis()
    {
        var directory = await npm.InstallAsync(new() { ["ioredis"] = "5.4.2" });

        var result = await RunAsync(directory, servers.Redis.Port, $$"""
            const Redis = require('ioredis');
            module.exports = async () => {
              const redis = new Redis({ host: '127.0.0.1', port: {{servers.Redis.Port}}, lazyConnect: true, maxRetriesPerRequest: 1 });
              await redis.connect();
              try {
                const key = 'granary:' + Math.random();
                await redis.set(key, 'hello', 'EX', 60);
                const value = await redis.get(key);
                const count = await redis.incrby(key + ':n', 5);
                return { value, count, pipeline: (await redis.pipeline().incr(key + ':n').get(key).exec()).map(([e, v]) => v) };
              } finally {
                await redis.quit();
              }
            };
            """);

        Assert.Equal("""{"value":"hello","count":5,"pipeline":[6,"hello"]}""", result.Text());
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

    /// <summary>PostgreSQL, MariaDB and redis-server, each on a free loopback port in a temporary directory, for this class.</summary>
    public sealed class Servers : IAsyncLifetime
    {
        public PostgresServer Postgres { get; } = new();

        public MariaDbServer MariaDb { get; } = new();

        public RedisServer Redis { get; } = new();

        public async ValueTask InitializeAsync()
        {
            await Postgres.StartAsync();
            await MariaDb.StartAsync();
            await Redis.StartAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await Postgres.DisposeAsync();
            await MariaDb.DisposeAsync();
            await Redis.DisposeAsync();
        }
    }
}
