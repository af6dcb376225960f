using Granary.Functions;
using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.JavaScript.Modules;

/// <summary>A function written as an ES module: exports, imports of built-ins, top-level await, errors at load.</summary>
public sealed class EsModuleTests(IsolatePoolFixture fixture) : IClassFixture<IsolatePoolFixture>
{
    [Theory]
    [InlineData("export default () => 1;", FunctionModules.Esm)]
    [InlineData("export function main() {}", FunctionModules.Esm)]
    [InlineData("export async function main() {}", FunctionModules.Esm)]
    [InlineData("export const main = () => 1;", FunctionModules.Esm)]
    [InlineData("const main = 1;\nexport { main };", FunctionModules.Esm)]
    [InlineData("import path from 'node:path';\nmodule.exports = 1;", FunctionModules.Esm)]
    [InlineData("  import { a, b } from 'x';", FunctionModules.Esm)]
    [InlineData("import * as x from 'x';", FunctionModules.Esm)]
    [InlineData("import 'x';", FunctionModules.Esm)]
    [InlineData("import x, { y } from 'x';", FunctionModules.Esm)]
    [InlineData("module.exports = async () => (await import('nanoid')).nanoid();", FunctionModules.CommonJs)]
    [InlineData("exports.main = () => import.meta;", FunctionModules.CommonJs)]
    [InlineData("/*\nexport default 1;\n*/\nmodule.exports = 1;", FunctionModules.CommonJs)]
    [InlineData("const exported = 1; // export default\nmodule.exports = { important: 1 };", FunctionModules.CommonJs)]
    [InlineData("const s = 'x'; exports.exportDefault = 1;", FunctionModules.CommonJs)]
    public void TheModuleSystemIsDetectedFromImportAndExportStatements(string code, string expected)
    {
        Assert.Equal(expected, FunctionModules.Resolve(null, code));
        Assert.Equal(FunctionModules.CommonJs, FunctionModules.Resolve(FunctionModules.CommonJs, code));
        Assert.Equal(FunctionModules.Esm, FunctionModules.Resolve(FunctionModules.Esm, code));
    }

    [Fact]
    public async Task ExportDefaultIsTheHandler()
    {
        var result = await RunAsync(fixture.Pool, "export default async (event, context) => 'hello ' + context.method;");

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("hello GET", result.Text());
    }

    [Fact]
    public async Task ANamedExportIsTheHandlerTheSettingNames()
    {
        var result = await RunAsync(
            fixture.Pool,
            "export const main = () => 'main';\nexport function other(event) { return { got: event.n * 2 }; }\nexport default () => 'default';",
            Json("{\"n\":21}"),
            s => s with { Handler = "other" });

        Assert.Equal("{\"got\":42}", result.Text());
    }

    [Fact]
    public async Task ADeclaredEsmModuleRunsAsAModuleWhateverTheDetectionSays()
    {
        // The only export is on a line the detection does not read as a statement; top-level await and a module's
        // undefined `this` show the code ran as a module.
        var result = await RunAsync(
            fixture.Pool,
            "const value = await Promise.resolve(this === undefined ? 'module' : 'script');\nfunction main() { return value; }; export { main };",
            configure: s => s with { Module = FunctionModules.Esm });

        Assert.Equal("module", result.Text());
    }

    [Fact]
    public async Task BuiltinsImportWithDefaultAndNamedImportsBareAndWithTheNodePrefix()
    {
        var result = await RunAsync(fixture.Pool, """
            import path, { join } from 'node:path';
            import { createHash } from 'crypto';
            import EventEmitter, { once } from 'node:events';
            import * as querystring from 'querystring';
            import { Buffer } from 'node:buffer';
            export default async () => {
              const emitter = new EventEmitter();
              setTimeout(() => emitter.emit('ready', 7), 1);
              const [value] = await once(emitter, 'ready');
              return {
                join: join('a', 'b'),
                same: path.join === join,
                hash: createHash('sha256').update('x').digest('hex').slice(0, 8),
                value,
                qs: querystring.stringify({ a: 1 }),
                defaultIsExports: querystring.default.stringify === querystring.stringify,
                buffer: Buffer.from('hi').toString('base64'),
              };
            };
            """);

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("{\"join\":\"a/b\",\"same\":true,\"hash\":\"2d711642\",\"value\":7,\"qs\":\"a=1\",\"defaultIsExports\":true,\"buffer\":\"aGk=\"}", result.Text());
    }

