using Granary.Runtime.JavaScript;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.JavaScript.Builtins;

/// <summary>
/// require() of a built-in (builtins/registry.js): each module is made once per isolate, frozen, and unaffected by
/// globals a function replaces; a module off the allow list, or allowed but not implemented, fails with its own code.
/// </summary>
[Collection(nameof(BuiltinModules))]
public sealed class RegistryTests(IsolatePoolFixture fixture)
{
    [Fact]
    public async Task ModulesAreLoadedOnceFrozenAndUnaffectedByReplacedGlobals()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => {
              const names = ['assert', 'buffer', 'crypto', 'events', 'path', 'querystring', 'string_decoder', 'url', 'util'];
              const cached = names.every((n) => require(n) === require('node:' + n));
              const frozen = names.filter((n) => Object.isFrozen(require(n)));
              const EventEmitter = require('events');
              EventEmitter.defaultMaxListeners = 20;
              const maxListeners = new EventEmitter().getMaxListeners();
              EventEmitter.defaultMaxListeners = 10;
              const saved = { Buffer: globalThis.Buffer, decode: globalThis.decodeURIComponent, keys: Object.keys };
              let after;
              try {
                globalThis.Buffer = undefined;
                globalThis.decodeURIComponent = () => 'replaced';
                Object.keys = () => [];
                after = {
                  digest: require('crypto').createHash('md5').update('abc').digest('hex'),
                  query: { ...require('querystring').parse('a=%20b&c=1') },
                  joined: require('path').join('/a', 'b'),
                  deep: require('util').isDeepStrictEqual({ a: 1 }, { a: 2 }),
                };
              } finally {
                globalThis.Buffer = saved.Buffer;
                globalThis.decodeURIComponent = saved.decode;
                Object.keys = saved.keys;
              }
              return { cached, frozen, maxListeners, after };
            };
            """);

        Assert.Equal(
            """{"cached":true,"frozen":["assert","buffer","crypto","path","string_decoder","url","util"],"maxListeners":20,"after":{"digest":"900150983cd24fb0d6963f7d28e17f72","query":{"a":" b","c":"1"},"joined":"/a/b","deep":false}}""",
            result.Text());
    }

    [Fact]
    public async Task AModuleGranaryDoesNotImplementSaysSoAndNamesProcessIsolationWhetherAllowedOrNot()
    {
        var options = new JavaScriptRuntimeOptions { WarmIsolates = 1 };
        options.AllowedBuiltinModules += ",worker_threads";
        using var pool = new IsolatePool(Options.Create(options), NullLogger<IsolatePool>.Instance);

        var result = await RunAsync(pool, """
            module.exports = () => ['worker_threads', 'node:child_process', 'vm', 'path'].map((m) => {
              try { return typeof require(m); } catch (e) { return { code: e.code, message: e.message }; }
            });
            """);

        var json = result.JsonBody();
        Assert.Equal("ERR_MODULE_NOT_IMPLEMENTED", json[0].GetProperty("code").GetString());
        Assert.Equal(
            "The Node built-in module 'worker_threads' is not implemented in Granary's isolate runtime. Deploy the function with \"isolation\": \"process\" to run it in Node.js itself, where every built-in module is available.",
            json[0].GetProperty("message").GetString());
        Assert.Equal("ERR_MODULE_NOT_IMPLEMENTED", json[1].GetProperty("code").GetString());
        Assert.StartsWith("The Node built-in module 'child_process' is not implemented", json[1].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("ERR_MODULE_NOT_IMPLEMENTED", json[2].GetProperty("code").GetString());
        Assert.Equal("object", json[3].GetString());
    }

    [Fact]
    public async Task AModuleOffTheAllowListFailsAsNotAllowedAndItsSubpathsWithIt()
    {
        var options = new JavaScriptRuntimeOptions { WarmIsolates = 1, AllowedBuiltinModules = "path" };
        using var pool = new IsolatePool(Options.Create(options), NullLogger<IsolatePool>.Instance);

        var result = await RunAsync(pool, """
            module.exports = () => ['stream', 'node:stream/promises', 'util/types', 'path/posix'].map((m) => {
              try { require(m); return 'loaded'; } catch (e) { return { code: e.code, message: e.message }; }
            });
            """);

        var json = result.JsonBody();
        Assert.Equal(
            """[{"code":"ERR_MODULE_NOT_ALLOWED","message":"The Node built-in module 'stream' is not allowed (Granary:JavaScript:AllowedBuiltinModules, NODE_BUILTIN_MODULES)"},""" +
            """{"code":"ERR_MODULE_NOT_ALLOWED","message":"The Node built-in module 'stream/promises' is not allowed (Granary:JavaScript:AllowedBuiltinModules, NODE_BUILTIN_MODULES)"},""" +
            """{"code":"ERR_MODULE_NOT_ALLOWED","message":"The Node built-in module 'util/types' is not allowed (Granary:JavaScript:AllowedBuiltinModules, NODE_BUILTIN_MODULES)"},"loaded"]""",
            result.Text());
    }
}
