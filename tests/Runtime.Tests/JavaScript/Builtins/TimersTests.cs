namespace Granary.Runtime.Tests.JavaScript.Builtins;

/// <summary>
/// require('timers') and require('timers/promises') (builtins/timers.js): the isolate's own timers, with Node's
/// ref/unref/hasRef/refresh, and their promise forms, aborted by an AbortSignal as Node's are.
/// </summary>
[Collection(nameof(BuiltinModules))]
public sealed class TimersTests(IsolatePoolFixture fixture) : NodeCaseTests<TimersTests>(fixture), INodeCases
{
    public static IReadOnlyList<NodeCase> NodeCases { get; } =
    [
        new(
            "TimersAndTheirPromisesRefAbortIterateAndPromisifyLikeNode",
            """
            module.exports = async () => {
              const timers = require('timers');
              const tp = require('timers/promises');
              const util = require('util');
              const log = [];
              const t = timers.setTimeout(() => log.push('timeout'), 1);
              const refs = [t.hasRef(), t.unref() === t, t.hasRef(), t.ref().hasRef(), typeof t.refresh, t.refresh() === t];
              const i = setImmediate(() => log.push('immediate'));
              const imm = [typeof i.hasRef, typeof i.refresh, i.unref().hasRef()];
              const value = await tp.setTimeout(2, 'v');
              const immediate = await tp.setImmediate('i');
              const ac = new AbortController();
              const aborted = tp.setTimeout(1000, 'never', { signal: ac.signal }).catch((e) => [e.name, e.code, e.message, e.cause && e.cause.name]);
              ac.abort();
              const pre = await tp.setTimeout(1, 'x', { signal: AbortSignal.abort('why') }).catch((e) => [e.name, e.cause]);
              const bad = await tp.setTimeout(1, 'x', { ref: 'yes' }).catch((e) => [e.code, e.message]);
              const ticks = [];
              for await (const v of tp.setInterval(1, 'tick')) { ticks.push(v); if (ticks.length === 3) break; }
              const ac2 = new AbortController();
              const it = tp.setInterval(1, 'z', { signal: ac2.signal });
              const first = await it.next();
              ac2.abort();
              const next = await it.next().catch((e) => e.name);
              const promisified = await util.promisify(setTimeout)(1, 'p');
              const same = [timers.setTimeout === setTimeout, util.promisify(setTimeout) === tp.setTimeout, setTimeout.name, timers.promises === tp];
              await tp.scheduler.wait(1);
              const cleared = [];
              // Waits for the second tick (however late a busy machine makes it), then long enough for a third.
              await new Promise((done) => { const c = setInterval(() => { cleared.push('i'); if (cleared.length === 2) { clearInterval(c); done(); } }, 1); });
              await tp.setTimeout(20);
              log.sort();
              return { log, refs, imm, value, immediate, aborted: await aborted, pre, bad, ticks, first, next, promisified, same, cleared, keys: Object.keys(tp).sort(), timerKeys: Object.keys(timers).filter((k) => !k.startsWith('_') && !['active', 'unenroll', 'enroll'].includes(k)).sort() };
            };
            """,
            """
            {
              "log": [
                "immediate",
                "timeout"
              ],
              "refs": [
                true,
                true,
                false,
                true,
                "function",
                true
              ],
              "imm": [
                "function",
                "undefined",
                false
              ],
              "value": "v",
              "immediate": "i",
              "aborted": [
                "AbortError",
                "ABORT_ERR",
                "The operation was aborted",
                "AbortError"
              ],
              "pre": [
                "AbortError",
                "why"
              ],
              "bad": [
                "ERR_INVALID_ARG_TYPE",
                "The \"options.ref\" property must be of type boolean. Received type string ('yes')"
              ],
              "ticks": [
                "tick",
                "tick",
                "tick"
              ],
              "first": {
                "value": "z",
                "done": false
              },
              "next": "AbortError",
              "promisified": "p",
              "same": [
                true,
                true,
                "setTimeout",
                true
              ],
              "cleared": [
                "i",
                "i"
              ],
              "keys": [
                "scheduler",
                "setImmediate",
                "setInterval",
                "setTimeout"
              ],
              "timerKeys": [
                "clearImmediate",
                "clearInterval",
                "clearTimeout",
                "promises",
                "setImmediate",
                "setInterval",
                "setTimeout"
              ]
            }
            """),
    ];
}
