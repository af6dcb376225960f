using System.IO.Compression;
using System.Text.Json;
using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.JavaScript.Builtins;

/// <summary>
/// require('zlib') (builtins/zlib.js on Io/ZlibOperations.cs): what the isolate compresses, real Node decompresses and
/// the other way round, errors carry Node's codes, and a zip bomb stops at a limit instead of filling the host.
/// </summary>
[Collection(nameof(BuiltinModules))]
public sealed class ZlibTests(IsolatePoolFixture fixture)
{
    private const string Inputs = """
        const inputs = ['', 'hello', 'héllo €😀 '.repeat(3000), Array.from({ length: 20000 }, (_, i) => String(i * 7919 % 10007)).join(',')];
        """;

    [Fact]
    public async Task WhatTheIsolateCompressesNodeDecompresses()
    {
        var result = await RunAsync(fixture.Pool, $$"""
            {{Inputs}}
            module.exports = () => {
              const zlib = require('zlib');
              const out = [];
              for (const text of inputs) {
                out.push(['gunzip', zlib.gzipSync(text).toString('base64')], ['inflate', zlib.deflateSync(Buffer.from(text), { level: 9 }).toString('base64')],
                  ['inflateRaw', zlib.deflateRawSync(text, { level: 1 }).toString('base64')], ['unzip', zlib.gzipSync(text, { level: 0 }).toString('base64')],
                  ['brotliDecompress', zlib.brotliCompressSync(text, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } }).toString('base64')]);
              }
              return out;
            };
            """);
        Assert.Equal(200, result.StatusCode);

        var decompressed = await LiveNode.RunAsync($$"""
            {{Inputs}}
            const zlib = require('zlib');
            const out = {{result.Text()}}.map(([method, b64], i) => zlib[method + 'Sync'](Buffer.from(b64, 'base64')).toString() === inputs[Math.floor(i / 5)]);
            process.stdout.write(JSON.stringify(out));
            """);
        Assert.Equal(JsonSerializer.Serialize(Enumerable.Repeat(true, 20)), decompressed);
    }

    [Fact]
    public async Task WhatNodeCompressesTheIsolateDecompresses()
    {
        var compressed = await LiveNode.RunAsync($$"""
            {{Inputs}}
            const zlib = require('zlib');
            const out = [];
            for (const text of inputs) {
              const gz = zlib.gzipSync(text);
              out.push(['gunzip', gz.toString('base64')], ['gunzip', Buffer.concat([gz, zlib.gzipSync('tail')]).toString('base64')], ['inflate', zlib.deflateSync(text).toString('base64')],
                ['inflateRaw', zlib.deflateRawSync(text, { level: 9, strategy: zlib.constants.Z_HUFFMAN_ONLY }).toString('base64')], ['unzip', zlib.deflateSync(text).toString('base64')],
                ['brotliDecompress', zlib.brotliCompressSync(text).toString('base64')]);
            }
            process.stdout.write(JSON.stringify(out));
            """);

        var result = await RunAsync(fixture.Pool, $$"""
            {{Inputs}}
            module.exports = () => {
              const zlib = require('zlib');
              return {{compressed}}.map(([method, b64], i) => {
                let text;
                try { text = zlib[method + 'Sync'](Buffer.from(b64, 'base64')).toString(); } catch (e) { return [method, i, e.message]; }
                const expected = inputs[Math.floor(i / 6)] + (i % 6 === 1 ? 'tail' : '');
                return text === expected ? true : [method, i, text.length, expected.length];
              });
            };
            """);

        Assert.Equal(JsonSerializer.Serialize(Enumerable.Repeat(true, 24)), result.Text());
    }

