using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.JavaScript.Builtins;

/// <summary>
/// require('events') (builtins/events.js): an EventEmitter adds, orders and removes listeners, throws unhandled
/// errors and warns about leaks as Node 20's does, and events.once awaits or rejects.
/// </summary>
[Collection(nameof(BuiltinModules))]
public sealed class EventsTests(IsolatePoolFixture fixture) : NodeCaseTests<EventsTests>(fixture), INodeCases
{
    [Fact]
    public async Task EventEmitterWarnsOnceWhenListenersExceedTheMaximum()
    {
        var result = await RunAsync(Pool, """
            module.exports = () => {
              const EventEmitter = require('events');
              const e = new EventEmitter();
              e.setMaxListeners(2);
              for (let i = 0; i < 4; i++) e.on('leak', () => {});
              return e.listenerCount('leak');
            };
            """);

        Assert.Equal("4", result.Text());
        var warning = Assert.Single(result.Logs);
        Assert.Equal("warn", warning.Level);
        Assert.Equal(
            "MaxListenersExceededWarning: Possible EventEmitter memory leak detected. 3 leak listeners added to [EventEmitter]. MaxListeners is 2. Use emitter.setMaxListeners() to increase limit",
            warning.Message);
    }

    public static IReadOnlyList<NodeCase> NodeCases { get; } =
    [
        new(
            "EventEmitterAddsOrdersAndRemovesListenersLikeNode",
            """
            module.exports = () => {
              const EventEmitter = require('events');
              const e = new EventEmitter();
              const log = [];
              const a = (x) => log.push('a' + x), b = (x) => log.push('b' + x);
              e.on('ev', a); e.addListener('ev', b); e.prependListener('ev', (x) => log.push('first' + x)); e.once('ev', (x) => log.push('once' + x)); e.prependOnceListener('ev', (x) => log.push('ponce' + x));
              const emitted = [e.emit('ev', 1), e.emit('ev', 2), e.emit('none')];
              const counts = [e.listenerCount('ev'), e.listenerCount('ev', a), e.listeners('ev').length, e.rawListeners('ev').length, e.eventNames()];
              e.off('ev', a); e.removeListener('ev', b);
              const after = e.listenerCount('ev');
              e.on('x', a); e.on('y', b); e.removeAllListeners('x');
              const names = [e.eventNames()];
              e.removeAllListeners();
              names.push(e.eventNames());
              const meta = [];
              e.on('newListener', (n) => meta.push(n)); e.on('removeListener', (n) => meta.push('rm:' + String(n))); e.on('z', a); e.off('z', a);
              const max = [e.getMaxListeners(), e.setMaxListeners(1) === e, e.getMaxListeners(), EventEmitter.defaultMaxListeners];
              const e2 = new EventEmitter();
              e2.on(Symbol('s'), () => {}); e2.on('s', () => {});
              const thisArg = [];
              e2.on('t', function () { thisArg.push(this === e2); }); e2.emit('t');
              class Sub extends EventEmitter { constructor() { super(); this.tag = 'sub'; } }
              const sub = new Sub();
              let got;
              sub.once('hello', (v, w) => { got = [v, w]; }); sub.emit('hello', 1, 2); sub.emit('hello', 3, 4);
              const e3 = new EventEmitter(); const fn = () => {}; e3.once('q', fn);
              const onceWrapped = [e3.listeners('q')[0] === fn, e3.rawListeners('q')[0] === fn, e3.rawListeners('q')[0].listener === fn];
              const order = []; const e4 = new EventEmitter();
              const first = () => { order.push('first'); e4.removeListener('x', second); }; const second = () => order.push('second');
              e4.on('x', first); e4.on('x', second); e4.emit('x'); e4.emit('x');
              return {
                log, emitted, counts, after, names, meta, max, symbolNames: e2.eventNames().map(String), thisArg, got, onceWrapped, order, json: JSON.stringify(new EventEmitter()),
                statics: [typeof EventEmitter.once, EventEmitter.EventEmitter === EventEmitter, String(EventEmitter.errorMonitor), EventEmitter.listenerCount(e2, 's'), EventEmitter.getEventListeners(e2, 's').length],
              };
            };
            """,
            """
            {
              "log": ["ponce1", "first1", "a1", "b1", "once1", "first2", "a2", "b2"],
              "emitted": [true, true, false],
              "counts": [3, 1, 3, 3, ["ev"]],
              "after": 1,
              "names": [["ev", "y"], []],
              "meta": ["removeListener", "z", "rm:z"],
              "max": [10, true, 1, 10],
              "symbolNames": ["s", "t", "Symbol(s)"],
              "thisArg": [true],
              "got": [1, 2],
              "onceWrapped": [true, false, true],
              "order": ["first", "second", "first"],
              "json": "{\"_events\":{},\"_eventsCount\":0}",
              "statics": ["function", true, "Symbol(events.errorMonitor)", 1, 1]
            }
            """),
        new(
            "EmitterThrowsUnhandledErrorsAndOnceAwaitsOrRejects",
            """
            module.exports = async () => {
              const { EventEmitter, once, errorMonitor } = require('events');
              const e = new EventEmitter();
              const thrown = [() => e.emit('error', new TypeError('boom')), () => e.emit('error', 'str'), () => e.emit('error', { x: 1 }), () => e.emit('error'), () => e.on('x', 42), () => e.setMaxListeners(-1)]
                .map((f) => { try { return f(); } catch (er) { return [er.name, er.code, er.message, er.context === undefined ? 'no context' : er.context]; } });
              const monitored = [];
              e.on(errorMonitor, (er) => monitored.push('monitor:' + er.message));
              try { e.emit('error', new Error('m1')); } catch (er) { monitored.push('thrown:' + er.message); }
              e.on('error', (er) => monitored.push('handled:' + er.message));
              monitored.push(e.emit('error', new Error('m2')));
              const e2 = new EventEmitter();
              setTimeout(() => e2.emit('ready', 1, 'two'), 1);
              const args = await once(e2, 'ready');
              const e3 = new EventEmitter();
              setTimeout(() => e3.emit('error', new Error('failed')), 1);
              let rejected;
              try { await once(e3, 'ready'); } catch (er) { rejected = er.message; }
              const leftover = [e2.listenerCount('ready'), e2.listenerCount('error'), e3.listenerCount('ready'), e3.listenerCount('error')];
              let badEmitter;
              try { await once({}, 'x'); } catch (er) { badEmitter = [er.code, er.message]; }
              return { thrown, monitored, args, rejected, leftover, badEmitter };
            };
            """,
            """
            {
              "thrown": [
                ["TypeError", null, "boom", "no context"],
                ["Error", "ERR_UNHANDLED_ERROR", "Unhandled error. ('str')", "str"],
                ["Error", "ERR_UNHANDLED_ERROR", "Unhandled error. ({ x: 1 })", {"x": 1}],
                ["Error", "ERR_UNHANDLED_ERROR", "Unhandled error. (undefined)", "no context"],
                ["TypeError", "ERR_INVALID_ARG_TYPE", "The \"listener\" argument must be of type function. Received type number (42)", "no context"],
                ["RangeError", "ERR_OUT_OF_RANGE", "The value of \"setMaxListeners\" is out of range. It must be >= 0. Received -1", "no context"]
              ],
              "monitored": ["monitor:m1", "thrown:m1", "monitor:m2", "handled:m2", true],
              "args": [1, "two"],
              "rejected": "failed",
              "leftover": [0, 0, 0, 0],
              "badEmitter": ["ERR_INVALID_ARG_TYPE", "The \"emitter\" argument must be an instance of EventEmitter. Received an instance of Object"]
            }
            """,
            json => Assert.Equal("Unhandled error. ('str')", json.GetProperty("thrown")[1][2].GetString())),
        new(
            "EventEmitterCapturesRejectionsMonitorsErrorsAndItsStaticsAwaitIterateAndAbortLikeNode",
            """
            module.exports = async () => {
              const events = require('events');
              const { EventEmitter, once, on, getEventListeners, errorMonitor } = events;
              const log = [];
              const captured = new EventEmitter({ captureRejections: true });
              captured.on('job', async () => { throw new Error('async failure'); });
              captured.on('error', (e) => log.push('error:' + e.message));
              captured.emit('job');
              await new Promise((r) => setTimeout(r, 1));
              const custom = new EventEmitter({ captureRejections: true });
              custom[EventEmitter.captureRejectionSymbol] = (err, type, ...args) => log.push(`custom:${err.message}:${type}:${args.join(',')}`);
              custom.on('job', async () => { throw new Error('x'); });
              custom.emit('job', 1, 2);
              await new Promise((r) => setTimeout(r, 1));
              const monitored = new EventEmitter();
              monitored.on(errorMonitor, (e) => log.push('monitor:' + e.message));
              monitored.on('error', () => log.push('handled'));
              monitored.emit('error', new Error('m'));
              const e = new EventEmitter();
              setTimeout(() => e.emit('ready', 1, 2), 1);
              const args = await once(e, 'ready');
              setTimeout(() => e.emit('error', new Error('failed first')), 1);
              const rejected = await once(e, 'never').catch((err) => err.message);
              const ac = new AbortController();
              const aborted = once(e, 'never', { signal: ac.signal }).catch((err) => [err.name, err.code]);
              ac.abort();
              const iterated = [];
              const source = new EventEmitter();
              setTimeout(() => { source.emit('tick', 'a'); source.emit('tick', 'b'); source.emit('tick', 'c'); }, 1);
              for await (const [v] of on(source, 'tick')) { iterated.push(v); if (iterated.length === 3) break; }
              const target = new EventTarget();
              const l1 = () => {};
              target.addEventListener('foo', l1);
              events.setMaxListeners(5, target, e);
              const abortController = new AbortController();
              let abortedListener = 0;
              events.addAbortListener(abortController.signal, () => { abortedListener++; });
              abortController.abort();
              return {
                log, args, rejected, aborted: await aborted, iterated, afterBreak: source.listenerCount('tick'),
                eventTarget: [getEventListeners(target, 'foo').length, getEventListeners(target, 'foo')[0] === l1, events.getMaxListeners(target), events.getMaxListeners(e), e.getMaxListeners()],
                abortedListener,
                names: Object.getOwnPropertyNames(events).filter((n) => !['length', 'name', 'prototype'].includes(n)).sort(),
                asyncResource: new events.EventEmitterAsyncResource({ name: 'r' }) instanceof EventEmitter,
              };
            };
            """,
            """
            {
              "log": [
                "error:async failure",
                "custom:x:job:1,2",
                "monitor:m",
                "handled"
              ],
              "args": [
                1,
                2
              ],
              "rejected": "failed first",
              "aborted": [
                "AbortError",
                "ABORT_ERR"
              ],
              "iterated": [
                "a",
                "b",
                "c"
              ],
              "afterBreak": 0,
              "eventTarget": [
                1,
                true,
                5,
                5,
                5
              ],
              "abortedListener": 1,
              "names": [
                "EventEmitter",
                "EventEmitterAsyncResource",
                "addAbortListener",
                "captureRejectionSymbol",
                "captureRejections",
                "defaultMaxListeners",
                "errorMonitor",
                "getEventListeners",
                "getMaxListeners",
                "init",
                "kMaxEventTargetListeners",
                "kMaxEventTargetListenersWarned",
                "listenerCount",
                "on",
                "once",
                "setMaxListeners",
                "usingDomains"
              ],
              "asyncResource": true
            }
            """),
    ];
}
