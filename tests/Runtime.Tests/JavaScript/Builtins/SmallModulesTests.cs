using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.JavaScript.Builtins;

/// <summary>
/// The small built-ins packages require when they load (builtins/fs.js, tty.js, punycode.js): punycode as Node's,
/// a terminal that never is one, and an fs whose every call says the isolate has no file system.
/// </summary>
[Collection(nameof(BuiltinModules))]
public sealed class SmallModulesTests(IsolatePoolFixture fixture) : NodeCaseTests<SmallModulesTests>(fixture), INodeCases
{
    [Fact]
    public async Task FsLoadsButEveryCallSaysTheIsolateHasNoFileSystem()
    {
        var result = await RunAsync(Pool, """
            module.exports = async () => {
              const fs = require('fs');
              const sync = (() => { try { fs.readFileSync('/etc/passwd'); return 'read'; } catch (e) { return [e.code, e.message]; } })();
              const callback = await new Promise((resolve) => fs.readFile('/etc/passwd', (err) => resolve(err.code)));
              const promise = await require('fs/promises').readFile('/etc/passwd').then(() => 'read', (e) => e.code);
              const stream = (() => { try { fs.createReadStream('/etc/passwd'); return 'opened'; } catch (e) { return e.code; } })();
              return { sync, callback, promise, stream, exists: fs.existsSync('/etc/passwd'), F_OK: fs.constants.F_OK, same: require('fs').promises === require('node:fs/promises') };
            };
            """);

        NodeCase.AssertNodeOutput(result, """
            {
              "sync": ["ERR_ACCESS_DENIED", "fs.readFileSync: a function in Granary's isolate runtime has no file system. Deploy it with \"isolation\": \"process\" to run it in Node.js itself, with a file system of its own."],
              "callback": "ERR_ACCESS_DENIED",
              "promise": "ERR_ACCESS_DENIED",
              "stream": "ERR_ACCESS_DENIED",
              "exists": false,
              "F_OK": 0,
              "same": true
            }
            """);
    }

    public static IReadOnlyList<NodeCase> NodeCases { get; } =
    [
        new(
            "PunycodeEncodesAndDecodesLikeNode",
            """
            module.exports = async () => {
              const punycode = require('punycode');
              return [punycode.encode('mañana'), punycode.decode('maana-pta'), punycode.toASCII('mañana.com'), punycode.toUnicode('xn--maana-pta.com'), punycode.toASCII('☃-⌘.com'), punycode.ucs2.decode('𝌆'), punycode.ucs2.encode([0x1d306]), punycode.version];
            };
            """,
            """
            [
              "maana-pta",
              "mañana",
              "xn--maana-pta.com",
              "mañana.com",
              "xn----dqo34k.com",
              [
                119558
              ],
              "𝌆",
              "2.1.0"
            ]
            """),
        new(
            "TtyIsNeverATerminal",
            """
            module.exports = async () => {
              const tty = require('tty');
              return [tty.isatty(0), tty.isatty(1), tty.isatty(2), typeof tty.WriteStream];
            };
            """,
            """
            [
              false,
              false,
              false,
              "function"
            ]
            """),
    ];
}
