namespace Granary.Runtime.Tests.JavaScript.Builtins;

/// <summary>require('module') (builtins/module.js): createRequire, isBuiltin and builtinModules as Node's.</summary>
[Collection(nameof(BuiltinModules))]
public sealed class ModuleTests(IsolatePoolFixture fixture) : NodeCaseTests<ModuleTests>(fixture), INodeCases
{
    public static IReadOnlyList<NodeCase> NodeCases { get; } =
    [
        new(
            "CreateRequireIsBuiltinAndBuiltinModulesBehaveLikeNode",
            """
            module.exports = async () => {
              const Module = require('module');
              const { createRequire, isBuiltin, builtinModules } = Module;
              const req = createRequire(__filename);
              const fromUrl = createRequire('file:///function/other.js');
              let bad;
              try { createRequire('relative.js'); } catch (e) { bad = e.code; }
              let missing;
              try { req('no-such-package-here'); } catch (e) { missing = e.code; }
              return {
                same: [req('path') === require('path'), fromUrl('node:events') === require('events'), req.resolve('node:util'), require.resolve('stream')],
                builtins: ['fs', 'node:fs', 'stream/promises', 'util/types', 'worker_threads', 'express', 'node:nope', 'timers/promises'].map(isBuiltin),
                list: ['assert', 'buffer', 'events', 'fs', 'http', 'os', 'stream', 'stream/promises', 'timers/promises', 'util', 'util/types', 'worker_threads', 'zlib'].filter((m) => builtinModules.includes(m)),
                bad, missing, isFunction: typeof Module, moduleModule: Module.Module === Module,
              };
            };
            """,
            """
            {
              "same": [
                true,
                true,
                "node:util",
                "stream"
              ],
              "builtins": [
                true,
                true,
                true,
                true,
                true,
                false,
                false,
                true
              ],
              "list": [
                "assert",
                "buffer",
                "events",
                "fs",
                "http",
                "os",
                "stream",
                "stream/promises",
                "timers/promises",
                "util",
                "util/types",
                "worker_threads",
                "zlib"
              ],
              "bad": "ERR_INVALID_ARG_VALUE",
              "missing": "MODULE_NOT_FOUND",
              "isFunction": "function",
              "moduleModule": true
            }
            """),
    ];
}
