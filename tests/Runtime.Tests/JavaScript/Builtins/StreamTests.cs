namespace Granary.Runtime.Tests.JavaScript.Builtins;

/// <summary>
/// require('stream') and require('stream/promises') (builtins/stream*.js, Node 20's own streams): buffering and
/// backpressure, object mode, pipeline, finished, Transform, Duplex, destroy and its errors, async iteration and the
/// operators behave, event for event, as Node's do.
/// </summary>
[Collection(nameof(BuiltinModules))]
public sealed class StreamTests(IsolatePoolFixture fixture) : NodeCaseTests<StreamTests>(fixture), INodeCases
{
    public static IReadOnlyList<NodeCase> NodeCases { get; } =
    [
        new(
            "ReadableAndWritableBufferApplyBackpressureAndEndLikeNode",
            """
            module.exports = async () => {
              const { Readable, Writable } = require('stream');
              const events = [];
              const r = new Readable({ highWaterMark: 4, read() {} });
              const pushes = [r.push('ab'), r.push('cd'), r.push('ef')];
              const state = [r.readableLength, r.readableHighWaterMark, r.readableFlowing, r.readableObjectMode];
              r.setEncoding('utf8');
              const reads = [r.read(3), r.read(), r.read()];
              r.push(null);
              r.on('end', () => events.push('end'));
              r.on('close', () => events.push('close'));
              r.resume();
              const w = new Writable({ highWaterMark: 3, write(chunk, enc, cb) { events.push('write:' + chunk.toString()); setTimeout(cb, 1); } });
              const writes = [w.write('x'), w.write('yz'), w.write('w')];
              const needDrain = w.writableNeedDrain;
              await new Promise((resolve) => w.once('drain', resolve));
              events.push('drain');
              w.end('last', () => events.push('end-cb'));
              w.on('finish', () => events.push('finish'));
              await new Promise((resolve) => w.on('close', resolve));
              const objects = new Readable({ objectMode: true, read() {} });
              objects.push({ a: 1 }); objects.push(2); objects.push('s'); objects.push(null);
              const got = [];
              for await (const o of objects) got.push(o);
              return { pushes, state, reads, writes, needDrain, events, got, flags: [w.writableFinished, w.destroyed, r.destroyed, objects.readableEnded] };
            };
            """,
            """
            {
              "pushes": [
                true,
                false,
                false
              ],
              "state": [
                6,
                4,
                null,
                false
              ],
              "reads": [
                "abc",
                "def",
                null
              ],
              "writes": [
                true,
                false,
                false
              ],
              "needDrain": true,
              "events": [
                "write:x",
                "end",
                "close",
                "write:yz",
                "write:w",
                "drain",
                "write:last",
                "end-cb",
                "finish"
              ],
              "got": [
                {
                  "a": 1
                },
                2,
                "s"
              ],
              "flags": [
                true,
                true,
                true,
                true
              ]
            }
            """),
        new(
            "PipelineTransformsFinishedAndStreamPromisesBehaveLikeNode",
            """
            module.exports = async () => {
              const { Readable, Transform, PassThrough, Writable, pipeline, finished } = require('stream');
              const { pipeline: pipelineAsync, finished: finishedAsync } = require('stream/promises');
              const log = [];
              const upper = new Transform({
                transform(chunk, enc, cb) { cb(null, chunk.toString().toUpperCase()); },
                flush(cb) { this.push('!'); cb(); },
              });
              const sink = [];
              await new Promise((resolve) => pipeline(Readable.from(['a', 'b']), upper, new PassThrough(), new Writable({ write(c, e, cb) { sink.push(c.toString()); cb(); } }), (err) => { log.push('done:' + err); resolve(); }));
              const failing = new Transform({ transform(chunk, enc, cb) { cb(new Error('boom')); } });
              const source = Readable.from(['x', 'y']);
              const err = await new Promise((resolve) => pipeline(source, failing, new PassThrough(), (e) => resolve(e)));
              log.push(err.message, source.destroyed, failing.destroyed);
              const p = new PassThrough();
              const fin = new Promise((resolve) => finished(p, (e) => resolve(e === undefined ? 'ok' : e.code)));
              p.resume(); p.end('z');
              log.push(await fin);
              const q = new PassThrough();
              const fin2 = new Promise((resolve) => finished(q, (e) => resolve(e && e.code)));
              q.destroy();
              log.push(await fin2);
              const gen = async function* (src) { for await (const c of src) yield c.toString() + c.toString(); };
              const out = [];
              await pipelineAsync(Readable.from(['1', '2']), gen, async function (src) { for await (const c of src) out.push(c); });
              const r = new PassThrough(); r.end('w'); r.resume();
              await finishedAsync(r);
              let rejected;
              try { await pipelineAsync(Readable.from(['q']), new Transform({ transform(c, e, cb) { cb(new TypeError('bad chunk')); } }), new PassThrough()); } catch (e) { rejected = [e.name, e.message]; }
              const ac = new AbortController();
              const aborted = pipelineAsync(new Readable({ read() {} }), new PassThrough(), { signal: ac.signal }).catch((e) => [e.name, e.code]);
              ac.abort();
              return { log, sink, out, rejected, aborted: await aborted };
            };
            """,
            """
            {
              "log": [
                "done:undefined",
                "boom",
                true,
                true,
                "ok",
                "ERR_STREAM_PREMATURE_CLOSE"
              ],
              "sink": [
                "A",
                "B",
                "!"
              ],
              "out": [
                "11",
                "22"
              ],
              "rejected": [
                "TypeError",
                "bad chunk"
              ],
              "aborted": [
                "AbortError",
                "ABORT_ERR"
              ]
            }
            """),
        new(
            "DuplexCorkDestroyErrorsAndOperatorsBehaveLikeNode",
            """
            module.exports = async () => {
              const { Duplex, Readable, Writable } = require('stream');
              const order = [];
              const d = new Duplex({
                read() { this.push('r'); this.push(null); },
                write(chunk, enc, cb) { order.push('w:' + chunk); cb(); },
                final(cb) { order.push('final'); cb(); },
              });
              d.on('data', (c) => order.push('data:' + c));
              d.on('end', () => order.push('end'));
              d.on('finish', () => order.push('finish'));
              d.on('close', () => order.push('close'));
              d.end('in');
              await new Promise((r) => d.on('close', r));
              const w = new Writable({ writev(chunks, cb) { order.push('writev:' + chunks.map((c) => c.chunk).join('|')); cb(); }, write(c, e, cb) { order.push('write:' + c); cb(); } });
              w.cork(); w.write('a'); w.write('b'); process.nextTick(() => w.uncork());
              await new Promise((r) => setTimeout(r, 2));
              const e1 = new Readable({ read() {} });
              const errs = [];
              e1.on('error', (e) => errs.push('error:' + e.message));
              e1.on('close', () => errs.push('close'));
              e1.destroy(new Error('gone'));
              await new Promise((r) => setTimeout(r, 2));
              const ended = new Writable({ write(c, e, cb) { cb(); } });
              ended.end();
              let after;
              ended.on('error', (e) => { after = [e.code, e.message]; });
              ended.write('late');
              await new Promise((r) => setTimeout(r, 2));
              const r2 = new Readable({ read() {} });
              r2.push('x'); r2.push(null);
              let pushAfter;
              r2.on('error', (e) => { pushAfter = [e.code, e.message]; });
              r2.push('y');
              await new Promise((r) => setTimeout(r, 2));
              const mapped = await Readable.from([1, 2, 3, 4]).filter((x) => x % 2 === 0).map((x) => x * 10).toArray();
              return { order, errs, after, pushAfter, mapped, isStream: [d instanceof Readable, d instanceof Duplex, typeof require('stream').Stream, require('stream').Readable === Readable] };
            };
            """,
            """
            {
              "order": [
                "w:in",
                "final",
                "data:r",
                "finish",
                "end",
                "close",
                "writev:a|b"
              ],
              "errs": [
                "error:gone",
                "close"
              ],
              "after": [
                "ERR_STREAM_WRITE_AFTER_END",
                "write after end"
              ],
              "pushAfter": [
                "ERR_STREAM_PUSH_AFTER_EOF",
                "stream.push() after EOF"
              ],
              "mapped": [
                20,
                40
              ],
              "isStream": [
                true,
                true,
                "function",
                true
              ]
            }
            """),

        new(
            "StreamConsumersReadStreamsAndIterablesWholeLikeNode",
            """
            module.exports = async () => {
              const { Readable } = require('stream');
              const consumers = require('stream/consumers');
              const euro = Buffer.from('€uro');
              const split = () => Readable.from([euro.subarray(0, 1), euro.subarray(1, 2), euro.subarray(2)]);
              return {
                text: await consumers.text(split()),
                json: await consumers.json(Readable.from(['{"a":', '[1,2]}'])),
                buffer: (await consumers.buffer(split())).toString('hex'),
                arrayBuffer: (await consumers.arrayBuffer(split())).byteLength,
                blob: await (await consumers.blob(Readable.from(['x', 'y']))).text(),
                generator: await consumers.text((async function* () { yield 'a'; yield 'b'; })()),
              };
            };
            """,
            """
            {
              "text": "€uro",
              "json": {
                "a": [
                  1,
                  2
                ]
              },
              "buffer": "e282ac75726f",
              "arrayBuffer": 6,
              "blob": "xy",
              "generator": "ab"
            }
            """),
    ];
}