    [Fact]
    public Task ErrorsCarryNodesCodesAndMessages() => LiveNode.AssertSameAsync(fixture.Pool, """
        const zlib = require('zlib');
        const t = (f) => { try { return f().length; } catch (e) { return [e.name, e.code, e.errno === undefined ? null : e.errno, e.message]; } };
        const gz = zlib.gzipSync(Buffer.alloc(1000, 7));
        const badCrc = Buffer.from(gz);
        badCrc[gz.length - 8] ^= 1;
        return [t(() => zlib.inflateSync(Buffer.from('hello world'))), t(() => zlib.gunzipSync(Buffer.from('hello world'))), t(() => zlib.unzipSync(Buffer.from('xx'))),
          t(() => zlib.gunzipSync(gz.subarray(0, 20))), t(() => zlib.gunzipSync(gz.subarray(0, gz.length - 3))), t(() => zlib.gunzipSync(badCrc)),
          t(() => zlib.inflateSync(zlib.deflateSync('x').subarray(0, 5))), t(() => zlib.inflateRawSync(zlib.deflateRawSync('hello').subarray(0, 3))), t(() => zlib.inflateSync(Buffer.alloc(0))),
          t(() => zlib.brotliDecompressSync(zlib.brotliCompressSync('hello').subarray(0, 3))),
          t(() => zlib.gunzipSync(zlib.gzipSync(Buffer.alloc(100000)), { maxOutputLength: 1000 })), t(() => zlib.gzipSync(42)), t(() => zlib.deflateSync('x', { level: 10 })),
          t(() => zlib.gzipSync(new Uint8Array([1, 2, 3]).buffer)), t(() => zlib.deflateSync(new DataView(new ArrayBuffer(4)))), zlib.constants.Z_BEST_COMPRESSION, zlib.Z_SYNC_FLUSH, zlib.codes.Z_DATA_ERROR];
        """);

    [Fact]
    public async Task StreamFormsCompressAndDecompressChunkByChunkThroughPipeline()
    {
        var compressed = await LiveNode.RunAsync($$"""
            {{Inputs}}
            const zlib = require('zlib');
            process.stdout.write(JSON.stringify({ gzip: zlib.gzipSync(inputs[3]).toString('base64'), br: zlib.brotliCompressSync(inputs[2]).toString('base64') }));
            """);

        var result = await RunAsync(fixture.Pool, $$"""
            {{Inputs}}
            module.exports = async () => {
              const zlib = require('zlib');
              const { pipeline } = require('stream/promises');
              const { Readable, Writable } = require('stream');
              const from = {{compressed}};
              const collect = () => { const chunks = []; const sink = new Writable({ write(c, e, cb) { chunks.push(c); cb(); } }); sink.chunks = chunks; return sink; };
              // A first piece of one byte (a header split across writes), then pieces of `size`.
              const pieces = (buffer, size) => Readable.from([buffer.subarray(0, 1)].concat(Array.from({ length: Math.ceil((buffer.length - 1) / size) }, (_, i) => buffer.subarray(1 + i * size, 1 + (i + 1) * size))));
              const gzipped = collect();
              await pipeline(Readable.from(inputs[3].match(/.{1,1000}/g)), zlib.createGzip({ level: 6 }), gzipped);
              const gunzipped = collect();
              await pipeline(pieces(Buffer.from(from.gzip, 'base64'), 1000), zlib.createGunzip(), gunzipped);
              const unbrotli = collect();
              await pipeline(pieces(Buffer.from(from.br, 'base64'), 100), zlib.createBrotliDecompress(), unbrotli);
              const inflated = collect();
              const deflate = zlib.createDeflate();
              deflate.write('part one, ');
              deflate.flush(() => deflate.end('part two'));
              await pipeline(deflate, zlib.createInflate(), inflated);
              let failure;
              try { await pipeline(Readable.from([Buffer.from('not gzip at all')]), zlib.createGunzip(), collect()); } catch (e) { failure = [e.code, e.errno, e.message]; }
              return {
                gzip: Buffer.concat(gzipped.chunks).toString('base64'),
                gunzip: Buffer.concat(gunzipped.chunks).toString() === inputs[3] && gunzipped.chunks.length > 1,
                brotli: Buffer.concat(unbrotli.chunks).toString() === inputs[2],
                flushed: Buffer.concat(inflated.chunks).toString(),
                failure,
                isTransform: zlib.createGzip() instanceof require('stream').Transform && new zlib.Gzip() instanceof zlib.Gzip,
              };
            };
            """);
        Assert.Equal(200, result.StatusCode);
        var json = result.JsonBody();
        Assert.True(json.GetProperty("gunzip").GetBoolean());
        Assert.True(json.GetProperty("brotli").GetBoolean());
        Assert.True(json.GetProperty("isTransform").GetBoolean());
        Assert.Equal("part one, part two", json.GetProperty("flushed").GetString());
        Assert.Equal("""["Z_DATA_ERROR",-3,"incorrect header check"]""", json.GetProperty("failure").GetRawText());

        var roundTrip = await LiveNode.RunAsync($$"""
            {{Inputs}}
            process.stdout.write(String(require('zlib').gunzipSync(Buffer.from('{{json.GetProperty("gzip").GetString()}}', 'base64')).toString() === inputs[3]));
            """);
        Assert.Equal("true", roundTrip);
    }

