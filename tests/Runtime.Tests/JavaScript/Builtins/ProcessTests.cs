using System.Collections.Immutable;
using Granary.Functions;
using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.JavaScript.Builtins;

/// <summary>
/// The process global and require('process') (builtins/process.js): nextTick runs before promise callbacks as in
/// Node, warnings are emitted and logged, and the object answers what libraries probe; nothing of it reaches the host.
/// </summary>
[Collection(nameof(BuiltinModules))]
public sealed class ProcessTests(IsolatePoolFixture fixture) : NodeCaseTests<ProcessTests>(fixture), INodeCases
{
    [Fact]
    public async Task ProcessRevealsNothingOfTheHostAndCannotEndOrSignalIt()
    {
        var result = await RunAsync(Pool, """
            module.exports = () => {
              const attempts = {};
              for (const name of ['exit', 'reallyExit', 'abort', 'kill', 'dlopen', 'binding', 'chdir']) {
                try { process[name](1); attempts[name] = 'ran'; } catch (e) { attempts[name] = e.message; }
              }
              return {
                attempts, env: process.env, argv: process.argv, pid: process.pid, ppid: process.ppid, cwd: process.cwd(), execPath: process.execPath,
                ids: [process.getuid(), process.getgid()], node: process.versions.node, version: process.version, memory: process.memoryUsage(),
              };
            };
            """, configure: s => s with { Env = ImmutableDictionary<string, string>.Empty.Add("GREETING", "hi") });

        NodeCase.AssertNodeOutput(result, """
            {
              "attempts": {
                "exit": "process.exit() is not available to functions",
                "reallyExit": "process.exit() is not available to functions",
                "abort": "process.abort() is not available to functions",
                "kill": "process.kill() is not available to functions",
                "dlopen": "process.dlopen() is not available to functions",
                "binding": "process.binding() is not available to functions",
                "chdir": "process.chdir() is not available to functions"
              },
              "env": {
                "GREETING": "hi"
              },
              "argv": [
                "/usr/local/bin/node",
                "/function/fn.js"
              ],
              "pid": 1,
              "ppid": 0,
              "cwd": "/",
              "execPath": "/usr/local/bin/node",
              "ids": [
                1000,
                1000
              ],
              "node": "20.20.0",
              "version": "v20.20.0",
              "memory": {
                "rss": 0,
                "heapTotal": 0,
                "heapUsed": 0,
                "external": 0,
                "arrayBuffers": 0
              }
            }
            """);
    }

    [Fact]
    public async Task StdoutAndStderrWriteLinesToTheInvocationLog()
    {
        var result = await RunAsync(Pool, """
            module.exports = () => {
              process.stdout.write('one\ntw');
              process.stdout.write('o\n');
              process.stderr.write(Buffer.from('oops\n'));
              return [process.stdout.isTTY, process.stdout.fd, process.stderr.fd];
            };
            """);

        Assert.Equal("[false,1,2]", result.Text());
        Assert.Equal(["log:one", "log:two", "error:oops"], result.Logs.Select(l => $"{l.Level}:{l.Message}"));
    }

    [Fact]
    public async Task ATickThatQueuesItselfForeverIsInterruptedAtTheTimeout()
    {
        await using var function = Create(Pool, """
            module.exports = (event) => {
              if (event.spin) { const spin = () => process.nextTick(spin); spin(); }
              return 'fine';
            };
            """, s => s with { TimeoutSeconds = 3, MaxConcurrency = 1 });

        Assert.Null(await function.WarmUpAsync());
        var spun = await function.InvokeAsync(Json("{\"spin\":true}"));
        var after = await function.InvokeAsync(Json("{\"spin\":false}"));

        Assert.Equal(504, spun.StatusCode);
        Assert.Equal(InvocationOutcomes.Timeout, spun.Outcome);
        Assert.True(after.Text() == "fine", after.Text());
    }

    public static IReadOnlyList<NodeCase> NodeCases { get; } =
    [
        new(
            "NextTickRunsBeforePromisesAndWarningsAreEmittedLikeNode",
            """
            module.exports = async () => {
              const order = [];
              Promise.resolve().then(() => order.push('promise 1'));
              process.nextTick(() => order.push('tick 1'));
              queueMicrotask(() => order.push('microtask'));
              process.nextTick((a, b) => {
                order.push(`tick 2 ${a}${b}`);
                Promise.resolve().then(() => order.push('promise from tick'));
                process.nextTick(() => order.push('tick from tick'));
              }, 'x', 'y');
              Promise.resolve().then(() => process.nextTick(() => order.push('tick from promise')));
              setTimeout(() => { process.nextTick(() => order.push('tick in timer')); Promise.resolve().then(() => order.push('promise in timer')); }, 1);
              await new Promise((resolve) => setTimeout(resolve, 5));
              const p = require('process');
              const warnings = [];
              p.on('warning', (w) => warnings.push([w.name, w.message, w.code]));
              p.emitWarning('careful');
              p.emitWarning('old api', 'DeprecationWarning', 'DEP0999');
              p.emitWarning('custom', { type: 'CustomWarning', code: 'C1' });
              const before = warnings.length;
              await new Promise((resolve) => setTimeout(resolve, 1));
              const hr = process.hrtime();
              const diff = process.hrtime(hr);
              const big = process.hrtime.bigint();
              let bad;
              try { process.nextTick('nope'); } catch (e) { bad = [e.code === undefined ? e.name : e.code, e.message]; }
              return {
                order, before, warnings, same: p === process, bad,
                shapes: [Array.isArray(hr), hr.length, typeof diff[1], typeof big, typeof process.versions.node, /^v\d+\.\d+\.\d+$/.test(process.version), process.release.name, typeof process.cwd(), process.platform, typeof process.env, typeof process.exitCode, typeof process.uptime(), typeof process.memoryUsage().heapUsed],
                emitter: [typeof process.on('exit', () => {}), process.once('beforeExit', () => {}) === process, process.listenerCount('exit'), process.off('x', () => {}) === process, typeof process.emit],
                stdout: [typeof process.stdout.write, process.stdout.write('') , typeof process.stderr.write],
              };
            };
            """,
            """
            {
              "order": [
                "tick 1",
                "tick 2 xy",
                "tick from tick",
                "promise 1",
                "microtask",
                "promise from tick",
                "tick from promise",
                "tick in timer",
                "promise in timer"
              ],
              "before": 0,
              "warnings": [
                [
                  "Warning",
                  "careful",
                  null
                ],
                [
                  "DeprecationWarning",
                  "old api",
                  "DEP0999"
                ],
                [
                  "CustomWarning",
                  "custom",
                  "C1"
                ]
              ],
              "same": true,
              "bad": [
                "ERR_INVALID_ARG_TYPE",
                "The \"callback\" argument must be of type function. Received type string ('nope')"
              ],
              "shapes": [
                true,
                2,
                "number",
                "bigint",
                "string",
                true,
                "node",
                "string",
                "linux",
                "object",
                "undefined",
                "number",
                "number"
              ],
              "emitter": [
                "object",
                true,
                1,
                true,
                "function"
              ],
              "stdout": [
                "function",
                true,
                "function"
              ]
            }
            """),
    ];
}
