using Granary.Functions;
using Granary.Runtime.JavaScript;
using Granary.Runtime.Tests.JavaScript;
using Granary.Runtime.Tests.JavaScript.Builtins;
using Microsoft.Extensions.Logging.Abstractions;
using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.Packages;

/// <summary>
/// Real npm packages that need Node's built-ins, installed from the registry and run in the isolate: each returns
/// what the same code returns in Node 20 (with the same package versions). Packages that also need the host-backed
/// built-ins (http, net, tls, dns, zlib) are the compatibility suite's.
/// </summary>
public sealed class NodePackagesTests(NpmPackagesTests.Fixture npm, IsolatePoolFixture isolates)
    : IClassFixture<NpmPackagesTests.Fixture>, IClassFixture<IsolatePoolFixture>
{
    [Fact]
    public async Task JsonwebtokenSignsAndVerifiesHs256TokensAsInNode()
    {
        var directory = await npm.InstallAsync(new() { ["jsonwebtoken"] = "9.0.3" });

        var result = await RunWithPackagesAsync("""
            module.exports = async () => {
              const jwt = require('jsonwebtoken');
              const token = jwt.sign({ sub: 'u1', role: 'admin' }, 'secret', { algorithm: 'HS256', noTimestamp: true, expiresIn: 60, header: { kid: 'k1' } });
              const parts = token.split('.');
              const verified = jwt.verify(token, 'secret', { algorithms: ['HS256'] });
              const decoded = jwt.decode(token, { complete: true });
              const failures = [];
              for (const check of [() => jwt.verify(token, 'wrong'), () => jwt.verify(token, 'secret', { algorithms: ['HS512'] }), () => jwt.verify('a.b.c', 'secret')]) {
                try { check(); failures.push('verified'); } catch (e) { failures.push([e.name, e.message]); }
              }
              const signed = await new Promise((resolve, reject) => jwt.sign({ n: 1 }, Buffer.from('k'), { noTimestamp: true }, (err, t) => (err ? reject(err) : resolve(t))));
              return { header: parts[0], payloadKeys: Object.keys(verified).sort(), sub: verified.sub, decodedHeader: decoded.header, failures, signed };
            };
            """, directory);

        NodeCase.AssertNodeOutput(result, """
            {
              "header": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0",
              "payloadKeys": [
                "exp",
                "role",
                "sub"
              ],
              "sub": "u1",
              "decodedHeader": {
                "alg": "HS256",
                "typ": "JWT",
                "kid": "k1"
              },
              "failures": [
                [
                  "JsonWebTokenError",
                  "invalid signature"
                ],
                [
                  "JsonWebTokenError",
                  "invalid algorithm"
                ],
                [
                  "JsonWebTokenError",
                  "invalid token"
                ]
              ],
              "signed": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJuIjoxfQ.cvXPkjGRpvFSWXZMKzBFtjXhYXI-f5vXGGlc7Is7198"
            }
            """);
    }

    // The PostgreSQL and Redis wire formats (pg's pg-protocol, ioredis's redis-parser) are built and parsed with
    // Buffer, stream and string_decoder, a message split across chunks as sockets deliver them.
    [Fact]
    public async Task PostgresAndRedisWireProtocolsBuildAndParseAsInNode()
    {
        var directory = await npm.InstallAsync(new() { ["pg-protocol"] = "1.16.1", ["redis-parser"] = "3.0.0" });

        var result = await RunWithPackagesAsync("""
            module.exports = async () => {
              const { serialize, parse } = require('pg-protocol');
              const { PassThrough } = require('stream');
              const startup = serialize.startup({ user: 'app', database: 'shop' });
              const bind = serialize.bind({ portal: '', statement: 's1', values: ['a', null, Buffer.from([1, 2]), 42], valueMapper: (v) => (typeof v === 'number' ? String(v) : v) });
              const int16 = (n) => { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; };
              const int32 = (n) => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };
              const msg = (type, ...parts) => { const body = Buffer.concat(parts); return Buffer.concat([Buffer.from(type), int32(body.length + 4), body]); };
              const row = Buffer.concat([
                msg('T', int16(1), Buffer.from('one\0'), int32(0), int16(0), int32(23), int16(4), int32(-1), int16(0)),
                msg('D', int16(1), int32(2), Buffer.from('42')),
                msg('C', Buffer.from('SELECT 1\0')),
                msg('Z', Buffer.from('I')),
              ]);
              const stream = new PassThrough();
              const messages = [];
              const done = parse(stream, (m) => messages.push({ name: m.name, fields: m.name === 'rowDescription' ? m.fields.map((f) => [f.name, f.dataTypeID, f.dataTypeSize]) : m.fields, text: m.text, status: m.status }));
              stream.write(row.subarray(0, 10));
              stream.write(row.subarray(10));
              stream.end();
              await done;
              const RedisParser = require('redis-parser');
              const replies = [];
              const parser = new RedisParser({ returnReply: (r) => replies.push(Buffer.isBuffer(r) ? ['buffer', r.toString()] : r), returnError: (e) => replies.push(['error', e.name, e.message]) });
              parser.execute(Buffer.from('+OK\r\n:42\r\n$5\r\nhel'));
              parser.execute(Buffer.from('lo\r\n*2\r\n$1\r\na\r\n:-1\r\n-ERR wrong type\r\n$-1\r\n'));
              return { startup: Buffer.from(startup).toString('hex'), bind: Buffer.from(bind).toString('hex'), messages, replies };
            };
            """, directory);

        NodeCase.AssertNodeOutput(result, """
            {
              "startup": "000000350003000075736572006170700064617461626173650073686f7000636c69656e745f656e636f64696e6700555446380000",
              "bind": "420000002d007331000004000000000001000000040000000161ffffffff00000002010200000002343200010000",
              "messages": [
                {
                  "name": "rowDescription",
                  "fields": [
                    [
                      "one",
                      23,
                      4
                    ]
                  ]
                },
                {
                  "name": "dataRow",
                  "fields": [
                    "42"
                  ]
                },
                {
                  "name": "commandComplete",
                  "text": "SELECT 1"
                },
                {
                  "name": "readyForQuery",
                  "status": "I"
                }
              ],
              "replies": [
                "OK",
                42,
                "hello",
                [
                  "a",
                  -1
                ],
                [
                  "error",
                  "ReplyError",
                  "ERR wrong type"
                ],
                null
              ]
            }
            """);
    }

    private async Task<ExecutionResult> RunWithPackagesAsync(string code, string packagesRoot)
    {
        await using var function = new JavaScriptFunction(Definition(code), isolates.Pool, Limits, NullLogger.Instance, packagesRoot: packagesRoot);
        var error = await function.WarmUpAsync();
        Assert.Null(error);
        var result = await function.InvokeAsync(new InvocationRequest { Method = "GET" });
        Assert.True(result.StatusCode == 200, result.Text());
        return result;
    }
}
