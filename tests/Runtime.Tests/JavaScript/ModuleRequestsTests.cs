using Granary.Runtime.JavaScript;

namespace Granary.Runtime.Tests.JavaScript;

public sealed class ModuleRequestsTests
{
    [Theory]
    [InlineData("const http = require('http');", "http")]
    [InlineData("const z = require(\"node:zlib\");", "node:zlib")]
    [InlineData("module.exports = async () => { const { Client } = require('pg'); };", "pg")]
    [InlineData("import fs from 'fs';", "fs")]
    [InlineData("import { nanoid } from \"nanoid\";", "nanoid")]
    [InlineData("import * as os from 'os';", "os")]
    [InlineData("import 'side-effect';", "side-effect")]
    [InlineData("import {\n  a,\n  b,\n} from './lib.js';", "./lib.js")]
    [InlineData("export { x } from 'other';", "other")]
    [InlineData("export * from 'all';", "all")]
    [InlineData("const m = await import('esm-only');", "esm-only")]
    [InlineData("const m = await import ( 'spaced' );", "spaced")]
    public void ALiteralRequestIsFound(string source, string specifier)
    {
        var found = ModuleRequests.Find(source);

        Assert.Equal([specifier], found.Select(r => r.Specifier));
    }

    [Theory]
    [InlineData("// require('commented')")]
    [InlineData("/* import x from 'commented' */")]
    [InlineData("const s = \"require('in a string')\";")]
    [InlineData("const s = `require('in a template')`;")]
    [InlineData("const r = /require\\('in a regex'\\)/;")]
    [InlineData("const m = require(name);")]
    [InlineData("const m = require('a' + b);")]
    [InlineData("loader.require('member');")]
    [InlineData("const from = 'x'; const y = from;")]
    [InlineData("console.log(import.meta.url);")]
    public void WhatIsNotALiteralRequestIsNotFound(string source)
    {
        Assert.Empty(ModuleRequests.Find(source));
    }

    [Fact]
    public void RequestsInsideTemplateSubstitutionsAndAfterDivisionsAreFoundWithTheirLines()
    {
        var source = "const a = 4 / 2; const b = a / 2;\n" +
            "const t = `x ${require('inside').y} ${ { k: 1 }.k }`;\n" +
            "/* a\n comment */ const c = /[/]/.test('/');\n" +
            "module.exports = () => require('lazy');";

        var found = ModuleRequests.Find(source);

        Assert.Equal([new ModuleRequest("inside", 2), new ModuleRequest("lazy", 5)], found);
    }

    [Fact]
    public void AnImportStatementEndsAtItsSemicolonSoALaterFromIsNotARequest()
    {
        var found = ModuleRequests.Find("import a from 'a';\nconst from = 1; let x = { from: 'not' };");

        Assert.Equal(["a"], found.Select(r => r.Specifier));
    }
}
