using System.Collections.Immutable;
using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.JavaScript.Builtins;

/// <summary>
/// require('os') (builtins/os.js): Node's API over a fixed machine; nothing of the silo's host shows, and the memory
/// is the function's own limit.
/// </summary>
[Collection(nameof(BuiltinModules))]
public sealed class OsTests(IsolatePoolFixture fixture) : NodeCaseTests<OsTests>(fixture), INodeCases
{
    [Fact]
    public async Task OsRevealsNothingOfTheHostAndReportsTheFunctionsMemoryLimit()
    {
        var result = await RunAsync(Pool, """
            module.exports = () => {
              const os = require('os');
              return {
                hostname: os.hostname(), interfaces: os.networkInterfaces(), user: os.userInfo(), cpus: os.cpus(), parallelism: os.availableParallelism(),
                totalmem: os.totalmem(), freemem: os.freemem(), loadavg: os.loadavg(), homedir: os.homedir(), tmpdir: os.tmpdir(), release: os.release(),
                setPriority: (() => { try { os.setPriority(0, 1); return 'set'; } catch (e) { return e.code; } })(),
              };
            };
            """, configure: s => s with { MemoryLimitMb = 64, Env = ImmutableDictionary<string, string>.Empty.Add("TMPDIR", "/scratch/") });

        NodeCase.AssertNodeOutput(result, """
            {
              "hostname": "localhost",
              "interfaces": {},
              "user": {
                "uid": 1000,
                "gid": 1000,
                "username": "function",
                "homedir": "/home/function",
                "shell": null
              },
              "cpus": [
                {
                  "model": "Granary isolate",
                  "speed": 0,
                  "times": {
                    "user": 0,
                    "nice": 0,
                    "sys": 0,
                    "idle": 0,
                    "irq": 0
                  }
                }
              ],
              "parallelism": 1,
              "totalmem": 67108864,
              "freemem": 67108864,
              "loadavg": [
                0,
                0,
                0
              ],
              "homedir": "/home/function",
              "tmpdir": "/scratch",
              "release": "6.1.0-granary",
              "setPriority": "ERR_SYSTEM_ERROR"
            }
            """);
    }

    public static IReadOnlyList<NodeCase> NodeCases { get; } =
    [
        new(
            "OsHasNodesApiAndConstants",
            """
            module.exports = async () => {
              const os = require('os');
              return {
                keys: Object.keys(os).sort(),
                fixed: [os.EOL, os.devNull, os.endianness(), os.platform(), os.type(), os.arch(), os.machine(), os.constants.signals.SIGTERM, os.constants.errno.ENOENT, os.constants.priority.PRIORITY_HIGH, os.constants.dlopen.RTLD_NOW],
                types: [typeof os.hostname(), typeof os.release(), typeof os.version(), typeof os.homedir(), typeof os.tmpdir(), typeof os.totalmem(), typeof os.freemem(), typeof os.uptime(), os.loadavg().length, typeof os.networkInterfaces(), typeof os.userInfo().username, typeof os.getPriority(), typeof os.availableParallelism()],
                cpu: Object.keys(os.cpus()[0]).sort().concat(Object.keys(os.cpus()[0].times).sort()),
                freeBelowTotal: os.freemem() <= os.totalmem(),
                badUserInfo: (() => { try { os.userInfo(1); } catch (e) { return e.code; } })(),
              };
            };
            """,
            """
            {
              "keys": [
                "EOL",
                "arch",
                "availableParallelism",
                "constants",
                "cpus",
                "devNull",
                "endianness",
                "freemem",
                "getPriority",
                "homedir",
                "hostname",
                "loadavg",
                "machine",
                "networkInterfaces",
                "platform",
                "release",
                "setPriority",
                "tmpdir",
                "totalmem",
                "type",
                "uptime",
                "userInfo",
                "version"
              ],
              "fixed": [
                "\n",
                "/dev/null",
                "LE",
                "linux",
                "Linux",
                "x64",
                "x86_64",
                15,
                2,
                -14,
                2
              ],
              "types": [
                "string",
                "string",
                "string",
                "string",
                "string",
                "number",
                "number",
                "number",
                3,
                "object",
                "string",
                "number",
                "number"
              ],
              "cpu": [
                "model",
                "speed",
                "times",
                "idle",
                "irq",
                "nice",
                "sys",
                "user"
              ],
              "freeBelowTotal": true
            }
            """),
    ];
}