    [Fact]
    public async Task CallbackAndPromisifiedFormsAnswerLaterWithTheSameBytes()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = async () => {
              const zlib = require('zlib');
              const { promisify } = require('util');
              const order = [];
              const viaCallback = await new Promise((resolve, reject) => { zlib.deflate('abc', (err, out) => (err ? reject(err) : resolve(out))); order.push('called'); });
              order.push('answered');
              const gz = await promisify(zlib.gzip)('hello promise', { level: 1 });
              const failure = await promisify(zlib.gunzip)(Buffer.from('nope')).catch((e) => e.code);
              return { order, callback: zlib.inflateSync(viaCallback).toString(), promise: (await promisify(zlib.gunzip)(gz)).toString(), failure, isBuffer: Buffer.isBuffer(gz) };
            };
            """);

        Assert.Equal("""{"order":["called","answered"],"callback":"abc","promise":"hello promise","failure":"Z_DATA_ERROR","isBuffer":true}""", result.Text());
    }

    [Fact]
    public async Task AZipBombStopsAtTheFunctionsMemoryLimitAndTheIsolateGoesOn()
    {
        // 256 MiB of zeros gzip to about a quarter of a megabyte; the function's memory limit is 128 MiB.
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 256; i++)
            {
                await gzip.WriteAsync(zeros, TestContext.Current.CancellationToken);
            }
        }

        var result = await RunAsync(
            fixture.Pool,
            """
            module.exports = async (event) => {
              const zlib = require('zlib');
              const bomb = Buffer.from(event.bomb, 'base64');
              let error;
              try { zlib.gunzipSync(bomb); } catch (e) { error = [e.name, e.code, e.message]; }
              const streamed = await new Promise((resolve) => {
                const gunzip = zlib.createGunzip();
                gunzip.on('data', () => {});
                gunzip.on('error', (e) => resolve([e.name, e.code]));
                gunzip.on('end', () => resolve('inflated it all'));
                gunzip.end(bomb);
              });
              return { error, streamed, after: zlib.gunzipSync(zlib.gzipSync('still working')).toString() };
            };
            """,
            Json(JsonSerializer.Serialize(new { bomb = Convert.ToBase64String(compressed.ToArray()) })),
            s => s with { TimeoutSeconds = 120 });

        Assert.Equal(
            $$"""{"error":["RangeError","ERR_BUFFER_TOO_LARGE","Cannot create a Buffer larger than {{128 * 1024 * 1024}} bytes"],"streamed":["RangeError","ERR_BUFFER_TOO_LARGE"],"after":"still working"}""",
            result.Text());
    }
}
