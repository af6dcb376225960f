namespace Granary.Runtime.Tests.JavaScript.Builtins;

/// <summary>
/// require('url') (builtins/url.js): Node 20's legacy url.parse objects, url.format and url.resolve, file URL
/// conversions, and the WHATWG URL classes it shares with the globals.
/// </summary>
[Collection(nameof(BuiltinModules))]
public sealed class UrlTests(IsolatePoolFixture fixture) : NodeCaseTests<UrlTests>(fixture), INodeCases
{
    public static IReadOnlyList<NodeCase> NodeCases { get; } =
    [
        new(
            "ParseReturnsNodesLegacyUrlObjects",
            """
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
            """,
            """
            {
              "keys": ["protocol", "slashes", "auth", "host", "port", "hostname", "hash", "search", "query", "pathname", "path", "href"],
              "isUrl": true,
              "full": {
                "protocol": "https:", "slashes": true, "auth": "user:pass", "host": "sub.example.com:8080", "port": "8080",
                "hostname": "sub.example.com", "hash": "#hash", "search": "?query=string&a=1", "query": "query=string&a=1", "pathname": "/p/a/t/h",
                "path": "/p/a/t/h?query=string&a=1", "href": "https://user:pass@sub.example.com:8080/p/a/t/h?query=string&a=1#hash"
              },
              "slashesDenoteHost": {
                "protocol": null, "slashes": true, "auth": null, "host": "host", "port": null, "hostname": "host", "hash": null, "search": null,
                "query": null, "pathname": "/path", "path": "/path", "href": "//host/path"
              },
              "parsed": [
                {
                  "protocol": "https:", "slashes": true, "auth": null, "host": "example.com", "port": null, "hostname": "example.com", "hash": null,
                  "search": "?x=1&x=2&y=a+b",
                  "query": {"x": ["1", "2"], "y": "a b"},
                  "pathname": "/a", "path": "/a?x=1&x=2&y=a+b", "href": "https://example.com/a?x=1&x=2&y=a+b"
                },
                {
                  "protocol": null, "slashes": null, "auth": null, "host": null, "port": null, "hostname": null, "hash": null, "search": "?q=1",
                  "query": "q=1", "pathname": "/just/a/path", "path": "/just/a/path?q=1", "href": "/just/a/path?q=1"
                },
                {
                  "protocol": null, "slashes": null, "auth": null, "host": null, "port": null, "hostname": null, "hash": null, "search": null,
                  "query": null, "pathname": "/just/a/path", "path": "/just/a/path", "href": "/just/a/path"
                },
                {
                  "protocol": null, "slashes": null, "auth": null, "host": null, "port": null, "hostname": null, "hash": null, "search": null,
                  "query": null, "pathname": "//host/path", "path": "//host/path", "href": "//host/path"
                },
                {
                  "protocol": "mailto:", "slashes": null, "auth": "someone", "host": "example.com", "port": null, "hostname": "example.com",
                  "hash": null, "search": null, "query": null, "pathname": null, "path": null, "href": "mailto:someone@example.com"
                },
                {
                  "protocol": "javascript:", "slashes": null, "auth": null, "host": null, "port": null, "hostname": null, "hash": null, "search": null,
                  "query": null, "pathname": "alert(1)", "path": "alert(1)", "href": "javascript:alert(1)"
                },
                {
                  "protocol": "http:", "slashes": true, "auth": null, "host": "[::1]:3000", "port": "3000", "hostname": "::1", "hash": null,
                  "search": null, "query": null, "pathname": "/x", "path": "/x", "href": "http://[::1]:3000/x"
                },
                {
                  "protocol": "http:", "slashes": true, "auth": null, "host": "example.com", "port": null, "hostname": "example.com", "hash": null,
                  "search": null, "query": null, "pathname": "/", "path": "/", "href": "http://example.com/"
                },
                {
                  "protocol": "http:", "slashes": true, "auth": null, "host": "a.com", "port": null, "hostname": "a.com", "hash": "#f%20g",
                  "search": "?d%20e", "query": "d%20e", "pathname": "/b%20c", "path": "/b%20c?d%20e", "href": "http://a.com/b%20c?d%20e#f%20g"
                },
                {
                  "protocol": "http:", "slashes": true, "auth": null, "host": "a.com", "port": null, "hostname": "a.com", "hash": null,
                  "search": "?d%5Ce", "query": "d%5Ce", "pathname": "/b/c", "path": "/b/c?d%5Ce", "href": "http://a.com/b/c?d%5Ce"
                },
                {
                  "protocol": "file:", "slashes": true, "auth": null, "host": "", "port": null, "hostname": "", "hash": null, "search": null,
                  "query": null, "pathname": "/etc/passwd", "path": "/etc/passwd", "href": "file:///etc/passwd"
                },
                {
                  "protocol": "http:", "slashes": true, "auth": null, "host": "x.com", "port": null, "hostname": "x.com", "hash": null, "search": null,
                  "query": null, "pathname": "/a%20b%3Cc%3E%22d", "path": "/a%20b%3Cc%3E%22d", "href": "http://x.com/a%20b%3Cc%3E%22d"
                },
                {
                  "protocol": "http:", "slashes": true, "auth": null, "host": "xn--nicode-2ya.example", "port": null,
                  "hostname": "xn--nicode-2ya.example", "hash": null, "search": null, "query": null, "pathname": "/", "path": "/",
                  "href": "http://xn--nicode-2ya.example/"
                },
                {
                  "protocol": "http:", "slashes": true, "auth": "a@b", "host": "c", "port": null, "hostname": "c", "hash": null, "search": null,
                  "query": null, "pathname": "/", "path": "/", "href": "http://a%40b@c/"
                },
                {
                  "protocol": "http:", "slashes": true, "auth": "user name:p@ss", "host": "host.com", "port": null, "hostname": "host.com",
                  "hash": null, "search": null, "query": null, "pathname": "/", "path": "/", "href": "http://user%20name:p%40ss@host.com/"
                },
                {
                  "protocol": "ws:", "slashes": true, "auth": null, "host": "h:1", "port": "1", "hostname": "h", "hash": null, "search": "?",
                  "query": "", "pathname": "/", "path": "/?", "href": "ws://h:1/?"
                },
                {
                  "protocol": "http:", "slashes": true, "auth": null, "host": "a.com", "port": null, "hostname": "a.com", "hash": "#frag?notquery",
                  "search": null, "query": null, "pathname": "/", "path": "/", "href": "http://a.com/#frag?notquery"
                },
                {
                  "protocol": "git+ssh:", "slashes": true, "auth": "git", "host": "github.com", "port": null, "hostname": "github.com", "hash": null,
                  "search": null, "query": null, "pathname": "/:org/repo.git", "path": "/:org/repo.git",
                  "href": "git+ssh://git@github.com/:org/repo.git"
                },
                {
                  "protocol": "urn:", "slashes": null, "auth": null, "host": "isbn:0451450523", "port": "0451450523", "hostname": "isbn", "hash": null,
                  "search": null, "query": null, "pathname": null, "path": null, "href": "urn:isbn:0451450523"
                },
                {
                  "protocol": null, "slashes": null, "auth": null, "host": null, "port": null, "hostname": null, "hash": null, "search": null,
                  "query": null, "pathname": "www.example.com/path", "path": "www.example.com/path", "href": "www.example.com/path"
                },
                {
                  "protocol": "localhost:", "slashes": null, "auth": null, "host": "3000", "port": null, "hostname": "3000", "hash": null,
                  "search": null, "query": null, "pathname": "/path", "path": "/path", "href": "localhost:3000/path"
                },
                {
                  "protocol": null, "slashes": null, "auth": null, "host": null, "port": null, "hostname": null, "hash": null, "search": "?q=1",
                  "query": "q=1", "pathname": null, "path": "?q=1", "href": "?q=1"
                },
                {
                  "protocol": null, "slashes": null, "auth": null, "host": null, "port": null, "hostname": null, "hash": "#frag", "search": null,
                  "query": null, "pathname": null, "path": null, "href": "#frag"
                },
                {
                  "protocol": "http:", "slashes": true, "auth": null, "host": "", "port": null, "hostname": "", "hash": null, "search": null,
                  "query": null, "pathname": null, "path": null, "href": "http://"
                },
                {
                  "protocol": "file:", "slashes": null, "auth": null, "host": null, "port": null, "hostname": null, "hash": null, "search": null,
                  "query": null, "pathname": "/abs", "path": "/abs", "href": "file:///abs"
                },
                {
                  "protocol": "http:", "slashes": true, "auth": null, "host": "ex.com", "port": null, "hostname": "ex.com", "hash": null,
                  "search": "?x=1", "query": "x=1", "pathname": "/", "path": "/?x=1", "href": "http://ex.com/?x=1"
                },
                {
                  "protocol": null, "slashes": null, "auth": null, "host": null, "port": null, "hostname": null, "hash": null, "search": null,
                  "query": null, "pathname": "x", "path": "x", "href": "x"
                },
                {
                  "protocol": null, "slashes": null, "auth": null, "host": null, "port": null, "hostname": null, "hash": null, "search": null,
                  "query": null, "pathname": null, "path": null, "href": ""
                }
              ]
            }
            """,
            json =>
            {
                var full = json.GetProperty("full");
                Assert.Equal("user:pass", full.GetProperty("auth").GetString());
                Assert.Equal("sub.example.com:8080", full.GetProperty("host").GetString());
                Assert.Equal("/p/a/t/h?query=string&a=1", full.GetProperty("path").GetString());
            }),
        new(
            "FormatAndResolveFollowNode",
            """
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
            """,
            """
            {
              "format": [
                "https://example.com:8080/a b%23c?x=1&x=2&y=z%20w", "http://us%20er:p%40ss@h.com?q=1#frag", "mailto:a@b.com", "file:///etc",
                "[::1]:80x", "http://a.com/b?c#d", "http://a.com/x?y=1#z", "https://u:p@a.com:8443/p?q=1#h", "https://a.com/p"
              ],
              "resolve": [
                "/one/two/four", "http://example.com/one", "http://example.com/two", "http://a.com/g", "http://a.com/b/c?x=1", "http://other.com/x",
                "https://b.com/", "mailto:c@d.com", "http://a.com/b/", "http://a.com/c"
              ]
            }
            """),
        new(
            "ConvertsFileUrlsAndSharesTheWhatwgClasses",
            """
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
            """,
            """
            {
              "same": true,
              "toPath": ["/tmp/a b/c.txt", "/etc/x", "/b/€"],
              "toUrl": ["file:///tmp/a%20b%23c%3Fd%25e", "file:///tmp/dir/", "file:///rel/x", "file:///%C3%A9%5Bx%5D%7E"],
              "isUrl": true,
              "httpOptions": {
                "protocol": "https:", "hostname": "::1", "hash": "#c", "search": "?b=1", "pathname": "/a", "path": "/a?b=1",
                "href": "https://u:p@[::1]:8443/a?b=1#c", "port": 8443, "auth": "u:p"
              },
              "errors": [
                ["TypeError", "ERR_INVALID_URL_SCHEME", "The URL must be of scheme file"],
                ["TypeError", "ERR_INVALID_FILE_URL_HOST", "File URL host must be \"localhost\" or empty on linux"],
                ["TypeError", "ERR_INVALID_FILE_URL_PATH", "File URL path must not include encoded / characters"],
                ["TypeError", "ERR_INVALID_ARG_TYPE", "The \"path\" argument must be of type string or an instance of URL. Received type number (42)"],
                ["TypeError", "ERR_INVALID_ARG_TYPE", "The \"url\" argument must be of type string. Received type number (42)"],
                ["TypeError", "ERR_INVALID_ARG_TYPE", "The \"urlObject\" argument must be one of type object or string. Received type number (42)"]
              ]
            }
            """),
    ];
}