    [Fact]
    public async Task TopLevelAwaitWaitsForTimersBeforeTheFunctionServes()
    {
        var result = await RunAsync(fixture.Pool, """
            const started = Date.now();
            const config = await new Promise((resolve) => setTimeout(() => resolve({ ready: true }), 20));
            const waited = Date.now() - started;
            export default () => ({ ...config, waitedEnough: waited >= 15 });
            """);

        Assert.Equal("{\"ready\":true,\"waitedEnough\":true}", result.Text());
    }

    [Fact]
    public async Task ACommonJsFunctionMayImportDynamically()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = async () => {
              const path = await import('node:path');
              const again = await import('path');
              return { join: path.join('x', 'y'), def: path.default.join('x', 'z'), shared: again.join === path.join };
            };
            """);

        Assert.Equal("{\"join\":\"x/y\",\"def\":\"x/z\",\"shared\":true}", result.Text());
    }

    [Fact]
    public async Task ASyntaxErrorIsACompileErrorWithItsLine()
    {
        await using var function = Create(fixture.Pool, "export default () => 1;\nconst x = ;\n");

        var error = await function.WarmUpAsync();

        Assert.NotNull(error);
        Assert.Equal(CodeErrorKinds.Compile, error.Kind);
        Assert.Equal("SyntaxError: Unexpected token ';'", error.Message);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public async Task AnErrorThrownAtTopLevelIsALoadErrorWithItsLine()
    {
        await using var function = Create(fixture.Pool, "export default () => 1;\n\nthrow new Error('no config');\n");

        var error = await function.WarmUpAsync();

        Assert.NotNull(error);
        Assert.Equal(CodeErrorKinds.Load, error.Kind);
        Assert.Equal("Error: no config", error.Message);
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public async Task ARejectionAfterTopLevelAwaitIsALoadError()
    {
        await using var function = Create(fixture.Pool, "await new Promise((r) => setTimeout(r, 5));\nthrow new TypeError('late');\nexport default () => 1;\n");

        var error = await function.WarmUpAsync();

        Assert.NotNull(error);
        Assert.Equal(CodeErrorKinds.Load, error.Kind);
        Assert.Equal("TypeError: late", error.Message);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public async Task ATopLevelAwaitThatNeverEndsFailsTheLoadAtTheTimeout()
    {
        await using var function = Create(fixture.Pool, "await new Promise(() => {});\nexport default () => 1;\n", s => s with { TimeoutSeconds = 1 });

        var error = await function.WarmUpAsync();

        Assert.NotNull(error);
        Assert.Equal(CodeErrorKinds.Load, error.Kind);
        Assert.Equal("The module did not finish loading within the function's timeout of 1 s.", error.Message);
    }

    [Fact]
    public async Task AMissingHandlerSaysWhatTheModuleExports()
    {
        await using var function = Create(fixture.Pool, "export const helper = 1;\nexport function other() {}\n", s => s with { Signature = FunctionSignatures.Kyma });

        var error = await function.WarmUpAsync();

        Assert.NotNull(error);
        Assert.Equal(CodeErrorKinds.Handler, error.Kind);
        Assert.Equal("The module does not export a function 'main': its exports are [helper, other]. Export it with export function main(event, context) { ... } or export default async (event, context) => { ... }.", error.Message);
    }

    [Fact]
    public async Task ABuiltinOutsideTheAllowListIsRefusedAtLoad()
    {
        await using var function = Create(fixture.Pool, "import { exec } from 'node:child_process';\nexport default () => exec;\n");

        var error = await function.WarmUpAsync();

        Assert.NotNull(error);
        Assert.Equal(CodeErrorKinds.Load, error.Kind);
        Assert.StartsWith("Error: The Node built-in module 'child_process' is not ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingNamedExportOfABuiltinIsALinkError()
    {
        await using var function = Create(fixture.Pool, "import { nope } from 'node:path';\nexport default () => nope;\n");

        var error = await function.WarmUpAsync();

        Assert.NotNull(error);
        Assert.Contains("does not provide an export named 'nope'", error.Message, StringComparison.Ordinal);
    }
}
