namespace Granary.Gateway.Tests.Compatibility;

/// <summary>
/// The package families of issue 13's compatibility suite: per family one function that performs a real operation,
/// returns <c>{ result, refused }</c> (<c>refused</c>: what the same client got from a server the egress policy does not
/// allow, for the families that connect) and the exact <c>result</c> it must return in either isolation.
/// </summary>
internal static class PackageFamilies
{
    /// <summary>
    /// One dependency set for every pure-JavaScript family, so the suite runs one npm install for them all (functions
    /// that declare the same set share its install).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Packages = new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["axios"] = "1.21.1",
        ["csv-parse"] = "5.6.0",
        ["fast-xml-parser"] = "4.5.0",
        ["ioredis"] = "5.4.2",
        ["jsonwebtoken"] = "9.0.2",
        ["mysql2"] = "3.11.5",
        ["nanoid"] = "5.0.9",
        ["node-fetch"] = "2.7.0",
        ["pg"] = "8.13.1",
    };

    /// <summary>A package whose code is a native addon: napi-rs's CRC-32, its Linux binary an npm package of its own.</summary>
    public static readonly IReadOnlyDictionary<string, string> NativePackages = new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["@node-rs/crc32"] = "1.10.8",
    };

    /// <summary>The HS256 key of the JWT family; the test signs the same claims with .NET to check the token.</summary>
    public const string JwtSecret = "granary-compat-secret";

    // Each family's function reads the servers from the event (CompatibilityFixture.Event).
    private const string Refusal = "const reason = (e) => String(e && e.message);\n";

    public static readonly IReadOnlyDictionary<string, Family> All = new Dictionary<string, Family>(StringComparer.Ordinal)
    {
        ["axios"] = new(Packages, Refusal + """
            const axios = require('axios');
            module.exports = async (event) => {
              const got = await axios.get(`http://127.0.0.1:${event.http}/json`, { headers: { 'X-Probe': 'axios' } });
              let refused = null;
              try { await axios.get(`http://127.0.0.1:${event.refused}/json`); } catch (e) { refused = reason(e); }
              return { result: { status: got.status, server: got.headers['x-server'], data: got.data }, refused };
            };
            """, """{"status":200,"server":"allowed","data":{"probe":"axios"}}"""),

        ["node-fetch"] = new(Packages, Refusal + """
            const fetch = require('node-fetch');
            module.exports = async (event) => {
              const got = await fetch(`http://127.0.0.1:${event.http}/json`, { headers: { 'X-Probe': 'node-fetch' } });
              const echoed = await fetch(`http://127.0.0.1:${event.http}/echo`, { method: 'POST', body: 'payload', headers: { 'Content-Type': 'text/plain' } });
              let refused = null;
              try { await fetch(`http://127.0.0.1:${event.refused}/json`); } catch (e) { refused = reason(e); }
              return { result: { status: got.status, data: await got.json(), echo: [echoed.status, await echoed.text()] }, refused };
            };
            """, """{"status":200,"data":{"probe":"node-fetch"},"echo":[201,"POST text/plain payload"]}"""),

        ["http.get"] = new(Packages, Refusal + """
            const http = require('http');
            const get = (url) => new Promise((resolve, reject) => {
              http.get(url, { headers: { 'X-Probe': 'http.get' } }, (res) => {
                let body = '';
                res.setEncoding('utf8');
                res.on('data', (chunk) => { body += chunk; });
                res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], data: JSON.parse(body) }));
              }).on('error', reject);
            });
            module.exports = async (event) => {
              const result = await get(`http://127.0.0.1:${event.http}/json`);
              let refused = null;
              try { await get(`http://127.0.0.1:${event.refused}/json`); } catch (e) { refused = reason(e); }
              return { result, refused };
            };
            """, """{"status":200,"type":"application/json; charset=utf-8","data":{"probe":"http.get"}}"""),

        ["stream+zlib"] = new(Packages, """
            const { Readable, Transform, Writable } = require('stream');
            const { pipeline } = require('stream/promises');
            const zlib = require('zlib');
            module.exports = async () => {
              const text = 'granary compatibility '.repeat(5000);
              const pieces = [text.slice(0, 30000), text.slice(30000, 70000), text.slice(70000)];
              const gzipped = [];
              await pipeline(
                Readable.from(pieces),
                new Transform({ transform(chunk, _, done) { done(null, String(chunk).toUpperCase()); } }),
                zlib.createGzip(),
                new Writable({ write(chunk, _, done) { gzipped.push(chunk); done(); } }));
              const gz = Buffer.concat(gzipped);
              let back = '';
              for await (const chunk of Readable.from([gz.subarray(0, 10), gz.subarray(10)]).pipe(zlib.createGunzip())) back += chunk;
              return { result: {
                magic: gz.subarray(0, 2).toString('hex'),
                roundTrip: back === text.toUpperCase(),
                sync: zlib.gunzipSync(gz).length,
                compressed: gz.length < 1000,
                deflate: zlib.inflateSync(zlib.deflateSync(Buffer.from('abc'))).toString(),
              } };
            };
            """, """{"magic":"1f8b","roundTrip":true,"sync":110000,"compressed":true,"deflate":"abc"}"""),

        ["jsonwebtoken"] = new(Packages, $$"""
            const jwt = require('jsonwebtoken');
            module.exports = async () => {
              const token = jwt.sign({ sub: '42', name: 'Ada' }, '{{JwtSecret}}', { algorithm: 'HS256', noTimestamp: true });
              const verified = jwt.verify(token, '{{JwtSecret}}', { algorithms: ['HS256'] });
              let wrongKey;
              try { jwt.verify(token, 'another-secret'); } catch (e) { wrongKey = `${e.name}: ${e.message}`; }
              return { result: { token, verified, wrongKey } };
            };
            """, null),

        ["fast-xml-parser"] = new(Packages, """
            const { XMLParser, XMLBuilder } = require('fast-xml-parser');
            module.exports = async () => {
              const xml = '<order id="7"><item sku="a" qty="2"/><item sku="b" qty="3"/><note>fragile &amp; heavy</note></order>';
              const options = { ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: true };
              const order = new XMLParser(options).parse(xml).order;
              return { result: {
                id: order.id,
                skus: order.item.map((i) => i.sku),
                total: order.item.reduce((n, i) => n + i.qty, 0),
                note: order.note,
                built: new XMLBuilder({ ignoreAttributes: false }).build({ a: { '@_x': 1, b: 'c' } }),
              } };
            };
            """, """"{"id":7,"skus":["a","b"],"total":5,"note":"fragile & heavy","built":"<a x=\"1\"><b>c</b></a>"}""""),

        ["csv-parse"] = new(Packages, """"
            const { parse } = require('csv-parse');
            const { parse: parseSync } = require('csv-parse/sync');
            const { Readable } = require('stream');
            module.exports = async () => {
              const csv = 'name,qty\nwidget,2\n"gadget, large",3\n"say ""hi""",4\n';
              const rows = parseSync(csv, { columns: true, cast: true });
              const streamed = [];
              for await (const record of Readable.from([csv.slice(0, 13), csv.slice(13)]).pipe(parse({ columns: true }))) streamed.push(record.name);
              return { result: { rows, streamed, total: rows.reduce((n, r) => n + r.qty, 0) } };
            };
            """", """{"rows":[{"name":"widget","qty":2},{"name":"gadget, large","qty":3},{"name":"say \"hi\"","qty":4}],"streamed":["widget","gadget, large","say \"hi\""],"total":9}"""),

        ["pg"] = new(Packages, Refusal + """
            const { Client } = require('pg');
            module.exports = async (event) => {
              const client = new Client(event.pg);
              await client.connect();
              let result;
              try {
                await client.query('CREATE TEMP TABLE items (id serial PRIMARY KEY, name text NOT NULL, n int)');
                await client.query('INSERT INTO items (name, n) VALUES ($1, $2), ($3, $4)', ['a', 1, 'b', 2]);
                const rows = (await client.query('SELECT name, n FROM items ORDER BY id')).rows;
                const sum = (await client.query('SELECT $1::int + $2::int AS total', [40, 2])).rows[0].total;
                result = { rows, sum };
              } finally {
                await client.end();
              }
              let refused = null;
              const other = new Client({ ...event.pg, port: event.refused });
              try { await other.connect(); await other.end(); } catch (e) { refused = reason(e); }
              return { result, refused };
            };
            """, """{"rows":[{"name":"a","n":1},{"name":"b","n":2}],"sum":42}"""),

        ["mysql2"] = new(Packages, Refusal + """
            const mysql = require('mysql2/promise');
            module.exports = async (event) => {
              const connection = await mysql.createConnection(event.mysql);
              let result;
              try {
                const [sum] = await connection.query('SELECT 40 + 2 AS total');
                const [rows] = await connection.execute('SELECT ? AS name, ? AS n', ['widget', 7]);
                result = { total: Number(sum[0].total), rows };
              } finally {
                await connection.end();
              }
              let refused = null;
              try { await (await mysql.createConnection({ ...event.mysql, port: event.refused })).end(); } catch (e) { refused = reason(e); }
              return { result, refused };
            };
            """, """{"total":42,"rows":[{"name":"widget","n":7}]}"""),

        ["ioredis"] = new(Packages, Refusal + """
            const Redis = require('ioredis');
            module.exports = async (event) => {
              const redis = new Redis({ ...event.redis, lazyConnect: true, maxRetriesPerRequest: 1 });
              await redis.connect();
              let result;
              try {
                const key = 'granary:' + Math.random();
                await redis.set(key, 'hello', 'EX', 60);
                const value = await redis.get(key);
                const count = await redis.incrby(key + ':n', 5);
                result = { value, count, pipeline: (await redis.pipeline().incr(key + ':n').get(key).exec()).map(([, v]) => v) };
              } finally {
                await redis.quit();
              }
              let refused = null;
              const other = new Redis({ host: '127.0.0.1', port: event.refused, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
              // ioredis rejects connect() with 'Connection is closed.' and reports why on its 'error' event.
              other.on('error', (e) => { refused = refused || reason(e); });
              try { await other.connect(); await other.quit(); } catch (e) { refused = refused || reason(e); }
              return { result, refused };
            };
            """, """{"value":"hello","count":5,"pipeline":[6,"hello"]}"""),

        ["nanoid (ESM)"] = new(Packages, """
            import { nanoid, customAlphabet } from 'nanoid';
            const digits = customAlphabet('0123456789', 6);
            export default async () => {
              const ids = new Set(Array.from({ length: 100 }, () => nanoid()));
              return { result: { size: ids.size, urlSafe: [...ids].every((id) => /^[A-Za-z0-9_-]{21}$/.test(id)), digits: /^[0-9]{6}$/.test(digits()) } };
            };
            """, """{"size":100,"urlSafe":true,"digits":true}"""),

        ["nanoid (import() from CommonJS)"] = new(Packages, """
            module.exports = async () => {
              const { nanoid } = await import('nanoid');
              return { result: { length: nanoid().length, sized: nanoid(10).length } };
            };
            """, """{"length":21,"sized":10}"""),

        ["native addon"] = new(NativePackages, """
            const { crc32 } = require('@node-rs/crc32');
            module.exports = async () => ({ result: { crc: crc32('hello granary') } });
            """, """{"crc":173665052}"""),
    };

    /// <summary>
    /// A family's function: its dependency set, its code and the exact <c>result</c> it returns (null when the test
    /// checks the result itself).
    /// </summary>
    public sealed record Family(IReadOnlyDictionary<string, string> Dependencies, string Code, string? Expected);
}
