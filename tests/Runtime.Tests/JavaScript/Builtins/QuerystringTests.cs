namespace Granary.Runtime.Tests.JavaScript.Builtins;

/// <summary>
/// require('querystring') (builtins/querystring.js): parse, stringify, escape and unescape as Node 20 does them,
/// repeated keys, pluses, malformed escapes and custom separators included.
/// </summary>
[Collection(nameof(BuiltinModules))]
public sealed class QuerystringTests(IsolatePoolFixture fixture) : NodeCaseTests<QuerystringTests>(fixture), INodeCases
{
    public static IReadOnlyList<NodeCase> NodeCases { get; } =
    [
        new(
            "ParsesRepeatedKeysAndPlusesAndStringifiesArrays",
            """
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
            """,
            """
            {
              "parse": [
                {"a": ["1", "3"], "b": "2", "c": ""},
                {"x": "a b c", "y": "€", "z": "%zz", "w": "�"},
                {"a": "b=c", "": ["x", ""], "d": ""},
                {"a": "1", "b": "2"},
                {"a": "1", "b": "2"},
                {"好": "好 好"},
                {},
                {},
                {"a[]": ["1", "2"]},
                {"a": "AB", "b": "%4"},
                {"a": "1", "b": "2"},
                {"sep": "1", "x": "2"},
                {"K": "V"},
                {"a": "😀", "b": "�"},
                {"a b": "c d"},
                {"toString": "1", "__proto__": "2", "constructor": "3"}
              ],
              "nullPrototype": true,
              "stringify": [
                "a=1&a=2&b=x%20y&c=&d=true&e=&f=&g=&h=1e%2B21&i=10&k=&sp%20ace=%E2%82%AC%2F%3F%26%3D", "a:1;b:2", "", "", "W=A B",
                "%E2%82%AC=%F0%9F%98%80&arr=a&arr=b%20c&n=0&f=1.5"
              ],
              "escape": ["a%20b%26c%3Dd%2F%C3%A9!'()*~", "42", "a b+c%zz", "�", "a+A%4", "a b"],
              "aliases": [true, true]
            }
            """,
            json =>
            {
                Assert.Equal("""{"a":["1","3"],"b":"2","c":""}""", json.GetProperty("parse")[0].GetRawText());
                Assert.Equal("a b c", json.GetProperty("parse")[1].GetProperty("x").GetString());
            }),
    ];
}
