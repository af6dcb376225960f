using Granary.Functions;
using Granary.Runtime.JavaScript;
using Granary.Runtime.Tests.JavaScript;
using Microsoft.Extensions.Logging.Abstractions;
using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.Packages;

/// <summary>npm packages and ES modules: ESM-only packages, CommonJS packages imported, Node's resolution rules for import, confinement.</summary>
public sealed class EsmPackagesTests(NpmPackagesTests.Fixture npm, IsolatePoolFixture isolates)
    : IClassFixture<NpmPackagesTests.Fixture>, IClassFixture<IsolatePoolFixture>
{
    [Fact]
    public async Task AnEsmOnlyPackageImportsIntoAnEsModule()
    {
        var directory = await npm.InstallAsync(new() { ["nanoid"] = "5.0.9" });

        var result = await RunWithPackagesAsync("""
            import { nanoid, customAlphabet } from 'nanoid';
            const digits = customAlphabet('0123456789', 6);
            export default () => ({ id: nanoid().length, digits: /^[0-9]{6}$/.test(digits()), differ: nanoid() !== nanoid() });
            """, directory);

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("{\"id\":21,\"digits\":true,\"differ\":true}", result.Text());
    }

    [Fact]
    public async Task ACommonJsFunctionAwaitsImportOfAnEsmOnlyPackage()
    {
        var directory = await npm.InstallAsync(new() { ["nanoid"] = "5.0.9" });

        var result = await RunWithPackagesAsync("""
            module.exports = async () => {
              const { nanoid } = await import('nanoid');
              const required = (() => { try { require('nanoid'); return 'loaded'; } catch (e) { return e.code; } })();
              return { length: nanoid(10).length, required };
            };
            """, directory);

        Assert.Equal("{\"length\":10,\"required\":\"ERR_REQUIRE_ESM\"}", result.Text());
    }

    [Fact]
    public async Task ACommonJsPackageImportsWithModuleExportsAsDefaultAndItsKeysAsNames()
    {
        var directory = await npm.InstallAsync(new() { ["ms"] = "2.1.3", ["lodash"] = "4.17.21" });

        var result = await RunWithPackagesAsync("""
            import ms from 'ms';
            import _, { chunk } from 'lodash';
            import fp from 'lodash/fp.js';
            export default () => ({
              ms: ms('2h'),
              chunk: chunk([1, 2, 3], 2),
              same: _.chunk === chunk,
              fp: fp.map((x) => x + 1)([1]),
            });
            """, directory);

        Assert.Equal("{\"ms\":7200000,\"chunk\":[[1,2],[3]],\"same\":true,\"fp\":[2]}", result.Text());
    }

    [Fact]
    public async Task ImportFollowsTheImportConditionTypeModuleCjsFilesSubpathsAndPrivateImports()
    {
        var root = Path.Combine(npm.Root, "esm-rules-" + Guid.NewGuid().ToString("N")[..8]);
        var dual = Directory.CreateDirectory(Path.Combine(root, "node_modules", "dual")).FullName;
        Directory.CreateDirectory(Path.Combine(dual, "lib"));
        File.WriteAllText(Path.Combine(dual, "package.json"), """
            { "name": "dual", "type": "module", "main": "./wrong.js",
              "exports": {
                ".": { "import": "./esm.js", "require": "./cjs.cjs" },
                "./tools/*": { "import": "./lib/*.js", "default": "./lib/*.cjs" },
                "./package.json": "./package.json" },
              "imports": { "#internal": "./lib/internal.js" } }
            """);
        File.WriteAllText(Path.Combine(dual, "esm.js"), "import { secret } from '#internal';\nimport legacy from './cjs.cjs';\nexport const kind = 'esm';\nexport const both = legacy.kind + '+' + secret;\nexport default 'dual default';\n");
        File.WriteAllText(Path.Combine(dual, "cjs.cjs"), "exports.kind = 'cjs';");
        File.WriteAllText(Path.Combine(dual, "lib", "internal.js"), "export const secret = 'internal';");
        File.WriteAllText(Path.Combine(dual, "lib", "text.js"), "export const upper = (s) => s.toUpperCase();");
        File.WriteAllText(Path.Combine(dual, "lib", "text.cjs"), "exports.upper = () => 'required';");

        var result = await RunWithPackagesAsync("""
            import dual, { kind, both } from 'dual';
            import { upper } from 'dual/tools/text';
            import manifest from 'dual/package.json';
            export default async () => ({
              dual, kind, both,
              upper: upper('x'),
              name: manifest.name,
              private: await import('#internal').then(() => 'loaded', (e) => e.message),
            });
            """, root);

        Assert.Equal(
            "{\"dual\":\"dual default\",\"kind\":\"esm\",\"both\":\"cjs+internal\",\"upper\":\"X\",\"name\":\"dual\"," +
            "\"private\":\"Cannot find module '#internal'\"}",
            result.Text());
    }

    [Fact]
    public async Task APackagesCommonJsCodeImportsFromItsOwnDirectory()
    {
        var root = Path.Combine(npm.Root, "esm-lazy-" + Guid.NewGuid().ToString("N")[..8]);
        var lazy = Directory.CreateDirectory(Path.Combine(root, "node_modules", "lazy")).FullName;
        var nested = Directory.CreateDirectory(Path.Combine(lazy, "node_modules", "nested-esm")).FullName;
        File.WriteAllText(Path.Combine(lazy, "package.json"), "{\"name\":\"lazy\",\"main\":\"index.js\"}");
        File.WriteAllText(Path.Combine(lazy, "index.js"), "exports.load = async () => (await import('./part.mjs')).part + ' ' + (await import('nested-esm')).default;");
        File.WriteAllText(Path.Combine(lazy, "part.mjs"), "export const part = 'own part';");
        File.WriteAllText(Path.Combine(nested, "package.json"), "{\"name\":\"nested-esm\",\"type\":\"module\",\"exports\":\"./main.js\"}");
        File.WriteAllText(Path.Combine(nested, "main.js"), "export default 'nested';");

        var result = await RunWithPackagesAsync("const lazy = require('lazy');\nmodule.exports = () => lazy.load();", root);

        Assert.Equal("own part nested", result.Text());
    }

    [Fact]
    public async Task AnImportCannotLeaveThePackagesDirectory()
    {
        var sandbox = Directory.CreateDirectory(Path.Combine(npm.Root, "esm-escape-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var root = Path.Combine(sandbox, "packages");
        var escaper = Directory.CreateDirectory(Path.Combine(root, "node_modules", "escaper")).FullName;
        var secret = Path.Combine(sandbox, "secret.mjs");
        File.WriteAllText(secret, "export const secret = true;");
        File.WriteAllText(Path.Combine(escaper, "package.json"), "{\"name\":\"escaper\",\"type\":\"module\",\"main\":\"main.js\"}");
        File.WriteAllText(Path.Combine(escaper, "inside.js"), "export const inside = true;");
        File.CreateSymbolicLink(Path.Combine(escaper, "link.js"), secret);
        Directory.CreateSymbolicLink(Path.Combine(root, "node_modules", "outside"), sandbox);
        File.WriteAllText(Path.Combine(escaper, "main.js"), $$"""
            const attempt = (request) => import(request).then(() => 'loaded', () => 'refused');
            export const probe = async () => ({
              up: await attempt('../../../secret.mjs'),
              farUp: await attempt('../../../../../../../../../etc/passwd'),
              absolute: await attempt({{System.Text.Json.JsonSerializer.Serialize(secret)}}),
              fileUrl: await attempt('file://{{secret}}'),
              symlinkedFile: await attempt('./link.js'),
              symlinkedDirectory: await attempt('outside/secret.mjs'),
              inside: await attempt('./inside.js'),
            });
            """);

        var result = await RunWithPackagesAsync("""
            import { probe } from 'escaper';
            const attempt = (request) => import(request).then(() => 'loaded', () => 'refused');
            export default async () => ({
              ...await probe(),
              etcPasswd: await attempt('../../../etc/passwd'),
              absoluteFromFunction: await attempt('/etc/passwd'),
              bareSubpath: await attempt('escaper/../../../secret.mjs'),
              relativeFromFunction: await attempt('./node_modules/escaper/inside.js'),
            });
            """, root);

        Assert.Equal(
            "{\"up\":\"refused\",\"farUp\":\"refused\",\"absolute\":\"refused\",\"fileUrl\":\"refused\",\"symlinkedFile\":\"refused\"," +
            "\"symlinkedDirectory\":\"refused\",\"inside\":\"loaded\",\"etcPasswd\":\"refused\",\"absoluteFromFunction\":\"refused\"," +
            "\"bareSubpath\":\"refused\",\"relativeFromFunction\":\"refused\"}",
            result.Text());
    }

    [Fact]
    public async Task AnImportOfAPackageThatIsNotListedSaysToListIt()
    {
        await using var function = Create(isolates.Pool, "import { nanoid } from 'nanoid';\nexport default () => nanoid();\n");

        var error = await function.WarmUpAsync();

        Assert.NotNull(error);
        Assert.Equal(CodeErrorKinds.Load, error.Kind);
        Assert.Contains("Cannot find package 'nanoid': an npm package must be listed in the function's dependencies to be installed", error.Message, StringComparison.Ordinal);
    }

    private async Task<ExecutionResult> RunWithPackagesAsync(string code, string packagesRoot)
    {
        await using var function = new JavaScriptFunction(Definition(code), isolates.Pool, Limits, NullLogger.Instance, packagesRoot: packagesRoot);
        var error = await function.WarmUpAsync();
        Assert.Null(error);
        return await function.InvokeAsync(new InvocationRequest { Method = "GET" });
    }
}
