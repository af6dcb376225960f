using System.Text.Json.Nodes;
using Granary.Runtime.JavaScript;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.JavaScript;

/// <summary>
/// The Node built-in modules Granary implements for V8 (require('path'), 'util', 'events', ...). Each test runs a
/// function in an isolate and compares what it returns with what Node 20 returns for the very same code: the expected
/// JSON blocks are Node's output (node -e, working directory '/', as a function's is), pasted as they came.
/// </summary>
public sealed class BuiltinModulesTests(IsolatePoolFixture fixture) : IClassFixture<IsolatePoolFixture>
{
    [Fact]
    public async Task PathJoinsResolvesNormalizesAndParsesLikeNode()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => {
              const path = require('path');
              return {
                join: [path.join('/a/b', '../c'), path.join('a', '', 'b/', './c/..', 'd'), path.join(), path.join('', ''), path.join('/a/', '/b//c/')],
                resolve: [path.resolve('a/b', '../c'), path.resolve('/x', 'y', '/z', 'w'), path.resolve(), path.resolve('..', '..'), path.resolve('/a/b/', './c/')],
                normalize: [path.normalize(''), path.normalize('./'), path.normalize('a/../..'), path.normalize('/../a//b/./c/'), path.normalize('//a'), path.normalize('a/b/../../..')],
                dirname: [path.dirname('/a/b/c'), path.dirname('/a'), path.dirname('a'), path.dirname(''), path.dirname('//a'), path.dirname('/a/b/'), path.dirname('///')],
                basename: [path.basename('/a/b/c.txt'), path.basename('/a/b/c.txt', '.txt'), path.basename('/a/b/c.txt', 'c.txt'), path.basename('/a/b/'), path.basename('c.txt', 'xt'), path.basename(''), path.basename('/a/b.js/', '.js')],
                extname: [path.extname('a.b.c'), path.extname('.bashrc'), path.extname('a.'), path.extname('a'), path.extname('/x/.y.z'), path.extname('..'), path.extname('a/b.c/')],
                isAbsolute: [path.isAbsolute('/a'), path.isAbsolute('a'), path.isAbsolute('')],
                relative: [path.relative('/data/orandea/test/aaa', '/data/orandea/impl/bbb'), path.relative('/a', '/a'), path.relative('/a/b', '/a'), path.relative('/', '/a/b'), path.relative('/a/b', '/'), path.relative('a', 'b/c'), path.relative('/foo/bar', '/foo/bar/baz')],
                parse: [path.parse('/home/user/dir/file.txt'), path.parse('file'), path.parse('/'), path.parse('.bashrc'), path.parse('a/b.c/'), path.parse('')],
                format: [path.format({ root: '/ignored', dir: '/home/user/dir', base: 'file.txt' }), path.format({ root: '/', base: 'file.txt', ext: 'ignored' }), path.format({ root: '/', name: 'file', ext: '.txt' }), path.format({ name: 'x', ext: 'js' })],
                sep: path.sep, delimiter: path.delimiter, posix: path.posix === path, toNamespacedPath: path.toNamespacedPath('/a'),
              };
            };
            """);

        AssertNodeOutput(result, """
            {
              "join": [
                "/a/c",
                "a/b/d",
                ".",
                ".",
                "/a/b/c/"
              ],
              "resolve": [
                "/a/c",
                "/z/w",
                "/",
                "/",
                "/a/b/c"
              ],
              "normalize": [
                ".",
                "./",
                "..",
                "/a/b/c/",
                "/a",
                ".."
              ],
              "dirname": [
                "/a/b",
                "/",
                ".",
                ".",
                "//",
                "/a",
                "/"
              ],
              "basename": [
                "c.txt",
                "c",
                "c.txt",
                "b",
                "c.t",
                "",
                "b"
              ],
              "extname": [
                ".c",
                "",
                ".",
                "",
                ".z",
                "",
                ".c"
              ],
              "isAbsolute": [
                true,
                false,
                false
              ],
              "relative": [
                "../../impl/bbb",
                "",
                "..",
                "a/b",
                "../..",
                "../b/c",
                "baz"
              ],
              "parse": [
                {
                  "root": "/",
                  "dir": "/home/user/dir",
                  "base": "file.txt",
                  "ext": ".txt",
                  "name": "file"
                },
                {
                  "root": "",
                  "dir": "",
                  "base": "file",
                  "ext": "",
                  "name": "file"
                },
                {
                  "root": "/",
                  "dir": "/",
                  "base": "",
                  "ext": "",
                  "name": ""
                },
                {
                  "root": "",
                  "dir": "",
                  "base": ".bashrc",
                  "ext": "",
                  "name": ".bashrc"
                },
                {
                  "root": "",
                  "dir": "a",
                  "base": "b.c",
                  "ext": ".c",
                  "name": "b"
                },
                {
                  "root": "",
                  "dir": "",
                  "base": "",
                  "ext": "",
                  "name": ""
                }
              ],
              "format": [
                "/home/user/dir/file.txt",
                "/file.txt",
                "/file.txt",
                "x.js"
              ],
              "sep": "/",
              "delimiter": ":",
              "posix": true,
              "toNamespacedPath": "/a"
            }
            """);
        Assert.Equal("/a/c", result.JsonBody().GetProperty("join")[0].GetString());
    }

    [Fact]
    public async Task PathRejectsArgumentsThatAreNotStrings()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => {
              const path = require('path');
              return [() => path.join('a', 1), () => path.resolve(null), () => path.basename('a', 2), () => path.dirname({}), () => path.format(null), () => path.relative('a')]
                .map((f) => { try { return f(); } catch (e) { return [e.name, e.code, e.message, String(e), e.stack.split('\n')[0]]; } });
            };
            """);

        AssertNodeOutput(result, """
            [
              [
                "TypeError",
                "ERR_INVALID_ARG_TYPE",
                "The \"path\" argument must be of type string. Received type number (1)",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"path\" argument must be of type string. Received type number (1)",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"path\" argument must be of type string. Received type number (1)"
              ],
              [
                "TypeError",
                "ERR_INVALID_ARG_TYPE",
                "The \"paths[0]\" argument must be of type string. Received null",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"paths[0]\" argument must be of type string. Received null",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"paths[0]\" argument must be of type string. Received null"
              ],
              [
                "TypeError",
                "ERR_INVALID_ARG_TYPE",
                "The \"suffix\" argument must be of type string. Received type number (2)",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"suffix\" argument must be of type string. Received type number (2)",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"suffix\" argument must be of type string. Received type number (2)"
              ],
              [
                "TypeError",
                "ERR_INVALID_ARG_TYPE",
                "The \"path\" argument must be of type string. Received an instance of Object",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"path\" argument must be of type string. Received an instance of Object",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"path\" argument must be of type string. Received an instance of Object"
              ],
              [
                "TypeError",
                "ERR_INVALID_ARG_TYPE",
                "The \"pathObject\" argument must be of type object. Received null",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"pathObject\" argument must be of type object. Received null",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"pathObject\" argument must be of type object. Received null"
              ],
              [
                "TypeError",
                "ERR_INVALID_ARG_TYPE",
                "The \"to\" argument must be of type string. Received undefined",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"to\" argument must be of type string. Received undefined",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"to\" argument must be of type string. Received undefined"
              ]
            ]
            """);
    }

    [Fact]
    public async Task QuerystringParsesRepeatedKeysAndPlusesAndStringifiesArraysLikeNode()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => {
              const qs = require('querystring');
              const p = (...a) => ({ ...qs.parse(...a) });
              return {
                parse: [p('a=1&b=2&a=3&c'), p('x=a+b%20c&y=%E2%82%AC&z=%zz&w=%E2'), p('a=b=c&&=x&=&d='), p('a:1;b:2', ';', ':'), p('a=1&b=2&c=3', null, null, { maxKeys: 2 }),
                  p('%E5%A5%BD=%E5%A5%BD+%E5%A5%BD'), p(''), p('&&'), p('a[]=1&a[]=2'), p('a=%41%42&b=%4'), p('a=1&&b=2&'), p('sep=1,,x=2', ',,', '='),
                  p('k=v', '&', '=', { decodeURIComponent: (s) => s.toUpperCase() }), p('a=%F0%9F%98%80&b=%F0%9F'), p('a+b=c+d'), p('toString=1&__proto__=2&constructor=3')],
                nullPrototype: Object.getPrototypeOf(qs.parse('a=1')) === null,
                stringify: [qs.stringify({ a: [1, 2], b: 'x y', c: '', d: true, e: null, f: undefined, g: NaN, h: 1e21, i: 10n, j: [], k: { x: 1 }, 'sp ace': '€/?&=' }),
                  qs.stringify({ a: 1, b: 2 }, ';', ':'), qs.stringify('abc'), qs.stringify(null), qs.stringify({ w: 'a b' }, null, null, { encodeURIComponent: (s) => s.toUpperCase() }),
                  qs.stringify({ '€': '😀', arr: ['a', 'b c'], n: -0, f: 1.5 })],
                escape: [qs.escape("a b&c=d/é!'()*~"), qs.escape(42), qs.unescape('a%20b+c%zz'), qs.unescape('%E2%82'), qs.unescapeBuffer('a+%41%4').toString(), qs.unescapeBuffer('a+b', true).toString()],
                aliases: [qs.decode === qs.parse, qs.encode === qs.stringify],
              };
            };
            """);

        AssertNodeOutput(result, """
            {
              "parse": [
                {
                  "a": [
                    "1",
                    "3"
                  ],
                  "b": "2",
                  "c": ""
                },
                {
                  "x": "a b c",
                  "y": "€",
                  "z": "%zz",
                  "w": "�"
                },
                {
                  "a": "b=c",
                  "": [
                    "x",
                    ""
                  ],
                  "d": ""
                },
                {
                  "a": "1",
                  "b": "2"
                },
                {
                  "a": "1",
                  "b": "2"
                },
                {
                  "好": "好 好"
                },
                {},
                {},
                {
                  "a[]": [
                    "1",
                    "2"
                  ]
                },
                {
                  "a": "AB",
                  "b": "%4"
                },
                {
                  "a": "1",
                  "b": "2"
                },
                {
                  "sep": "1",
                  "x": "2"
                },
                {
                  "K": "V"
                },
                {
                  "a": "😀",
                  "b": "�"
                },
                {
                  "a b": "c d"
                },
                {
                  "toString": "1",
                  "__proto__": "2",
                  "constructor": "3"
                }
              ],
              "nullPrototype": true,
              "stringify": [
                "a=1&a=2&b=x%20y&c=&d=true&e=&f=&g=&h=1e%2B21&i=10&k=&sp%20ace=%E2%82%AC%2F%3F%26%3D",
                "a:1;b:2",
                "",
                "",
                "W=A B",
                "%E2%82%AC=%F0%9F%98%80&arr=a&arr=b%20c&n=0&f=1.5"
              ],
              "escape": [
                "a%20b%26c%3Dd%2F%C3%A9!'()*~",
                "42",
                "a b+c%zz",
                "�",
                "a+A%4",
                "a b"
              ],
              "aliases": [
                true,
                true
              ]
            }
            """);
        var json = result.JsonBody();
        Assert.Equal("""{"a":["1","3"],"b":"2","c":""}""", json.GetProperty("parse")[0].GetRawText());
        Assert.Equal("a b c", json.GetProperty("parse")[1].GetProperty("x").GetString());
    }

    [Fact]
    public async Task UrlParseReturnsNodesLegacyUrlObjects()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => {
              const url = require('url');
              const full = url.parse('https://user:pass@sub.Example.com:8080/p/a/t/h?query=string&a=1#hash');
              const parsed = ['https://example.com/a?x=1&x=2&y=a+b', '/just/a/path?q=1', '/just/a/path', '//host/path', 'mailto:someone@example.com', 'javascript:alert(1)',
                'http://[::1]:3000/x', 'HTTP://EXAMPLE.com', '  http://a.com/b c?d e#f g  ', 'http://a.com\\b\\c?d\\e', 'file:///etc/passwd', 'http://x.com/a b<c>"d', 'http://ünicode.example/',
                'http://a@b@c/', 'http://user%20name:p%40ss@host.com/', 'ws://h:1/?', 'http://a.com#frag?notquery', 'git+ssh://git@github.com:org/repo.git', 'urn:isbn:0451450523', 'www.example.com/path',
                'localhost:3000/path', '?q=1', '#frag', 'http://', 'file:/abs', 'http://ex.com?x=1', 'x', '']
                .map((s, i) => url.parse(s, i === 0));
              return {
                keys: Object.keys(full), isUrl: full instanceof url.Url, full,
                slashesDenoteHost: url.parse('//host/path', false, true), parsed,
              };
            };
            """);

        AssertNodeOutput(result, """
            {
              "keys": [
                "protocol",
                "slashes",
                "auth",
                "host",
                "port",
                "hostname",
                "hash",
                "search",
                "query",
                "pathname",
                "path",
                "href"
              ],
              "isUrl": true,
              "full": {
                "protocol": "https:",
                "slashes": true,
                "auth": "user:pass",
                "host": "sub.example.com:8080",
                "port": "8080",
                "hostname": "sub.example.com",
                "hash": "#hash",
                "search": "?query=string&a=1",
                "query": "query=string&a=1",
                "pathname": "/p/a/t/h",
                "path": "/p/a/t/h?query=string&a=1",
                "href": "https://user:pass@sub.example.com:8080/p/a/t/h?query=string&a=1#hash"
              },
              "slashesDenoteHost": {
                "protocol": null,
                "slashes": true,
                "auth": null,
                "host": "host",
                "port": null,
                "hostname": "host",
                "hash": null,
                "search": null,
                "query": null,
                "pathname": "/path",
                "path": "/path",
                "href": "//host/path"
              },
              "parsed": [
                {
                  "protocol": "https:",
                  "slashes": true,
                  "auth": null,
                  "host": "example.com",
                  "port": null,
                  "hostname": "example.com",
                  "hash": null,
                  "search": "?x=1&x=2&y=a+b",
                  "query": {
                    "x": [
                      "1",
                      "2"
                    ],
                    "y": "a b"
                  },
                  "pathname": "/a",
                  "path": "/a?x=1&x=2&y=a+b",
                  "href": "https://example.com/a?x=1&x=2&y=a+b"
                },
                {
                  "protocol": null,
                  "slashes": null,
                  "auth": null,
                  "host": null,
                  "port": null,
                  "hostname": null,
                  "hash": null,
                  "search": "?q=1",
                  "query": "q=1",
                  "pathname": "/just/a/path",
                  "path": "/just/a/path?q=1",
                  "href": "/just/a/path?q=1"
                },
                {
                  "protocol": null,
                  "slashes": null,
                  "auth": null,
                  "host": null,
                  "port": null,
                  "hostname": null,
                  "hash": null,
                  "search": null,
                  "query": null,
                  "pathname": "/just/a/path",
                  "path": "/just/a/path",
                  "href": "/just/a/path"
                },
                {
                  "protocol": null,
                  "slashes": null,
                  "auth": null,
                  "host": null,
                  "port": null,
                  "hostname": null,
                  "hash": null,
                  "search": null,
                  "query": null,
                  "pathname": "//host/path",
                  "path": "//host/path",
                  "href": "//host/path"
                },
                {
                  "protocol": "mailto:",
                  "slashes": null,
                  "auth": "someone",
                  "host": "example.com",
                  "port": null,
                  "hostname": "example.com",
                  "hash": null,
                  "search": null,
                  "query": null,
                  "pathname": null,
                  "path": null,
                  "href": "mailto:someone@example.com"
                },
                {
                  "protocol": "javascript:",
                  "slashes": null,
                  "auth": null,
                  "host": null,
                  "port": null,
                  "hostname": null,
                  "hash": null,
                  "search": null,
                  "query": null,
                  "pathname": "alert(1)",
                  "path": "alert(1)",
                  "href": "javascript:alert(1)"
                },
                {
                  "protocol": "http:",
                  "slashes": true,
                  "auth": null,
                  "host": "[::1]:3000",
                  "port": "3000",
                  "hostname": "::1",
                  "hash": null,
                  "search": null,
                  "query": null,
                  "pathname": "/x",
                  "path": "/x",
                  "href": "http://[::1]:3000/x"
                },
                {
                  "protocol": "http:",
                  "slashes": true,
                  "auth": null,
                  "host": "example.com",
                  "port": null,
                  "hostname": "example.com",
                  "hash": null,
                  "search": null,
                  "query": null,
                  "pathname": "/",
                  "path": "/",
                  "href": "http://example.com/"
                },
                {
                  "protocol": "http:",
                  "slashes": true,
                  "auth": null,
                  "host": "a.com",
                  "port": null,
                  "hostname": "a.com",
                  "hash": "#f%20g",
                  "search": "?d%20e",
                  "query": "d%20e",
                  "pathname": "/b%20c",
                  "path": "/b%20c?d%20e",
                  "href": "http://a.com/b%20c?d%20e#f%20g"
                },
                {
                  "protocol": "http:",
                  "slashes": true,
                  "auth": null,
                  "host": "a.com",
                  "port": null,
                  "hostname": "a.com",
                  "hash": null,
                  "search": "?d%5Ce",
                  "query": "d%5Ce",
                  "pathname": "/b/c",
                  "path": "/b/c?d%5Ce",
                  "href": "http://a.com/b/c?d%5Ce"
                },
                {
                  "protocol": "file:",
                  "slashes": true,
                  "auth": null,
                  "host": "",
                  "port": null,
                  "hostname": "",
                  "hash": null,
                  "search": null,
                  "query": null,
                  "pathname": "/etc/passwd",
                  "path": "/etc/passwd",
                  "href": "file:///etc/passwd"
                },
                {
                  "protocol": "http:",
                  "slashes": true,
                  "auth": null,
                  "host": "x.com",
                  "port": null,
                  "hostname": "x.com",
                  "hash": null,
                  "search": null,
                  "query": null,
                  "pathname": "/a%20b%3Cc%3E%22d",
                  "path": "/a%20b%3Cc%3E%22d",
                  "href": "http://x.com/a%20b%3Cc%3E%22d"
                },
                {
                  "protocol": "http:",
                  "slashes": true,
                  "auth": null,
                  "host": "xn--nicode-2ya.example",
                  "port": null,
                  "hostname": "xn--nicode-2ya.example",
                  "hash": null,
                  "search": null,
                  "query": null,
                  "pathname": "/",
                  "path": "/",
                  "href": "http://xn--nicode-2ya.example/"
                },
                {
                  "protocol": "http:",
                  "slashes": true,
                  "auth": "a@b",
                  "host": "c",
                  "port": null,
                  "hostname": "c",
                  "hash": null,
                  "search": null,
                  "query": null,
                  "pathname": "/",
                  "path": "/",
                  "href": "http://a%40b@c/"
                },
                {
                  "protocol": "http:",
                  "slashes": true,
                  "auth": "user name:p@ss",
                  "host": "host.com",
                  "port": null,
                  "hostname": "host.com",
                  "hash": null,
                  "search": null,
                  "query": null,
                  "pathname": "/",
                  "path": "/",
                  "href": "http://user%20name:p%40ss@host.com/"
                },
                {
                  "protocol": "ws:",
                  "slashes": true,
                  "auth": null,
                  "host": "h:1",
                  "port": "1",
                  "hostname": "h",
                  "hash": null,
                  "search": "?",
                  "query": "",
                  "pathname": "/",
                  "path": "/?",
                  "href": "ws://h:1/?"
                },
                {
                  "protocol": "http:",
                  "slashes": true,
                  "auth": null,
                  "host": "a.com",
                  "port": null,
                  "hostname": "a.com",
                  "hash": "#frag?notquery",
                  "search": null,
                  "query": null,
                  "pathname": "/",
                  "path": "/",
                  "href": "http://a.com/#frag?notquery"
                },
                {
                  "protocol": "git+ssh:",
                  "slashes": true,
                  "auth": "git",
                  "host": "github.com",
                  "port": null,
                  "hostname": "github.com",
                  "hash": null,
                  "search": null,
                  "query": null,
                  "pathname": "/:org/repo.git",
                  "path": "/:org/repo.git",
                  "href": "git+ssh://git@github.com/:org/repo.git"
                },
                {
                  "protocol": "urn:",
                  "slashes": null,
                  "auth": null,
                  "host": "isbn:0451450523",
                  "port": "0451450523",
                  "hostname": "isbn",
                  "hash": null,
                  "search": null,
                  "query": null,
                  "pathname": null,
                  "path": null,
                  "href": "urn:isbn:0451450523"
                },
                {
                  "protocol": null,
                  "slashes": null,
                  "auth": null,
                  "host": null,
                  "port": null,
                  "hostname": null,
                  "hash": null,
                  "search": null,
                  "query": null,
                  "pathname": "www.example.com/path",
                  "path": "www.example.com/path",
                  "href": "www.example.com/path"
                },
                {
                  "protocol": "localhost:",
                  "slashes": null,
                  "auth": null,
                  "host": "3000",
                  "port": null,
                  "hostname": "3000",
                  "hash": null,
                  "search": null,
                  "query": null,
                  "pathname": "/path",
                  "path": "/path",
                  "href": "localhost:3000/path"
                },
                {
                  "protocol": null,
                  "slashes": null,
                  "auth": null,
                  "host": null,
                  "port": null,
                  "hostname": null,
                  "hash": null,
                  "search": "?q=1",
                  "query": "q=1",
                  "pathname": null,
                  "path": "?q=1",
                  "href": "?q=1"
                },
                {
                  "protocol": null,
                  "slashes": null,
                  "auth": null,
                  "host": null,
                  "port": null,
                  "hostname": null,
                  "hash": "#frag",
                  "search": null,
                  "query": null,
                  "pathname": null,
                  "path": null,
                  "href": "#frag"
                },
                {
                  "protocol": "http:",
                  "slashes": true,
                  "auth": null,
                  "host": "",
                  "port": null,
                  "hostname": "",
                  "hash": null,
                  "search": null,
                  "query": null,
                  "pathname": null,
                  "path": null,
                  "href": "http://"
                },
                {
                  "protocol": "file:",
                  "slashes": null,
                  "auth": null,
                  "host": null,
                  "port": null,
                  "hostname": null,
                  "hash": null,
                  "search": null,
                  "query": null,
                  "pathname": "/abs",
                  "path": "/abs",
                  "href": "file:///abs"
                },
                {
                  "protocol": "http:",
                  "slashes": true,
                  "auth": null,
                  "host": "ex.com",
                  "port": null,
                  "hostname": "ex.com",
                  "hash": null,
                  "search": "?x=1",
                  "query": "x=1",
                  "pathname": "/",
                  "path": "/?x=1",
                  "href": "http://ex.com/?x=1"
                },
                {
                  "protocol": null,
                  "slashes": null,
                  "auth": null,
                  "host": null,
                  "port": null,
                  "hostname": null,
                  "hash": null,
                  "search": null,
                  "query": null,
                  "pathname": "x",
                  "path": "x",
                  "href": "x"
                },
                {
                  "protocol": null,
                  "slashes": null,
                  "auth": null,
                  "host": null,
                  "port": null,
                  "hostname": null,
                  "hash": null,
                  "search": null,
                  "query": null,
                  "pathname": null,
                  "path": null,
                  "href": ""
                }
              ]
            }
            """);
        var full = result.JsonBody().GetProperty("full");
        Assert.Equal("user:pass", full.GetProperty("auth").GetString());
        Assert.Equal("sub.example.com:8080", full.GetProperty("host").GetString());
        Assert.Equal("/p/a/t/h?query=string&a=1", full.GetProperty("path").GetString());
    }

    [Fact]
    public async Task UrlFormatAndResolveFollowNode()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => {
              const url = require('url');
              return {
                format: [url.format({ protocol: 'https', hostname: 'example.com', port: 8080, pathname: '/a b#c', query: { x: [1, 2], y: 'z w' } }),
                  url.format({ protocol: 'http:', host: 'h.com', hash: 'frag', search: 'q=1', auth: 'us er:p@ss' }), url.format({ protocol: 'mailto', pathname: 'a@b.com' }),
                  url.format({ protocol: 'file', pathname: '/etc' }), url.format({ hostname: '::1', port: 80, pathname: 'x' }), url.format('http://A.com/b?c#d'),
                  url.format(url.parse('http://a.com/x?y=1#z')), url.format(new URL('https://u:p@a.com:8443/p?q=1#h')),
                  url.format(new URL('https://u:p@a.com/p?q=1#h'), { auth: false, search: false, fragment: false })],
                resolve: [url.resolve('/one/two/three', 'four'), url.resolve('http://example.com/', '/one'), url.resolve('http://example.com/one', '/two'), url.resolve('http://a.com/b/c/d;p?q', '../../g'),
                  url.resolve('http://a.com/b/c', '?x=1'), url.resolve('http://a.com/b/c', '//other.com/x'), url.resolve('http://a.com/b/c', 'https://b.com'), url.resolve('mailto:a@b.com', 'c@d.com'),
                  url.resolve('http://a.com/b/', '.'), url.resolveObject('http://a.com/b', 'c').href],
              };
            };
            """);

        AssertNodeOutput(result, """
            {
              "format": [
                "https://example.com:8080/a b%23c?x=1&x=2&y=z%20w",
                "http://us%20er:p%40ss@h.com?q=1#frag",
                "mailto:a@b.com",
                "file:///etc",
                "[::1]:80x",
                "http://a.com/b?c#d",
                "http://a.com/x?y=1#z",
                "https://u:p@a.com:8443/p?q=1#h",
                "https://a.com/p"
              ],
              "resolve": [
                "/one/two/four",
                "http://example.com/one",
                "http://example.com/two",
                "http://a.com/g",
                "http://a.com/b/c?x=1",
                "http://other.com/x",
                "https://b.com/",
                "mailto:c@d.com",
                "http://a.com/b/",
                "http://a.com/c"
              ]
            }
            """);
    }

    [Fact]
    public async Task UrlConvertsFileUrlsAndSharesTheWhatwgClasses()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => {
              const url = require('url');
              const errors = [() => url.fileURLToPath('http://x/y'), () => url.fileURLToPath('file://host/x'), () => url.fileURLToPath('file:///a%2Fb'), () => url.fileURLToPath(42),
                () => url.parse(42), () => url.format(42)].map((f) => { try { return f(); } catch (e) { return [e.name, e.code, e.message]; } });
              return {
                same: url.URL === URL && url.URLSearchParams === URLSearchParams,
                toPath: [url.fileURLToPath('file:///tmp/a%20b/c.txt'), url.fileURLToPath('file://localhost/etc/x'), url.fileURLToPath('file:///a/../b/%E2%82%AC')],
                toUrl: [url.pathToFileURL('/tmp/a b#c?d%e').href, url.pathToFileURL('/tmp/dir/').href, url.pathToFileURL('rel/x').href, url.pathToFileURL('/é[x]~').href],
                isUrl: url.pathToFileURL('/x') instanceof URL,
                httpOptions: url.urlToHttpOptions(new URL('https://u:p@[::1]:8443/a?b=1#c')),
                errors,
              };
            };
            """);

        AssertNodeOutput(result, """
            {
              "same": true,
              "toPath": [
                "/tmp/a b/c.txt",
                "/etc/x",
                "/b/€"
              ],
              "toUrl": [
                "file:///tmp/a%20b%23c%3Fd%25e",
                "file:///tmp/dir/",
                "file:///rel/x",
                "file:///%C3%A9%5Bx%5D%7E"
              ],
              "isUrl": true,
              "httpOptions": {
                "protocol": "https:",
                "hostname": "::1",
                "hash": "#c",
                "search": "?b=1",
                "pathname": "/a",
                "path": "/a?b=1",
                "href": "https://u:p@[::1]:8443/a?b=1#c",
                "port": 8443,
                "auth": "u:p"
              },
              "errors": [
                [
                  "TypeError",
                  "ERR_INVALID_URL_SCHEME",
                  "The URL must be of scheme file"
                ],
                [
                  "TypeError",
                  "ERR_INVALID_FILE_URL_HOST",
                  "File URL host must be \"localhost\" or empty on linux"
                ],
                [
                  "TypeError",
                  "ERR_INVALID_FILE_URL_PATH",
                  "File URL path must not include encoded / characters"
                ],
                [
                  "TypeError",
                  "ERR_INVALID_ARG_TYPE",
                  "The \"path\" argument must be of type string or an instance of URL. Received type number (42)"
                ],
                [
                  "TypeError",
                  "ERR_INVALID_ARG_TYPE",
                  "The \"url\" argument must be of type string. Received type number (42)"
                ],
                [
                  "TypeError",
                  "ERR_INVALID_ARG_TYPE",
                  "The \"urlObject\" argument must be one of type object or string. Received type number (42)"
                ]
              ]
            }
            """);
    }

    [Fact]
    public async Task UtilFormatsInspectsChecksTypesAndComparesDeeplyLikeNode()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => {
              const util = require('util');
              const t = util.types;
              return {
                format: [util.format('%s=%d %j %%', 'a', 42, { x: 1 }, 'extra'), util.format('a', 1, { b: 2 }), util.format('%s', 'x', 'y'), util.format('%i %f', '42.5', '1.5'), util.format('no args %s'), util.format(), util.format(1, 2)],
                inspect: [util.inspect('abc'), util.inspect("it's"), util.inspect('it\'s "q"'), util.inspect({ a: 'x', b: [1, 2, { c: { d: { e: 1 } } }] }), util.inspect({ a: { b: { c: { d: 1 } } } }, { depth: 0 }),
                  util.inspect(new Map([[1, 'a']])), util.inspect(null), util.inspect(-0), util.inspect([1, 'a']), util.inspect(new Set([1])), util.inspect(Symbol('s')), util.inspect(10n), util.inspect(function foo() {}), util.inspect(Buffer.from('ab'))],
                symbols: [String(util.inspect.custom), String(util.promisify.custom)],
                types: [t.isDate(new Date()), t.isDate({}), t.isRegExp(/x/), t.isRegExp({ source: 'x' }), t.isPromise(Promise.resolve()), t.isPromise({ then() {} }), t.isTypedArray(new Uint8Array(1)), t.isTypedArray([]),
                  t.isTypedArray(new DataView(new ArrayBuffer(1))), t.isMap(new Map()), t.isMap(new WeakMap()), t.isSet(new Set()), t.isSet([]), t.isUint8Array(Buffer.alloc(1)), t.isArrayBuffer(new ArrayBuffer(1)),
                  t.isNativeError(new TypeError()), t.isAsyncFunction(async () => {}), t.isGeneratorFunction(function* () {}), t.isBoxedPrimitive(Object(1))],
                legacy: [util.isArray([]), util.isBoolean(false), util.isBuffer(Buffer.alloc(0)), util.isDate(new Date()), util.isError(new Error()), util.isFunction(() => 1), util.isNull(null), util.isNullOrUndefined(undefined),
                  util.isNumber(1), util.isObject(null), util.isPrimitive('x'), util.isRegExp(/a/), util.isString(''), util.isSymbol(Symbol()), util.isUndefined(undefined)],
                isDeepStrictEqual: [util.isDeepStrictEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), util.isDeepStrictEqual({ a: 1 }, { a: '1' }), util.isDeepStrictEqual(new Set([1, {}]), new Set([{}, 1])),
                  util.isDeepStrictEqual(new Map([[{ k: 1 }, 'v']]), new Map([[{ k: 1 }, 'v']])), util.isDeepStrictEqual([1, , 3], [1, undefined, 3]), util.isDeepStrictEqual(NaN, NaN), util.isDeepStrictEqual(0, -0),
                  util.isDeepStrictEqual(new Date(5), new Date(5)), util.isDeepStrictEqual(/a/g, /a/i), util.isDeepStrictEqual(Buffer.from('a'), new Uint8Array([97])), util.isDeepStrictEqual(Object.create(null), {}),
                  util.isDeepStrictEqual(new Error('x'), new Error('x')), util.isDeepStrictEqual(new Error('x'), new TypeError('x'))],
                text: [new util.TextEncoder().encode('é').length, new util.TextDecoder().decode(new Uint8Array([0xe2, 0x82, 0xac]))],
                strip: util.stripVTControlCharacters('\u001b[31mred\u001b[39m'), usv: util.toUSVString('a\ud800b'),
              };
            };
            """);

        AssertNodeOutput(result, """
            {
              "format": [
                "a=42 {\"x\":1} % extra",
                "a 1 { b: 2 }",
                "x y",
                "42 1.5",
                "no args %s",
                "",
                "1 2"
              ],
              "inspect": [
                "'abc'",
                "\"it's\"",
                "`it's \"q\"`",
                "{ a: 'x', b: [ 1, 2, { c: [Object] } ] }",
                "{ a: [Object] }",
                "Map(1) { 1 => 'a' }",
                "null",
                "-0",
                "[ 1, 'a' ]",
                "Set(1) { 1 }",
                "Symbol(s)",
                "10n",
                "[Function: foo]",
                "<Buffer 61 62>"
              ],
              "symbols": [
                "Symbol(nodejs.util.inspect.custom)",
                "Symbol(nodejs.util.promisify.custom)"
              ],
              "types": [
                true,
                false,
                true,
                false,
                true,
                false,
                true,
                false,
                false,
                true,
                false,
                true,
                false,
                true,
                true,
                true,
                true,
                true,
                true
              ],
              "legacy": [
                true,
                true,
                true,
                true,
                true,
                true,
                true,
                true,
                true,
                false,
                true,
                true,
                true,
                true,
                true
              ],
              "isDeepStrictEqual": [
                true,
                false,
                true,
                true,
                false,
                true,
                false,
                true,
                false,
                false,
                false,
                true,
                false
              ],
              "text": [
                2,
                "€"
              ],
              "strip": "red",
              "usv": "a�b"
            }
            """);
    }

    [Fact]
    public async Task UtilPromisifyAndCallbackifyFollowNode()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = async () => {
              const util = require('util');
              function cbStyle(a, b, cb) { setTimeout(() => (a < 0 ? cb(new Error('neg')) : cb(null, a + b, 'extra')), 1); }
              cbStyle.prop = 'kept';
              const p = util.promisify(cbStyle);
              const sum = await p(1, 2);
              let rejected;
              try { await p(-1, 0); } catch (e) { rejected = e.message; }
              function custom() {}
              custom[util.promisify.custom] = () => Promise.resolve('custom!');
              const customResult = await util.promisify(custom)();
              const slept = await util.promisify(setTimeout)(5, 'woke');
              const immediate = await util.promisify(setImmediate)('imm');
              const obj = { v: 10, get(cb) { cb(null, this.v); } };
              const bound = await util.promisify(obj.get).call(obj);
              const cbified = util.callbackify(async (x) => { if (x === 'fail') throw new Error('bad'); if (x === 'null') throw null; return x * 2; });
              const viaCb = (x) => new Promise((resolve) => cbified(x, (err, v) => resolve(err ? [err.message, err.code, err.reason === null] : v)));
              const errors = [() => util.promisify(42), () => util.callbackify('x'), () => cbified(1), () => util.deprecate(() => 1, 'm', 5)]
                .map((f) => { try { f(); return 'ok'; } catch (e) { return [e.name, e.code, e.message]; } });
              return {
                sum, rejected, customResult, slept, immediate, bound, same: util.promisify(p) === p, prop: p.prop, name: p.name, cbName: cbified.name, cbLength: cbified.length,
                callbacks: [await viaCb(21), await viaCb('fail'), await viaCb('null')], errors,
              };
            };
            """);

        AssertNodeOutput(result, """
            {
              "sum": 3,
              "rejected": "neg",
              "customResult": "custom!",
              "slept": "woke",
              "immediate": "imm",
              "bound": 10,
              "same": true,
              "prop": "kept",
              "name": "cbStyle",
              "cbName": "Callbackified",
              "cbLength": 2,
              "callbacks": [
                42,
                [
                  "bad",
                  null,
                  false
                ],
                [
                  "Promise was rejected with falsy value",
                  "ERR_FALSY_VALUE_REJECTION",
                  true
                ]
              ],
              "errors": [
                [
                  "TypeError",
                  "ERR_INVALID_ARG_TYPE",
                  "The \"original\" argument must be of type function. Received type number (42)"
                ],
                [
                  "TypeError",
                  "ERR_INVALID_ARG_TYPE",
                  "The \"original\" argument must be of type function. Received type string ('x')"
                ],
                [
                  "TypeError",
                  "ERR_INVALID_ARG_TYPE",
                  "The last argument must be of type function. Received type number (1)"
                ],
                [
                  "TypeError",
                  "ERR_INVALID_ARG_TYPE",
                  "The \"code\" argument must be of type string. Received type number (5)"
                ]
              ]
            }
            """);
    }

    [Fact]
    public async Task UtilInheritsServesOldStyleClassesAndEmitters()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => {
              const util = require('util');
              const EventEmitter = require('events');
              function Base() { this.base = true; }
              Base.prototype.hello = function () { return 'hi ' + this.name; };
              function Child(name) { Base.call(this); this.name = name; }
              util.inherits(Child, Base);
              function MyEmitter() { EventEmitter.call(this); }
              util.inherits(MyEmitter, EventEmitter);
              const emitter = new MyEmitter();
              let got;
              emitter.on('x', (v) => { got = v; });
              emitter.emit('x', 7);
              const child = new Child('bob');
              const errors = [() => util.inherits(null, Base), () => util.inherits(Child, null), () => util.inherits(Child, Object.create(null)), () => util.inherits(function () {}, { prototype: undefined })]
                .map((f) => { try { f(); return 'ok'; } catch (e) { return [e.code, e.message]; } });
              return { hello: child.hello(), instance: child instanceof Base, super: Child.super_ === Base, got, isEmitter: emitter instanceof EventEmitter, errors };
            };
            """);

        AssertNodeOutput(result, """
            {
              "hello": "hi bob",
              "instance": true,
              "super": true,
              "got": 7,
              "isEmitter": true,
              "errors": [
                [
                  "ERR_INVALID_ARG_TYPE",
                  "The \"ctor\" argument must be of type function. Received null"
                ],
                [
                  "ERR_INVALID_ARG_TYPE",
                  "The \"superCtor\" argument must be of type function. Received null"
                ],
                [
                  "ERR_INVALID_ARG_TYPE",
                  "The \"superCtor.prototype\" property must be of type object. Received undefined"
                ],
                [
                  "ERR_INVALID_ARG_TYPE",
                  "The \"superCtor.prototype\" property must be of type object. Received undefined"
                ]
              ]
            }
            """);
    }

    [Fact]
    public async Task UtilDeprecateWarnsOnceThroughConsoleWarn()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => {
              const util = require('util');
              const f = util.deprecate((x) => x + 1, 'f() is deprecated', 'DEP_TEST1');
              const g = util.deprecate(() => 'g', 'g() is deprecated', 'DEP_TEST1');
              const H = util.deprecate(function H(v) { this.v = v; }, 'H is deprecated');
              return [f(1), f(2), g(), new H(3).v, new H(4) instanceof H];
            };
            """);

        AssertNodeOutput(result, """
            [
              2,
              3,
              "g",
              3,
              true
            ]
            """);
        Assert.Equal(["[DEP_TEST1] DeprecationWarning: f() is deprecated", "DeprecationWarning: H is deprecated"], result.Messages());
        Assert.All(result.Logs, l => Assert.Equal("warn", l.Level));
    }

    [Fact]
    public async Task EventEmitterAddsOrdersAndRemovesListenersLikeNode()
    {
        var result = await RunAsync(fixture.Pool, """
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
            """);

        AssertNodeOutput(result, """
            {
              "log": [
                "ponce1",
                "first1",
                "a1",
                "b1",
                "once1",
                "first2",
                "a2",
                "b2"
              ],
              "emitted": [
                true,
                true,
                false
              ],
              "counts": [
                3,
                1,
                3,
                3,
                [
                  "ev"
                ]
              ],
              "after": 1,
              "names": [
                [
                  "ev",
                  "y"
                ],
                []
              ],
              "meta": [
                "removeListener",
                "z",
                "rm:z"
              ],
              "max": [
                10,
                true,
                1,
                10
              ],
              "symbolNames": [
                "s",
                "t",
                "Symbol(s)"
              ],
              "thisArg": [
                true
              ],
              "got": [
                1,
                2
              ],
              "onceWrapped": [
                true,
                false,
                true
              ],
              "order": [
                "first",
                "second",
                "first"
              ],
              "json": "{\"_events\":{},\"_eventsCount\":0}",
              "statics": [
                "function",
                true,
                "Symbol(events.errorMonitor)",
                1,
                1
              ]
            }
            """);
    }

    [Fact]
    public async Task EventEmitterThrowsUnhandledErrorsAndEventsOnceAwaitsOrRejects()
    {
        var result = await RunAsync(fixture.Pool, """
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
            """);

        AssertNodeOutput(result, """
            {
              "thrown": [
                [
                  "TypeError",
                  null,
                  "boom",
                  "no context"
                ],
                [
                  "Error",
                  "ERR_UNHANDLED_ERROR",
                  "Unhandled error. ('str')",
                  "str"
                ],
                [
                  "Error",
                  "ERR_UNHANDLED_ERROR",
                  "Unhandled error. ({ x: 1 })",
                  {
                    "x": 1
                  }
                ],
                [
                  "Error",
                  "ERR_UNHANDLED_ERROR",
                  "Unhandled error. (undefined)",
                  "no context"
                ],
                [
                  "TypeError",
                  "ERR_INVALID_ARG_TYPE",
                  "The \"listener\" argument must be of type function. Received type number (42)",
                  "no context"
                ],
                [
                  "RangeError",
                  "ERR_OUT_OF_RANGE",
                  "The value of \"setMaxListeners\" is out of range. It must be >= 0. Received -1",
                  "no context"
                ]
              ],
              "monitored": [
                "monitor:m1",
                "thrown:m1",
                "monitor:m2",
                "handled:m2",
                true
              ],
              "args": [
                1,
                "two"
              ],
              "rejected": "failed",
              "leftover": [
                0,
                0,
                0,
                0
              ],
              "badEmitter": [
                "ERR_INVALID_ARG_TYPE",
                "The \"emitter\" argument must be an instance of EventEmitter. Received an instance of Object"
              ]
            }
            """);
        Assert.Equal("Unhandled error. ('str')", result.JsonBody().GetProperty("thrown")[1][2].GetString());
    }

    [Fact]
    public async Task EventEmitterWarnsOnceWhenListenersExceedTheMaximum()
    {
        var result = await RunAsync(fixture.Pool, """
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

    [Fact]
    public async Task StringDecoderJoinsUtf8CharactersSplitAcrossWrites()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => {
              const { StringDecoder } = require('string_decoder');
              const run = (enc, chunks, last) => {
                const d = new StringDecoder(enc);
                const out = chunks.map((c) => d.write(Buffer.from(c)));
                out.push(last === undefined ? d.end() : d.end(Buffer.from(last)));
                return out;
              };
              const euro = [...Buffer.from('€')], smile = [...Buffer.from('😀')];
              return [run('utf8', [[euro[0]], [euro[1]], [euro[2]]]), run('utf8', [[euro[0], euro[1]]]), run('utf8', [[euro[0]], [0x41]]), run('utf8', [[smile[0], smile[1]], [smile[2]], [smile[3], 0x41]]),
                run('utf8', [[smile[0], smile[1], smile[2]]]), run('utf8', [[0xff, 0x41]]), run('utf8', [[0x41, 0xc3]], [0xa9]), run('utf8', [[0xe0, 0x80]]), run('utf8', [[0xed, 0xa0]]), run('utf8', [[0xf4, 0x90]]),
                run('utf8', [[0xc3], [0xc3, 0xa9]]), run('utf8', [[0xe2, 0x82], [0xe2, 0x82, 0xac]]), run('utf8', [[0xf0, 0x9f], [0x98]]), run('utf8', [[0xe0, 0x80, 0x41, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xf8]]),
                run('utf-8', [[0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f]]), run(undefined, [[0xe2, 0x82, 0xac, 0xe2]], [0x82, 0xac])];
            };
            """);

        AssertNodeOutput(result, """
            [
              [
                "",
                "",
                "€",
                ""
              ],
              [
                "",
                "�"
              ],
              [
                "",
                "�A",
                ""
              ],
              [
                "",
                "",
                "😀A",
                ""
              ],
              [
                "",
                "�"
              ],
              [
                "�A",
                ""
              ],
              [
                "A",
                "é"
              ],
              [
                "",
                "��"
              ],
              [
                "",
                "��"
              ],
              [
                "",
                "��"
              ],
              [
                "",
                "�é",
                ""
              ],
              [
                "",
                "�€",
                ""
              ],
              [
                "",
                "",
                "�"
              ],
              [
                "��A������",
                ""
              ],
              [
                "héllo",
                ""
              ],
              [
                "€",
                "€"
              ]
            ]
            """);
        Assert.Equal("""["","","€",""]""", result.JsonBody()[0].GetRawText());
    }

    [Fact]
    public async Task StringDecoderHandlesHexBase64Latin1AndUtf16()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => {
              const { StringDecoder } = require('string_decoder');
              const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
              const show = (s) => s.replace(lone, (c) => '\\u' + c.charCodeAt(0).toString(16));
              const run = (enc, chunks, last) => {
                const d = new StringDecoder(enc);
                const out = chunks.map((c) => d.write(Buffer.from(c)));
                out.push(last === undefined ? d.end() : d.end(Buffer.from(last)));
                return out.map(show);
              };
              const out = [run('hex', [[1, 2, 255], [16]]), run('base64', [[1], [2, 3, 4], [5]]), run('base64', [[1, 2, 3, 4, 5]]), run('base64', [[1], [2]]), run('base64url', [[250], [251, 252, 253]]),
                run('latin1', [[0xe9, 0x41]]), run('binary', [[0xff]]), run('ascii', [[0xe9, 0x41]]), run('utf16le', [[0x41], [0x00, 0x3d, 0xd8], [0x00, 0xde]]), run('utf16le', [[0x41, 0x00, 0x3d]]),
                run('utf16le', [[0x3d, 0xd8]]), run('ucs2', [[0x41, 0x00]]),
                ['', 'UTF-8', 'binary', 'UCS-2', 'Base64', 'HEX'].map((e) => new StringDecoder(e || undefined).encoding),
                new StringDecoder().write('abc'), new StringDecoder().end(), new StringDecoder().write(new Uint8Array([0x68, 0x69])), new StringDecoder('hex').write(new Uint16Array([0x0102]))];
              for (const f of [() => new StringDecoder('foo'), () => new StringDecoder().write(42), () => new StringDecoder().write([1])]) {
                try { f(); out.push('ok'); } catch (e) { out.push([e.name, e.code, e.message]); }
              }
              const d = new StringDecoder('utf8');
              d.write(Buffer.from([0xe2, 0x82]));
              out.push([d.lastNeed, d.lastTotal]);
              return out;
            };
            """);

        AssertNodeOutput(result, """
            [
              [
                "0102ff",
                "10",
                ""
              ],
              [
                "",
                "AQID",
                "",
                "BAU="
              ],
              [
                "AQID",
                "BAU="
              ],
              [
                "",
                "",
                "AQI="
              ],
              [
                "",
                "-vv8",
                "_Q"
              ],
              [
                "éA",
                ""
              ],
              [
                "ÿ",
                ""
              ],
              [
                "iA",
                ""
              ],
              [
                "",
                "A",
                "😀",
                ""
              ],
              [
                "A",
                ""
              ],
              [
                "",
                "\\ud83d"
              ],
              [
                "A",
                ""
              ],
              [
                "utf8",
                "utf8",
                "latin1",
                "utf16le",
                "base64",
                "hex"
              ],
              "abc",
              "",
              "hi",
              "0201",
              [
                "TypeError",
                "ERR_UNKNOWN_ENCODING",
                "Unknown encoding: foo"
              ],
              [
                "TypeError",
                "ERR_INVALID_ARG_TYPE",
                "The \"buf\" argument must be an instance of Buffer, TypedArray, or DataView. Received type number (42)"
              ],
              [
                "TypeError",
                "ERR_INVALID_ARG_TYPE",
                "The \"buf\" argument must be an instance of Buffer, TypedArray, or DataView. Received an instance of Array"
              ],
              [
                1,
                3
              ]
            ]
            """);
    }

    [Fact]
    public async Task AssertPassesWhereNodePasses()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = async () => {
              const assert = require('assert');
              let n = 0;
              const ok = (f) => { f(); n++; };
              ok(() => assert(true)); ok(() => assert.ok(1)); ok(() => assert.equal(1, '1')); ok(() => assert.equal(NaN, NaN)); ok(() => assert.notEqual(1, 2)); ok(() => assert.strictEqual(NaN, NaN));
              ok(() => assert.notStrictEqual(0, -0)); ok(() => assert.deepEqual({ a: 1 }, { a: '1' }));
              ok(() => assert.deepStrictEqual({ a: [1, { b: new Map([[1, new Set([2])]]) }] }, { a: [1, { b: new Map([[1, new Set([2])]]) }] }));
              ok(() => assert.notDeepStrictEqual({ a: 1 }, { a: '1' })); ok(() => assert.notDeepEqual({ a: 1 }, { a: 2 })); ok(() => assert.throws(() => { throw new TypeError('x'); }, TypeError));
              ok(() => assert.throws(() => { throw new Error('boom'); }, /boom/)); ok(() => assert.throws(() => { throw new Error('boom'); }, { message: 'boom', name: 'Error' }));
              ok(() => assert.throws(() => { throw new Error('boom'); }, { message: /bo/ })); ok(() => assert.throws(() => { throw new Error('boom'); }, (e) => e.message === 'boom'));
              ok(() => assert.doesNotThrow(() => 1)); ok(() => assert.match('abc', /b/)); ok(() => assert.doesNotMatch('abc', /x/)); ok(() => assert.ifError(null)); ok(() => assert.strict.equal(1, 1));
              ok(() => assert.deepStrictEqual(Object.assign(Object.create(null), { a: 1 }), Object.assign(Object.create(null), { a: 1 })));
              const circ1 = { a: 1 }; circ1.self = circ1; const circ2 = { a: 1 }; circ2.self = circ2;
              ok(() => assert.deepStrictEqual(circ1, circ2));
              await assert.rejects(Promise.reject(new Error('r')), /r/); n++;
              await assert.rejects(async () => { throw new TypeError('t'); }, TypeError); n++;
              await assert.doesNotReject(Promise.resolve(1)); n++;
              return [n, assert.strict.strict === assert.strict, assert.strict.deepEqual === assert.deepStrictEqual, typeof assert.AssertionError];
            };
            """);

        AssertNodeOutput(result, """
            [
              26,
              true,
              true,
              "function"
            ]
            """);
    }

    [Fact]
    public async Task AssertFailuresAreAssertionErrorsWithNodesMessages()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = async () => {
              const assert = require('assert');
              const out = [];
              const t = (f) => {
                try { f(); out.push('no throw'); } catch (e) {
                  out.push({ name: e.name, code: e.code, message: e.message, operator: e.operator, generated: e.generatedMessage, isAssertionError: e instanceof assert.AssertionError, string: String(e), stackHead: e.stack.split('\n')[0] });
                }
              };
              t(() => assert.deepStrictEqual({ a: 1, b: [1, 2] }, { a: 1, b: [1, 3] })); t(() => assert.deepStrictEqual({ a: 1 }, { a: '1' })); t(() => assert.deepStrictEqual([1, 2, 3], [1, 2, 3, 4]));
              t(() => assert.deepStrictEqual(new Map([['a', 1]]), new Map([['a', 2]]))); t(() => assert.deepStrictEqual(new Set([1, 2]), new Set([1, 3])));
              t(() => assert.deepStrictEqual({ z: 1, a: { x: 'str', y: null } }, { z: 1, a: { x: 'str', y: undefined } })); t(() => assert.strictEqual(1, 2)); t(() => assert.strictEqual('hello world', 'hello there'));
              t(() => assert.strictEqual({}, {})); t(() => assert.strictEqual([1], [2])); t(() => assert.notStrictEqual(1, 1)); t(() => assert.notStrictEqual('abcdefg', 'abcdefg'));
              t(() => assert.notDeepStrictEqual({ a: 1 }, { a: 1 })); t(() => assert.deepEqual({ a: 1 }, { a: 2 })); t(() => assert.notDeepEqual({ a: 1 }, { a: 1 })); t(() => assert.equal(1, 2)); t(() => assert.notEqual(1, '1'));
              t(() => assert.deepStrictEqual({ a: Symbol() }, { a: Symbol() })); t(() => assert.throws(() => {})); t(() => assert.throws(() => {}, TypeError)); t(() => assert.throws(() => {}, TypeError, 'msg'));
              t(() => assert.throws(() => { throw new Error('boom'); }, TypeError)); t(() => assert.throws(() => { throw new Error('boom'); }, /bam/)); t(() => assert.throws(() => { throw new Error('boom'); }, { message: 'bam' }));
              t(() => assert.throws(() => { throw new Error('boom'); }, (e) => false)); t(() => assert.fail()); t(() => assert.fail('custom')); t(() => assert.ok(0, 'custom msg')); t(() => assert.ok()); t(() => assert.deepStrictEqual(new Date(0), new Date(1)));
              t(() => assert.deepStrictEqual([1, [2, [3]]], [1, [2, [4]]])); t(() => assert.deepStrictEqual(Buffer.from('ab'), Buffer.from('ac'))); t(() => assert.deepStrictEqual({ a: 'x\ny' }, { a: 'x' }));
              t(() => assert.deepStrictEqual(null, undefined)); t(() => assert.deepStrictEqual(1, '1')); t(() => assert.deepStrictEqual([], {})); t(() => assert.match('abc', /x/)); t(() => assert.ifError(new Error('e1')));
              t(() => assert.doesNotThrow(() => { throw new Error('x'); })); t(() => assert.strictEqual(0, -0)); t(() => assert.deepStrictEqual(Object.create(null), {}));
              class Foo { constructor() { this.a = 1; } }
              t(() => assert.deepStrictEqual(new Foo(), { a: 1 })); t(() => assert.deepStrictEqual({ f() {}, g: () => 1 }, { f: 1 })); t(() => assert.strictEqual(1, 2, 'custom'));
              t(() => assert.deepStrictEqual({ a: 1 }, { a: 2 }, 'custom')); t(() => assert.equal(1, 2, new TypeError('mine'))); t(() => assert.strictEqual(1));
              t(() => assert.deepStrictEqual({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8 }, { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 9 }));
              t(() => assert.deepStrictEqual({ list: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], name: 'x' }, { list: [1, 2, 3, 4, 5, 6, 7, 8, 9, 11], name: 'x' }));
              try { await assert.rejects(Promise.resolve(1)); } catch (e) { out.push([e.name, e.message]); }
              try { await assert.rejects(async () => { throw new Error('x'); }, TypeError); } catch (e) { out.push([e.name, e.message]); }
              try { await assert.rejects(() => 1); } catch (e) { out.push([e.name, e.code, e.message]); }
              return out;
            };
            """);

        AssertNodeOutput(result, """
            [
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n    a: 1,\n    b: [\n      1,\n+     2\n-     3\n    ]\n  }",
                "operator": "deepStrictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n    a: 1,\n    b: [\n      1,\n+     2\n-     3\n    ]\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n+   a: 1\n-   a: '1'\n  }",
                "operator": "deepStrictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n+   a: 1\n-   a: '1'\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  [\n    1,\n    2,\n    3,\n-   4\n  ]",
                "operator": "deepStrictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n  [\n    1,\n    2,\n    3,\n-   4\n  ]",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Map(1) {\n+   'a' => 1\n-   'a' => 2\n  }",
                "operator": "deepStrictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Map(1) {\n+   'a' => 1\n-   'a' => 2\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Set(2) {\n    1,\n+   2\n-   3\n  }",
                "operator": "deepStrictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Set(2) {\n    1,\n+   2\n-   3\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n    a: {\n      x: 'str',\n+     y: null\n-     y: undefined\n    },\n    z: 1\n  }",
                "operator": "deepStrictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n    a: {\n      x: 'str',\n+     y: null\n-     y: undefined\n    },\n    z: 1\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly equal:\n\n1 !== 2\n",
                "operator": "strictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:\n\n1 !== 2\n",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly equal:\n+ actual - expected\n\n+ 'hello world'\n- 'hello there'\n         ^",
                "operator": "strictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:\n+ actual - expected\n\n+ 'hello world'\n- 'hello there'\n         ^",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Values have same structure but are not reference-equal:\n\n{}\n",
                "operator": "strictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Values have same structure but are not reference-equal:\n\n{}\n",
                "stackHead": "AssertionError [ERR_ASSERTION]: Values have same structure but are not reference-equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected \"actual\" to be reference-equal to \"expected\":\n+ actual - expected\n\n  [\n+   1\n-   2\n  ]",
                "operator": "strictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected \"actual\" to be reference-equal to \"expected\":\n+ actual - expected\n\n  [\n+   1\n-   2\n  ]",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected \"actual\" to be reference-equal to \"expected\":"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected \"actual\" to be strictly unequal to: 1",
                "operator": "notStrictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected \"actual\" to be strictly unequal to: 1",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected \"actual\" to be strictly unequal to: 1"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected \"actual\" to be strictly unequal to:\n\n'abcdefg'",
                "operator": "notStrictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected \"actual\" to be strictly unequal to:\n\n'abcdefg'",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected \"actual\" to be strictly unequal to:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected \"actual\" not to be strictly deep-equal to:\n\n{\n  a: 1\n}\n",
                "operator": "notDeepStrictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected \"actual\" not to be strictly deep-equal to:\n\n{\n  a: 1\n}\n",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected \"actual\" not to be strictly deep-equal to:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected values to be loosely deep-equal:\n\n{\n  a: 1\n}\n\nshould loosely deep-equal\n\n{\n  a: 2\n}",
                "operator": "deepEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be loosely deep-equal:\n\n{\n  a: 1\n}\n\nshould loosely deep-equal\n\n{\n  a: 2\n}",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be loosely deep-equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected \"actual\" not to be loosely deep-equal to:\n\n{\n  a: 1\n}",
                "operator": "notDeepEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected \"actual\" not to be loosely deep-equal to:\n\n{\n  a: 1\n}",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected \"actual\" not to be loosely deep-equal to:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "1 == 2",
                "operator": "==",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: 1 == 2",
                "stackHead": "AssertionError [ERR_ASSERTION]: 1 == 2"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "1 != '1'",
                "operator": "!=",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: 1 != '1'",
                "stackHead": "AssertionError [ERR_ASSERTION]: 1 != '1'"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Values have same structure but are not reference-equal:\n\n{\n  a: Symbol()\n}\n",
                "operator": "deepStrictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Values have same structure but are not reference-equal:\n\n{\n  a: Symbol()\n}\n",
                "stackHead": "AssertionError [ERR_ASSERTION]: Values have same structure but are not reference-equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Missing expected exception.",
                "operator": "throws",
                "generated": false,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Missing expected exception.",
                "stackHead": "AssertionError [ERR_ASSERTION]: Missing expected exception."
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Missing expected exception (TypeError).",
                "operator": "throws",
                "generated": false,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Missing expected exception (TypeError).",
                "stackHead": "AssertionError [ERR_ASSERTION]: Missing expected exception (TypeError)."
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Missing expected exception (TypeError): msg",
                "operator": "throws",
                "generated": false,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Missing expected exception (TypeError): msg",
                "stackHead": "AssertionError [ERR_ASSERTION]: Missing expected exception (TypeError): msg"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "The error is expected to be an instance of \"TypeError\". Received \"Error\"\n\nError message:\n\nboom",
                "operator": "throws",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: The error is expected to be an instance of \"TypeError\". Received \"Error\"\n\nError message:\n\nboom",
                "stackHead": "AssertionError [ERR_ASSERTION]: The error is expected to be an instance of \"TypeError\". Received \"Error\""
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "The input did not match the regular expression /bam/. Input:\n\n'Error: boom'\n",
                "operator": "throws",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: The input did not match the regular expression /bam/. Input:\n\n'Error: boom'\n",
                "stackHead": "AssertionError [ERR_ASSERTION]: The input did not match the regular expression /bam/. Input:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Comparison {\n+   message: 'boom'\n-   message: 'bam'\n  }",
                "operator": "throws",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Comparison {\n+   message: 'boom'\n-   message: 'bam'\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "The validation function is expected to return \"true\". Received false\n\nCaught error:\n\nError: boom",
                "operator": "throws",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: The validation function is expected to return \"true\". Received false\n\nCaught error:\n\nError: boom",
                "stackHead": "AssertionError [ERR_ASSERTION]: The validation function is expected to return \"true\". Received false"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Failed",
                "operator": "fail",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Failed",
                "stackHead": "AssertionError [ERR_ASSERTION]: Failed"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "custom",
                "operator": "fail",
                "generated": false,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: custom",
                "stackHead": "AssertionError [ERR_ASSERTION]: custom"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "custom msg",
                "operator": "==",
                "generated": false,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: custom msg",
                "stackHead": "AssertionError [ERR_ASSERTION]: custom msg"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "No value argument passed to `assert.ok()`",
                "operator": "==",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: No value argument passed to `assert.ok()`",
                "stackHead": "AssertionError [ERR_ASSERTION]: No value argument passed to `assert.ok()`"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ 1970-01-01T00:00:00.000Z\n- 1970-01-01T00:00:00.001Z\n                        ^",
                "operator": "deepStrictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ 1970-01-01T00:00:00.000Z\n- 1970-01-01T00:00:00.001Z\n                        ^",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  [\n    1,\n    [\n      2,\n      [\n+       3\n-       4\n      ]\n    ]\n  ]",
                "operator": "deepStrictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n  [\n    1,\n    [\n      2,\n      [\n+       3\n-       4\n      ]\n    ]\n  ]",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Buffer(2) [Uint8Array] [\n    97,\n+   98\n-   99\n  ]",
                "operator": "deepStrictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Buffer(2) [Uint8Array] [\n    97,\n+   98\n-   99\n  ]",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n+   a: 'x\\ny'\n-   a: 'x'\n  }",
                "operator": "deepStrictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n+   a: 'x\\ny'\n-   a: 'x'\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ null\n- undefined",
                "operator": "deepStrictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ null\n- undefined",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n\n1 !== '1'\n",
                "operator": "deepStrictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n\n1 !== '1'\n",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ []\n- {}",
                "operator": "deepStrictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ []\n- {}",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "The input did not match the regular expression /x/. Input:\n\n'abc'\n",
                "operator": "match",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: The input did not match the regular expression /x/. Input:\n\n'abc'\n",
                "stackHead": "AssertionError [ERR_ASSERTION]: The input did not match the regular expression /x/. Input:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "ifError got unwanted exception: e1",
                "operator": "ifError",
                "generated": false,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: ifError got unwanted exception: e1",
                "stackHead": "AssertionError [ERR_ASSERTION]: ifError got unwanted exception: e1"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Got unwanted exception.\nActual message: \"x\"",
                "operator": "doesNotThrow",
                "generated": false,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Got unwanted exception.\nActual message: \"x\"",
                "stackHead": "AssertionError [ERR_ASSERTION]: Got unwanted exception."
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly equal:\n+ actual - expected\n\n+ 0\n- -0",
                "operator": "strictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:\n+ actual - expected\n\n+ 0\n- -0",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ [Object: null prototype] {}\n- {}",
                "operator": "deepStrictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ [Object: null prototype] {}\n- {}",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ Foo {\n- {\n    a: 1\n  }",
                "operator": "deepStrictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ Foo {\n- {\n    a: 1\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n+   f: [Function: f],\n+   g: [Function: g]\n-   f: 1\n  }",
                "operator": "deepStrictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n+   f: [Function: f],\n+   g: [Function: g]\n-   f: 1\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "custom\n\n1 !== 2\n",
                "operator": "strictEqual",
                "generated": false,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: custom\n\n1 !== 2\n",
                "stackHead": "AssertionError [ERR_ASSERTION]: custom"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "custom\n+ actual - expected\n\n  {\n+   a: 1\n-   a: 2\n  }",
                "operator": "deepStrictEqual",
                "generated": false,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: custom\n+ actual - expected\n\n  {\n+   a: 1\n-   a: 2\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: custom"
              },
              {
                "name": "TypeError",
                "message": "mine",
                "isAssertionError": false,
                "string": "TypeError: mine",
                "stackHead": "TypeError: mine"
              },
              {
                "name": "TypeError",
                "code": "ERR_MISSING_ARGS",
                "message": "The \"actual\" and \"expected\" arguments must be specified",
                "isAssertionError": false,
                "string": "TypeError [ERR_MISSING_ARGS]: The \"actual\" and \"expected\" arguments must be specified",
                "stackHead": "TypeError [ERR_MISSING_ARGS]: The \"actual\" and \"expected\" arguments must be specified"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected ... Lines skipped\n\n  {\n    a: 1,\n...\n    f: 6,\n    g: 7,\n+   h: 8\n-   h: 9\n  }",
                "operator": "deepStrictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected ... Lines skipped\n\n  {\n    a: 1,\n...\n    f: 6,\n    g: 7,\n+   h: 8\n-   h: 9\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError",
                "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected ... Lines skipped\n\n  {\n    list: [\n...\n      8,\n      9,\n+     10\n-     11\n    ],\n    name: 'x'\n  }",
                "operator": "deepStrictEqual",
                "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected ... Lines skipped\n\n  {\n    list: [\n...\n      8,\n      9,\n+     10\n-     11\n    ],\n    name: 'x'\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              [
                "AssertionError",
                "Missing expected rejection."
              ],
              [
                "AssertionError",
                "The error is expected to be an instance of \"TypeError\". Received \"Error\"\n\nError message:\n\nx"
              ],
              [
                "TypeError",
                "ERR_INVALID_RETURN_VALUE",
                "Expected instance of Promise to be returned from the \"promiseFn\" function but got type number (1)."
              ]
            ]
            """);
        var first = result.JsonBody()[0];
        Assert.Equal("AssertionError", first.GetProperty("name").GetString());
        Assert.Equal("ERR_ASSERTION", first.GetProperty("code").GetString());
        Assert.StartsWith("Expected values to be strictly deep-equal:", first.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssertRendersValuesInItsDiffsAsNodeDoes()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => {
              const assert = require('assert');
              const out = [];
              const t = (a, b, op = 'deepStrictEqual') => { try { assert[op](a, b); out.push('no throw'); } catch (e) { out.push(e.message); } };
              const c1 = { name: 'c' }; c1.self = c1; const c2 = { name: 'd' }; c2.self = c2;
              t(c1, c2); t({ 'a-b': 1, [Symbol('s')]: 2 }, { 'a-b': 1 }); t([1, , 3], [1, 2, 3]); t(Object.assign([1, 2], { extra: true }), [1, 2]); t(new Uint8Array([1, 2]), new Uint8Array([1, 3]));
              t(new Map([[{ k: 1 }, [1, 2]]]), new Map([[{ k: 1 }, [1, 3]]])); t(Object.assign(Object.create(null), { z: 1, a: 2 }), Object.assign(Object.create(null), { z: 1, a: 3 }));
              t({ get g() { return 5; }, s: 1 }, { g: 6, s: 1 }); t([new Date(0)], [new Date(1)]); t({ r: /a/g }, { r: /a/i }); t({ n: -0 }, { n: 0 }); t({ big: 10n, u: undefined }, { big: 11n, u: undefined });
              t({ s: new Set(['b', 'a', 'c']) }, { s: new Set(['a', 'b', 'd']) }); t({ nested: { deeper: { deepest: { x: [1, { y: 'z' }] } } } }, { nested: { deeper: { deepest: { x: [1, { y: 'w' }] } } } });
              class Point { constructor(x, y) { this.x = x; this.y = y; } }
              t(new Point(1, 2), new Point(1, 3)); t([new Point(1, 2)], [{ x: 1, y: 2 }]);
              t('a'.repeat(30), 'a'.repeat(29) + 'b', 'strictEqual'); t('line1\nline2\nline3 is long enough to split', 'line1\nline2\nline3 is different enough to split', 'strictEqual');
              t(Array.from({ length: 30 }, (_, i) => i), Array.from({ length: 30 }, (_, i) => (i === 15 ? -1 : i))); t({ a: [], b: {} }, { a: [], b: { c: 1 } }); t([[]], [[1]]);
              t(Object(1), Object(2)); t(Object('ab'), Object('ac')); t(new ArrayBuffer(2), new ArrayBuffer(3)); t({ f: function named() {}, c: class K {}, a: async () => {} }, {});
              t(1, 2, 'notStrictEqual'); t({ a: 1 }, { a: 1 }, 'notStrictEqual'); t([1, 2], [1, 2], 'notDeepStrictEqual'); t('x', 'x', 'notDeepEqual'); t({ a: 'x' }, { a: 'y' }, 'deepEqual');
              t(NaN, 1, 'equal'); t('a\'b', 'c', 'equal');
              return out;
            };
            """);

        AssertNodeOutput(result, """
            [
              "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  <ref *1> {\n+   name: 'c',\n-   name: 'd',\n    self: [Circular *1]\n  }",
              "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n    'a-b': 1,\n+   [Symbol(s)]: 2\n  }",
              "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  [\n    1,\n+   <1 empty item>,\n-   2,\n    3\n  ]",
              "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  [\n    1,\n    2,\n+   extra: true\n  ]",
              "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Uint8Array(2) [\n    1,\n+   2\n-   3\n  ]",
              "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Map(1) {\n    {\n      k: 1\n    } => [\n      1,\n+     2\n-     3\n    ]\n  }",
              "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  [Object: null prototype] {\n+   a: 2,\n-   a: 3,\n    z: 1\n  }",
              "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n+   g: [Getter: 5],\n-   g: 6,\n    s: 1\n  }",
              "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  [\n+   1970-01-01T00:00:00.000Z\n-   1970-01-01T00:00:00.001Z\n  ]",
              "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n+   r: /a/g\n-   r: /a/i\n  }",
              "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n+   n: -0\n-   n: 0\n  }",
              "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n+   big: 10n,\n-   big: 11n,\n    u: undefined\n  }",
              "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n    s: Set(3) {\n      'a',\n      'b',\n+     'c'\n-     'd'\n    }\n  }",
              "Expected values to be strictly deep-equal:\n+ actual - expected ... Lines skipped\n\n  {\n    nested: {\n...\n            1,\n            {\n+             y: 'z'\n-             y: 'w'\n            }\n...\n      }\n    }\n  }",
              "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Point {\n    x: 1,\n+   y: 2\n-   y: 3\n  }",
              "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  [\n+   Point {\n-   {\n      x: 1,\n      y: 2\n    }\n  ]",
              "Expected values to be strictly equal:\n+ actual - expected\n\n+ 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'\n- 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaab'\n                                ^",
              "Expected values to be strictly equal:\n+ actual - expected\n\n+ 'line1\\nline2\\nline3 is long enough to split'\n- 'line1\\nline2\\nline3 is different enough to split'",
              "Expected values to be strictly deep-equal:\n+ actual - expected ... Lines skipped\n\n  [\n    0,\n...\n    13,\n    14,\n+   15,\n-   -1,\n    16,\n...\n    28,\n    29\n  ]",
              "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n    a: [],\n+   b: {}\n-   b: {\n-     c: 1\n-   }\n  }",
              "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  [\n+   []\n-   [\n-     1\n-   ]\n  ]",
              "Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ [Number: 1]\n- [Number: 2]\n           ^",
              "Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ [String: 'ab']\n- [String: 'ac']\n             ^",
              "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  ArrayBuffer {\n+   [Uint8Contents]: <00 00>,\n+   byteLength: 2\n-   [Uint8Contents]: <00 00 00>,\n-   byteLength: 3\n  }",
              "Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ {\n+   a: [AsyncFunction: a],\n+   c: [class K],\n+   f: [Function: named]\n+ }\n- {}",
              "no throw",
              "no throw",
              "Expected \"actual\" not to be strictly deep-equal to:\n\n[\n  1,\n  2\n]\n",
              "Expected \"actual\" not to be loosely deep-equal to:\n\n'x'",
              "Expected values to be loosely deep-equal:\n\n{\n  a: 'x'\n}\n\nshould loosely deep-equal\n\n{\n  a: 'y'\n}",
              "NaN == 1",
              "\"a'b\" == 'c'"
            ]
            """);
    }

    [Fact]
    public async Task CryptoHashesAndHmacsMatchNode()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => {
              const c = require('crypto');
              const t = (f) => { try { return f(); } catch (e) { return [e.name, e.code === undefined ? null : e.code, e.message]; } };
              return {
                hash: [c.createHash('sha256').update('abc').digest('hex'), c.createHash('SHA256').update('a').update('bc').digest('base64'), c.createHash('sha-256').update('abc').digest('hex'),
                  c.createHash('RSA-SHA256').update('abc').digest('hex'), c.createHash('md5').update('abc').digest('hex'), c.createHash('sha1').update('abc').digest('hex'),
                  c.createHash('sha384').update('abc').digest('hex'), c.createHash('sha512').update('abc').digest('base64url'), c.createHash('sha1').update('616263', 'hex').digest('latin1'),
                  c.createHash('sha256').update('é', 'latin1').digest('hex'), c.createHash('sha256').update('é').digest('hex'), c.createHash('md5').update(new Uint16Array([1, 2])).digest('hex'),
                  c.createHash('md5').update(new DataView(new ArrayBuffer(2))).digest('hex'), c.createHash('sha256').digest().toString('hex'), c.createHash('sha256').digest() instanceof Buffer,
                  c.createHash('sha256').digest('buffer').length, c.createHash('sha256').update('a').copy().update('bc').digest('hex'), c.createHash('sha1').update(Buffer.from('x'.repeat(100000))).digest('hex')],
                hmac: [c.createHmac('sha256', 'key').update('abc').digest('hex'), c.createHmac('sha1', Buffer.from('key')).update('abc').digest('base64'), c.createHmac('md5', 'key').update('abc').digest('hex'),
                  c.createHmac('sha512', 'k'.repeat(200)).update('abc').digest('hex'), c.createHmac('sha256', '').update('').digest('hex'),
                  c.createHmac('SHA384', new Uint8Array([1, 2, 3])).update('a').update(Buffer.from('b')).digest('base64')],
                finalized: [t(() => { const h = c.createHash('sha256'); h.digest(); return h.digest(); }), t(() => { const h = c.createHash('sha256'); h.digest(); return h.update('x'); }),
                  t(() => { const h = c.createHmac('sha256', 'k'); h.digest(); return h.digest('hex'); }), t(() => { const h = c.createHmac('sha256', 'k'); h.digest(); return h.digest().length; }),
                  t(() => { const h = c.createHmac('sha256', 'k'); h.digest(); return h.update('x'); })],
                invalid: [t(() => c.createHash('sha256').update(42)), t(() => c.createHash()), t(() => c.createHmac('sha256')), t(() => c.createHmac('nope', 'k'))],
              };
            };
            """);

        AssertNodeOutput(result, """
            {
              "hash": [
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                "900150983cd24fb0d6963f7d28e17f72",
                "a9993e364706816aba3e25717850c26c9cd0d89d",
                "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
                "3a81oZNherrMQXNJriBBMRLm-k6JqX6iCp7u5ktV05ohkpkqJ0_BqDa6PCOj_uu9RU1EI2Q86A4qmslPpUyknw",
                "©>6G\u0006jº>%qxPÂlÐØ",
                "de2e331d891ae267a7009cb45b4e8830f170e0c937288ea2731a1941c7a53b0d",
                "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c",
                "99ffb3d9eeadc24aa4f9b13530176bf8",
                "c4103f122d27677c9db144cae1394a66",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                true,
                32,
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                "f6ee99edde6199a3e982c46ef72bdd5cb5e41ddf"
              ],
              "hmac": [
                "9c196e32dc0175f86f4b1cb89289d6619de6bee699e4c378e68309ed97a1a6ab",
                "T9CyFSdu8S8rPkyOysKBFJi2Vvw=",
                "d2fe98063f876b03193afb49b4979591",
                "600057e6cba9ce3e078c0ae32f0ba3a786002d1da4853945c899aa7678f932f03c77200044e668ac0ae89029a08cae59b9ed7f93ffed3b39371e4d4f08c3c376",
                "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad",
                "sWHV6h3m5S8zD0mUdR7kE/6vNxJwwVUNQiRFjaV/Xub0DGHbxpfYfcyK1nMb3i8r"
              ],
              "finalized": [
                [
                  "Error",
                  "ERR_CRYPTO_HASH_FINALIZED",
                  "Digest already called"
                ],
                [
                  "Error",
                  "ERR_CRYPTO_HASH_FINALIZED",
                  "Digest already called"
                ],
                "",
                0,
                [
                  "Error",
                  "ERR_CRYPTO_HASH_FINALIZED",
                  "Digest already called"
                ]
              ],
              "invalid": [
                [
                  "TypeError",
                  "ERR_INVALID_ARG_TYPE",
                  "The \"data\" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received type number (42)"
                ],
                [
                  "TypeError",
                  "ERR_INVALID_ARG_TYPE",
                  "The \"algorithm\" argument must be of type string. Received undefined"
                ],
                [
                  "TypeError",
                  "ERR_INVALID_ARG_TYPE",
                  "The \"key\" argument must be of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey. Received undefined"
                ],
                [
                  "TypeError",
                  "ERR_CRYPTO_INVALID_DIGEST",
                  "Invalid digest: nope"
                ]
              ]
            }
            """);
        var json = result.JsonBody();
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", json.GetProperty("hash")[0].GetString());
        Assert.Equal("9c196e32dc0175f86f4b1cb89289d6619de6bee699e4c378e68309ed97a1a6ab", json.GetProperty("hmac")[0].GetString());
    }

    [Fact]
    public async Task CryptoRandomBytesUuidsAndTimingSafeEqualFollowNode()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = async () => {
              const c = require('crypto');
              const t = (f) => { try { return f(); } catch (e) { return [e.name, e.code, e.message]; } };
              const fromCallback = await new Promise((resolve, reject) => c.randomBytes(16, (err, b) => (err ? reject(err) : resolve(b))));
              const intFromCallback = await new Promise((resolve) => c.randomInt(10, (err, v) => resolve(v)));
              return {
                sizes: [c.randomBytes(8).length, c.randomBytes(70000).length, c.randomBytes(0).length, c.randomBytes(1.5).length, c.randomBytes(4) instanceof Buffer, fromCallback.length],
                distinct: c.randomBytes(16).toString('hex') !== c.randomBytes(16).toString('hex'),
                uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(c.randomUUID()),
                values: c.getRandomValues(new Uint8Array(4)).length,
                ints: [Array.from({ length: 50 }, () => c.randomInt(3)).every((x) => x >= 0 && x < 3), c.randomInt(5, 6), intFromCallback >= 0 && intFromCallback < 10],
                filled: c.randomFillSync(Buffer.alloc(4)).length,
                timingSafeEqual: [c.timingSafeEqual(Buffer.from('ab'), Buffer.from('ab')), c.timingSafeEqual(Buffer.from('ab'), Buffer.from('ac')), c.timingSafeEqual(new Uint8Array([1]), new Uint8Array([1]))],
                errors: [t(() => c.timingSafeEqual(Buffer.from('ab'), Buffer.from('abc'))), t(() => c.timingSafeEqual('ab', 'ab')), t(() => c.randomBytes(-1)), t(() => c.randomBytes('a'))],
                hashes: c.getHashes().filter((h) => ['md5', 'sha1', 'sha256', 'sha384', 'sha512'].includes(h)),
              };
            };
            """);

        AssertNodeOutput(result, """
            {
              "sizes": [
                8,
                70000,
                0,
                1,
                true,
                16
              ],
              "distinct": true,
              "uuid": true,
              "values": 4,
              "ints": [
                true,
                5,
                true
              ],
              "filled": 4,
              "timingSafeEqual": [
                true,
                false,
                true
              ],
              "errors": [
                [
                  "RangeError",
                  "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH",
                  "Input buffers must have the same byte length"
                ],
                [
                  "TypeError",
                  "ERR_INVALID_ARG_TYPE",
                  "The \"buf1\" argument must be an instance of ArrayBuffer, Buffer, TypedArray, or DataView."
                ],
                [
                  "RangeError",
                  "ERR_OUT_OF_RANGE",
                  "The value of \"size\" is out of range. It must be >= 0 && <= 2147483647. Received -1"
                ],
                [
                  "TypeError",
                  "ERR_INVALID_ARG_TYPE",
                  "The \"size\" argument must be of type number. Received type string ('a')"
                ]
              ],
              "hashes": [
                "md5",
                "sha1",
                "sha256",
                "sha384",
                "sha512"
              ]
            }
            """);
    }

    [Fact]
    public async Task CryptoNamesAnAlgorithmItCannotCompute()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => [() => require('crypto').createHash('sha3-256'), () => require('crypto').createHmac('whirlpool', 'key')]
              .map((f) => { try { f(); return 'ok'; } catch (e) { return { name: e.name, code: e.code, message: e.message }; } });
            """);

        var json = result.JsonBody();
        Assert.Equal("Error", json[0].GetProperty("name").GetString());
        Assert.Contains("'sha3-256'", json[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("Digest method not supported", json[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("TypeError", json[1].GetProperty("name").GetString());
        Assert.Equal("ERR_CRYPTO_INVALID_DIGEST", json[1].GetProperty("code").GetString());
        Assert.Equal("Invalid digest: whirlpool", json[1].GetProperty("message").GetString());
    }

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
    public async Task AnAllowedModuleGranaryDoesNotImplementFailsAsNotAvailable()
    {
        var options = new JavaScriptRuntimeOptions { WarmIsolates = 1 };
        options.AllowedBuiltinModules += ",http";
        using var pool = new IsolatePool(Options.Create(options), NullLogger<IsolatePool>.Instance);

        var result = await RunAsync(pool, """
            module.exports = () => ['http', 'node:http', 'os', 'path'].map((m) => {
              try { return typeof require(m); } catch (e) { return { code: e.code, message: e.message }; }
            });
            """);

        var json = result.JsonBody();
        Assert.Equal("ERR_MODULE_NOT_AVAILABLE", json[0].GetProperty("code").GetString());
        Assert.Contains("'http'", json[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("ERR_MODULE_NOT_AVAILABLE", json[1].GetProperty("code").GetString());
        Assert.Equal("ERR_MODULE_NOT_ALLOWED", json[2].GetProperty("code").GetString());
        Assert.Equal("object", json[3].GetString());
    }

    [Fact]
    public async Task AModuleOffTheAllowListFailsAsNotAllowed()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => ['http', 'node:os', 'child_process', 'zlib'].map((m) => {
              try { require(m); return 'loaded'; } catch (e) { return { code: e.code, message: e.message }; }
            });
            """);

        var json = result.JsonBody();
        Assert.All(json.EnumerateArray(), e => Assert.Equal("ERR_MODULE_NOT_ALLOWED", e.GetProperty("code").GetString()));
        Assert.Contains("'http'", json[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("'os'", json[1].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- the same code under the installed node, run live
    // These run one function body in an isolate and under `node -e` (working directory '/', as a function's is) and
    // compare the JSON both return, so they follow whatever Node 20 prints rather than a pasted copy of it.

    [Fact]
    public async Task UtilInspectAndFormatLayOutValuesAsLiveNodeDoes()
    {
        await AssertSameAsNodeAsync("""
            const util = require('util');
            const circular = { name: 'a' }; circular.self = circular;
            const twice = { x: [1] }; twice.x.push(twice);
            const getters = { get g() { return 1; }, set s(v) {}, get gs() { return 2; }, set gs(v) {} };
            const bare = new Error('boom'); bare.stack = undefined;
            const coded = new TypeError('bad'); coded.stack = undefined; coded.code = 'E_X';
            const traced = new Error('msg'); traced.stack = 'Error: msg\n    at f (file.js:1:1)'; traced.extra = { a: 1 };
            class Point { constructor() { this.x = 1; this.y = 2; } }
            const wide = {}; for (let i = 0; i < 12; i++) wide['key' + i] = 'value' + i;
            const nested = { a: 1, b: { c: 2, d: [1, 2, 3], e: { f: 'g' } }, h: 'a string', i: [{ j: 1 }, { k: 2 }] };
            return {
              primitives: ['str', "it's", 'a"b\'c', 'tab\tnl\n', -0, 10n, Symbol('x'), null, undefined].map((v) => util.inspect(v)),
              circular: [util.inspect(circular), util.inspect(twice), util.inspect([circular, circular])],
              depth: [util.inspect({ a: { b: { c: { d: 1 } } } }), util.inspect({ a: { b: { c: {} } } }), util.inspect({ a: { b: 1 } }, { depth: 0 }), util.inspect([[1, [2, [3, [4]]]]])],
              layout: [util.inspect([1, 2, 3, 4, 5, 6, 7]), util.inspect(Array.from({ length: 30 }, (_, i) => i * i)), util.inspect(Array.from({ length: 101 }, (_, i) => i)), util.inspect(wide), util.inspect(nested), util.inspect(nested, { compact: false }), util.inspect(nested, { breakLength: Infinity }), util.inspect(nested, { sorted: true, compact: true })],
              collections: [util.inspect(new Map([['a', 1], [{ x: 1 }, [1, 2]]])), util.inspect(new Set([1, 'two', [3]])), util.inspect(new Map()), util.inspect(new Uint8Array([1, 2, 3])), util.inspect(Buffer.from('hi')), util.inspect(new ArrayBuffer(2)), util.inspect([1, , 3]), util.inspect(new URLSearchParams('a=1&b=2'))],
              objects: [util.inspect(Object.create(null)), util.inspect(Object.assign(Object.create(null), { a: 1 })), util.inspect(new Point()), util.inspect({ '$x': 1, 'a-b': 2, ok_1: 3, [Symbol('s')]: 4 }), util.inspect(getters), util.inspect(getters, { getters: true }), util.inspect(new Number(3)), util.inspect(new String('ab'))],
              functions: [util.inspect(function named() {}), util.inspect(() => {}), util.inspect(async function af() {}), util.inspect(function* gen() {}), util.inspect(class Foo {}), util.inspect(class Bar extends Map {}), util.inspect(Object.assign(function f() {}, { x: 1 }))],
              dates: [util.inspect(new Date(86400000)), util.inspect(new Date(NaN)), util.inspect(/ab+c/gi)],
              errors: [util.inspect(bare), util.inspect(coded), util.inspect({ err: bare }), util.inspect(traced), util.inspect({ nested: traced })],
              custom: [util.inspect({ [util.inspect.custom]() { return 'CUSTOM'; } }), util.inspect({ x: { [util.inspect.custom](depth) { return { depth }; } } })],
              format: [util.format('%s %d %i %f %j %%', 'a', 42.5, 42.5, '3.5', { a: 1 }), util.format('%s', { a: { b: 1 } }), util.format('%o', [1, 2]), util.format('%O', { a: { b: { c: { d: 1 } } } }),
                util.format('%s', -0), util.format('%d', 12n), util.format('%c%s', 'css', 'x'), util.format('x', 'y', 3, { a: 1 }), util.format('%s'), util.format('%% %s', 'a'), util.format('%s', Buffer.from('hi')),
                util.format('%s', new (class B { toString() { return 'B!'; } })()), util.format('%j', circular)],
            };
            """);
    }

    [Fact]
    public async Task PathQuerystringAndLegacyUrlAgreeWithLiveNode()
    {
        await AssertSameAsNodeAsync("""
            const path = require('path'), qs = require('querystring'), url = require('url');
            const paths = ['', '/', '//', '///a', 'a/', '/a/b/c/', 'a/b/../c', '../../x/./y', '/..', './', '..', 'a//b', '/a/b.txt', 'file.tar.gz', '.bashrc', 'a/b.', '..a', 'x/./y/../../..'];
            const urls = ['http://user:pass@host.com:8080/p/a/t/h?query=string#hash', 'HTTP://EXAMPLE.com/A?B#C', '/just/a/path?x=1&y=2', '//host/path', 'mailto:user@example.com',
              'javascript:alert(1)', 'http://[::1]:3000/x', 'http://a.com/p a t h?q="x"', 'file:///etc/passwd', 'http://x.com\\path\\to?a\\b', ' http://trim.com/  ', 'http://a@b@c/', 'http://ünicode.example/p', '?only=query'];
            return {
              path: paths.map((p) => [path.normalize(p), path.dirname(p), path.basename(p), path.basename(p, '.txt'), path.extname(p), path.isAbsolute(p), path.parse(p), path.resolve(p), path.resolve('/base', p), path.relative('/a/b', p || '/')]),
              join: [path.join(), path.join('/a', 'b', '../c', './d'), path.join('a', '', 'b/'), path.format({ root: '/', name: 'f', ext: 'txt' })],
              parse: [qs.parse('a=1&b=2&a=3&c&d=&=e&&f=x+y%20z&g=%E2%82%AC&h=%ZZ'), qs.parse('a:1;b:2', ';', ':'), qs.parse('x=1&y=2&z=3', null, null, { maxKeys: 2 }), qs.parse('%E9=%E9')],
              stringify: [qs.stringify({ a: 1, b: [2, 3], c: 'x y', d: true, e: null, f: undefined, g: NaN, h: 'é&=', i: [] }), qs.stringify({ a: 1, b: 2 }, ';', ':'), qs.escape("a b!'()*~"), qs.unescape('%E9%')],
              urlParse: urls.map((u) => [url.parse(u), url.parse(u, true)]),
              resolve: [url.resolve('/one/two/three', 'four'), url.resolve('http://example.com/one', '/two'), url.resolve('http://a.com/b/c/d', '../e'), url.resolve('http://a.com/b', '//other.com/x'), url.resolve('mailto:a@b.com', 'c@d.com')],
              format: [url.format({ protocol: 'https', hostname: 'example.com', pathname: '/p', query: { page: 1, arr: [1, 2] } }), url.format({ auth: 'us er:p@ss', host: 'h.com', protocol: 'http' }), url.format(new URL('https://u:p@a.com/x?y=1#z'), { auth: false, search: false, fragment: false })],
              require: [require('node:path') === path, require('node:path').join('/a', '..', 'b')],
            };
            """);
    }

    [Fact]
    public async Task CryptoDigestsMatchKnownVectorsAndLiveNode()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => {
              const crypto = require('crypto');
              return [crypto.createHash('sha256').update('hello').digest('hex'), crypto.createHmac('sha256', 'key').update('The quick brown fox jumps over the lazy dog').digest('hex')];
            };
            """);
        Assert.Equal("""["2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"]""", result.Text());

        await AssertSameAsNodeAsync("""
            const crypto = require('crypto');
            const inputs = ['', 'abc', 'héllo €😀', Buffer.alloc(70000, 7)];
            const digests = [];
            for (const alg of ['md5', 'sha1', 'sha256', 'sha384', 'sha512', 'SHA256', 'RSA-SHA1']) {
              for (const input of inputs) {
                const chunked = crypto.createHash(alg);
                if (typeof input === 'string') { for (const ch of input) chunked.update(ch); } else chunked.update(input);
                digests.push([crypto.createHash(alg).update(input).digest('hex'), chunked.digest('base64'), crypto.createHash(alg).update(input).digest('base64url'),
                  crypto.createHash(alg).update(input).digest('latin1'), crypto.createHmac(alg, 'k').update(input).digest('hex'), crypto.createHmac(alg, Buffer.alloc(200, 1)).update(input).digest('base64')]);
              }
            }
            const h = crypto.createHash('sha256').update('a');
            const copy = h.copy().update('b');
            const errors = [() => crypto.createHash('md5').update(1), () => { const x = crypto.createHash('md5'); x.digest(); x.digest(); }, () => { const x = crypto.createHash('md5'); x.digest(); x.update('a'); },
              () => crypto.timingSafeEqual(Buffer.from('a'), Buffer.from('ab')), () => crypto.createHmac('nope', 'k'), () => crypto.randomBytes(-1), () => crypto.randomInt(5, 5)]
              .map((f) => { try { f(); return 'ok'; } catch (e) { return [e.name, e.code, e.message]; } });
            return {
              digests, copy: [h.digest('hex'), copy.digest('hex')], encodings: [crypto.createHash('sha1').update('ff00', 'hex').digest('hex'), crypto.createHash('sha1').update('aGk=', 'base64').digest('hex'), crypto.createHash('sha1').update('é', 'latin1').digest('hex')],
              hmacTwice: (() => { const m = crypto.createHmac('md5', 'k'); m.digest(); return m.digest('hex'); })(),
              timingSafe: [crypto.timingSafeEqual(Buffer.from('abc'), Buffer.from('abc')), crypto.timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))],
              random: [crypto.randomBytes(70000).length, crypto.randomUUID().length, Array.from({ length: 100 }, () => crypto.randomInt(-3, 3)).every((n) => n >= -3 && n < 3)],
              errors,
            };
            """);
    }

    [Fact]
    public async Task EventsStringDecoderAndAssertBehaveAsLiveNode()
    {
        await AssertSameAsNodeAsync("""
            const EventEmitter = require('events');
            const { StringDecoder } = require('string_decoder');
            const assert = require('assert');
            const e = new EventEmitter();
            const log = [];
            e.on('newListener', (n) => log.push('new:' + String(n)));
            e.on('removeListener', (n) => log.push('rm:' + String(n)));
            const f = (x) => log.push('f' + x);
            e.on('a', f); e.prependListener('a', (x) => log.push('g' + x)); e.once('a', (x) => log.push('once' + x)); e.prependOnceListener('a', (x) => log.push('ponce' + x));
            log.push(e.listenerCount('a'), e.eventNames(), e.emit('a', 1), e.emit('a', 2), e.emit('none'));
            e.off('a', f); e.removeAllListeners('a'); log.push(e.eventNames());
            const thrown = [() => e.emit('error', new Error('boom')), () => e.emit('error'), () => e.emit('error', { a: 1 }), () => e.setMaxListeners(-1)]
              .map((g) => { try { g(); return 'ok'; } catch (x) { return [x.name, x.code, x.message]; } });
            const decode = (enc, chunks) => { const d = new StringDecoder(enc); return chunks.map((c) => d.write(Buffer.from(c))).concat([d.end()]); };
            const euro = [...Buffer.from('€')], smile = [...Buffer.from('😀')];
            const failures = [() => assert.strictEqual(1, 2), () => assert.deepStrictEqual({ a: 1, b: [1, 2] }, { a: 1, b: [1, 3] }), () => assert.equal(1, 2), () => assert(false), () => assert.notStrictEqual(1, 1),
              () => assert.throws(() => {}), () => assert.throws(() => { throw new TypeError('x'); }, RangeError), () => assert.match('abc', /x/), () => assert.fail('boom'), () => assert.strict.equal(1, '1')]
              .map((g) => { try { g(); return 'ok'; } catch (x) { return [x.name, x.code, x.message, x.operator, x.generatedMessage, String(x)]; } });
            return {
              log, thrown,
              decoded: [decode('utf8', [[euro[0]], [euro[1]], [euro[2]]]), decode('utf8', [[smile[0], smile[1]], [smile[2], smile[3]]]), decode('utf8', [[0xe2, 0x82]]), decode('utf8', [[0xe0, 0x80, 0x41, 0xed, 0xa0, 0x80]]),
                decode('utf16le', [[0x3d, 0xd8], [0x00, 0xde, 0x61], [0x00]]), decode('base64', [[1], [2, 3, 4]]), decode('hex', [[0xab, 0x01]]), decode('latin1', [[0xe9]]), decode('ascii', [[0xe9]])],
              failures,
            };
            """);
    }

    // Runs `body` (statements ending in a return) as a function in an isolate and under node, and compares the JSON.
    private async Task AssertSameAsNodeAsync(string body)
    {
        var result = await RunAsync(fixture.Pool, $"module.exports = () => {{\n{body}\n}};");
        Assert.Equal(200, result.StatusCode);
        AssertNodeOutput(result, await RunNodeAsync($"process.stdout.write(JSON.stringify((() => {{\n{body}\n}})()));"));
    }

    // Node must be installed for these tests: they fail rather than skip without it.
    private static async Task<string> RunNodeAsync(string script)
    {
        var start = new System.Diagnostics.ProcessStartInfo("node")
        {
            WorkingDirectory = "/",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-e");
        start.ArgumentList.Add(script);
        System.Diagnostics.Process? node;
        try
        {
            node = System.Diagnostics.Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Assert.Fail($"install node: apt-get install -y nodejs ({ex.Message})");
            throw;
        }

        Assert.NotNull(node);
        using (node)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            var stdout = node.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = node.StandardError.ReadToEndAsync(timeout.Token);
            await node.WaitForExitAsync(timeout.Token);
            Assert.True(node.ExitCode == 0, $"node exited with {node.ExitCode}: {await stderr}");
            return await stdout;
        }
    }

    // Compares the function's JSON with Node's, after one serializer has written both (so escaping cannot differ).
    private static void AssertNodeOutput(ExecutionResult result, string nodeJson) =>
        Assert.Equal(JsonNode.Parse(nodeJson)!.ToJsonString(), JsonNode.Parse(result.Text())!.ToJsonString());
}
