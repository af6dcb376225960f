namespace Granary.Runtime.Tests.JavaScript.Builtins;

/// <summary>
/// The same function body in an isolate and under the installed node, run live: these follow whatever Node 20 prints
/// rather than a pasted copy of it, across util.inspect and util.format, path, querystring and the legacy url, and
/// events, string_decoder and assert together.
/// </summary>
[Collection(nameof(BuiltinModules))]
public sealed class LiveNodeTests(IsolatePoolFixture fixture)
{
    public static TheoryData<string> Cases => new(s_cases.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public Task ReturnsWhatTheInstalledNodeReturns(string name) =>
        LiveNode.AssertSameAsync(fixture.Pool, s_cases.Single(c => c.Name == name).Body);

    // Each body is statements ending in a return.
    private static readonly (string Name, string Body)[] s_cases =
    [
        (
            "UtilInspectAndFormatLayOutValuesAsLiveNodeDoes",
            """
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
            """),
        (
            "PathQuerystringAndLegacyUrlAgreeWithLiveNode",
            """
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
            """),
        (
            "EventsStringDecoderAndAssertBehaveAsLiveNode",
            """
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
            """),
    ];
}
