using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.JavaScript.Builtins;

/// <summary>
/// require('util') (builtins/util.js): format, inspect, types and deep equality, promisify and callbackify,
/// inherits, and deprecate's warnings, as Node 20 has them.
/// </summary>
[Collection(nameof(BuiltinModules))]
public sealed class UtilTests(IsolatePoolFixture fixture) : NodeCaseTests<UtilTests>(fixture), INodeCases
{
    [Fact]
    public async Task DeprecateWarnsOnceThroughConsoleWarn()
    {
        var result = await RunAsync(Pool, """
            module.exports = () => {
              const util = require('util');
              const f = util.deprecate((x) => x + 1, 'f() is deprecated', 'DEP_TEST1');
              const g = util.deprecate(() => 'g', 'g() is deprecated', 'DEP_TEST1');
              const H = util.deprecate(function H(v) { this.v = v; }, 'H is deprecated');
              return [f(1), f(2), g(), new H(3).v, new H(4) instanceof H];
            };
            """);

        NodeCase.AssertNodeOutput(result, """
            [2, 3, "g", 3, true]
            """);
        Assert.Equal(["[DEP_TEST1] DeprecationWarning: f() is deprecated", "DeprecationWarning: H is deprecated"], result.Messages());
        Assert.All(result.Logs, l => Assert.Equal("warn", l.Level));
    }

    public static IReadOnlyList<NodeCase> NodeCases { get; } =
    [
        new(
            "FormatsInspectsChecksTypesAndComparesDeeply",
            """
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
            """,
            """
            {
              "format": ["a=42 {\"x\":1} % extra", "a 1 { b: 2 }", "x y", "42 1.5", "no args %s", "", "1 2"],
              "inspect": [
                "'abc'", "\"it's\"", "`it's \"q\"`", "{ a: 'x', b: [ 1, 2, { c: [Object] } ] }", "{ a: [Object] }", "Map(1) { 1 => 'a' }", "null", "-0",
                "[ 1, 'a' ]", "Set(1) { 1 }", "Symbol(s)", "10n", "[Function: foo]", "<Buffer 61 62>"
              ],
              "symbols": ["Symbol(nodejs.util.inspect.custom)", "Symbol(nodejs.util.promisify.custom)"],
              "types": [true, false, true, false, true, false, true, false, false, true, false, true, false, true, true, true, true, true, true],
              "legacy": [true, true, true, true, true, true, true, true, true, false, true, true, true, true, true],
              "isDeepStrictEqual": [true, false, true, true, false, true, false, true, false, false, false, true, false],
              "text": [2, "€"],
              "strip": "red",
              "usv": "a�b"
            }
            """),
        new(
            "PromisifyAndCallbackifyFollowNode",
            """
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
            """,
            """
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
              "callbacks": [42, ["bad", null, false], ["Promise was rejected with falsy value", "ERR_FALSY_VALUE_REJECTION", true]],
              "errors": [
                ["TypeError", "ERR_INVALID_ARG_TYPE", "The \"original\" argument must be of type function. Received type number (42)"],
                ["TypeError", "ERR_INVALID_ARG_TYPE", "The \"original\" argument must be of type function. Received type string ('x')"],
                ["TypeError", "ERR_INVALID_ARG_TYPE", "The last argument must be of type function. Received type number (1)"],
                ["TypeError", "ERR_INVALID_ARG_TYPE", "The \"code\" argument must be of type string. Received type number (5)"]
              ]
            }
            """),
        new(
            "InheritsServesOldStyleClassesAndEmitters",
            """
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
            """,
            """
            {
              "hello": "hi bob",
              "instance": true,
              "super": true,
              "got": 7,
              "isEmitter": true,
              "errors": [
                ["ERR_INVALID_ARG_TYPE", "The \"ctor\" argument must be of type function. Received null"],
                ["ERR_INVALID_ARG_TYPE", "The \"superCtor\" argument must be of type function. Received null"],
                ["ERR_INVALID_ARG_TYPE", "The \"superCtor.prototype\" property must be of type object. Received undefined"],
                ["ERR_INVALID_ARG_TYPE", "The \"superCtor.prototype\" property must be of type object. Received undefined"]
              ]
            }
            """),
        new(
            "UtilPromisifiesCallbackifiesFormatsStylesAndChecksTypesLikeNode",
            """
            module.exports = async () => {
              const util = require('util');
              const types = require('util/types');
              function legacy(a, b, cb) { setTimeout(() => cb(a < 0 ? new Error('negative') : null, a + b), 1); }
              const sum = await util.promisify(legacy)(1, 2);
              const failed = await util.promisify(legacy)(-1, 2).catch((e) => e.message);
              function custom() {}
              custom[util.promisify.custom] = () => Promise.resolve('custom');
              const viaCustom = [await util.promisify(custom)(), util.promisify(custom) === custom[util.promisify.custom], util.promisify.custom === Symbol.for('nodejs.util.promisify.custom')];
              const callbackified = await new Promise((resolve) => util.callbackify(async (x) => x * 2)(21, (err, v) => resolve([err, v])));
              const falsy = await new Promise((resolve) => util.callbackify(() => Promise.reject(null))((err) => resolve([err.code, err.message, err.reason])));
              function Base() {} Base.prototype.hello = function () { return 'hi'; };
              function Derived() { Base.call(this); }
              util.inherits(Derived, Base);
              const deprecated = util.deprecate(() => 'still works', 'do not', 'DEP_X');
              const formatted = [
                util.format('%s:%d:%i:%f:%j:%o:%O:%%', 'a', 4.5, 4.5, '1.5', { j: 1 }, [1], { o: { p: 1 } }),
                util.format('extra', 1, 'two', { three: 3 }),
                util.formatWithOptions({ compact: false }, '%O', { a: { b: 1 } }),
                util.inspect({ a: [1, 2, { b: new Map([[1, { c: new Set([1]) }]]) }], s: 'str', f() {}, d: new Date(0), r: /x/g, n: null, u: undefined, sym: Symbol('s') }, { depth: 4 }),
                util.inspect('x'.repeat(5), { colors: true }),
                util.inspect(new Error('e')).split('\n')[0],
                util.inspect(Object.create(null)),
                util.inspect(new (class Foo { constructor() { this.x = 1; } })()),
              ];
              const deep = [util.isDeepStrictEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), util.isDeepStrictEqual([1], ['1']), util.isDeepStrictEqual(new Set([1, 2]), new Set([2, 1]))];
              const typeChecks = [types.isPromise(Promise.resolve()), types.isDate(new Date()), types.isRegExp(/x/), types.isUint8Array(Buffer.from('x')), types.isAsyncFunction(async () => {}), types.isGeneratorFunction(function* () {}), types.isMap(new Map()), types.isNativeError(new TypeError()), types.isBoxedPrimitive(Object(1)), types.isArrayBufferView(new DataView(new ArrayBuffer(1))), types.isAnyArrayBuffer(new ArrayBuffer(1)), util.types === types];
              const text = [new util.TextEncoder().encode('é').length, new util.TextDecoder().decode(new Uint8Array([0xc3, 0xa9]))];
              const debug = util.debuglog('granary-test');
              const styled = [util.styleText(['bold', 'red'], 'x'), util.styleText('red', 'x', { validateStream: false }), Object.keys(util.inspect.colors).length, util.inspect.colors.grey === util.inspect.colors.gray, util.inspect.styles.number];
              const badStyle = (() => { try { util.styleText('nope', 'x'); } catch (e) { return [e.code, e.message.slice(0, 60)]; } })();
              const errors = [util.getSystemErrorName(-2), util.getSystemErrorName(-111), util.getSystemErrorMap().size, util.getSystemErrorMap().get(-13)];
              const ac = new AbortController();
              const abortedPromise = util.aborted(ac.signal, {}).then(() => 'aborted');
              ac.abort();
              return {
                sum, failed, viaCustom, callbackified, falsy, inherits: [new Derived().hello(), Derived.super_ === Base, new Derived() instanceof Base], deprecated: deprecated(), formatted, deep, typeChecks, text,
                debug: [typeof debug, debug.enabled], styled, badStyle, errors, aborted: await abortedPromise,
                utilKeys: ['callbackify', 'debuglog', 'deprecate', 'format', 'formatWithOptions', 'inherits', 'inspect', 'isDeepStrictEqual', 'promisify', 'stripVTControlCharacters', 'styleText', 'toUSVString', 'types', 'aborted', 'log', 'getSystemErrorName', 'getSystemErrorMap', 'transferableAbortSignal', 'transferableAbortController', 'TextEncoder', 'TextDecoder'].filter((k) => !(k in util)),
                typeKeys: Object.keys(types).sort(),
              };
            };
            """,
            """
            {
              "sum": 3,
              "failed": "negative",
              "viaCustom": [
                "custom",
                true,
                true
              ],
              "callbackified": [
                null,
                42
              ],
              "falsy": [
                "ERR_FALSY_VALUE_REJECTION",
                "Promise was rejected with falsy value",
                null
              ],
              "inherits": [
                "hi",
                true,
                true
              ],
              "deprecated": "still works",
              "formatted": [
                "a:4.5:4:1.5:{\"j\":1}:[ 1, [length]: 1 ]:{ o: { p: 1 } }:%",
                "extra 1 two { three: 3 }",
                "{\n  a: {\n    b: 1\n  }\n}",
                "{\n  a: [\n    1,\n    2,\n    { b: Map(1) { 1 => { c: [Set] } } }\n  ],\n  s: 'str',\n  f: [Function: f],\n  d: 1970-01-01T00:00:00.000Z,\n  r: /x/g,\n  n: null,\n  u: undefined,\n  sym: Symbol(s)\n}",
                "\u001b[32m'xxxxx'\u001b[39m",
                "Error: e",
                "[Object: null prototype] {}",
                "Foo { x: 1 }"
              ],
              "deep": [
                true,
                false,
                true
              ],
              "typeChecks": [
                true,
                true,
                true,
                true,
                true,
                true,
                true,
                true,
                true,
                true,
                true,
                true
              ],
              "text": [
                2,
                "é"
              ],
              "debug": [
                "function",
                false
              ],
              "styled": [
                "\u001b[1m\u001b[31mx\u001b[39m\u001b[22m",
                "\u001b[31mx\u001b[39m",
                44,
                true,
                "yellow"
              ],
              "badStyle": [
                "ERR_INVALID_ARG_VALUE",
                "The argument 'format' must be one of: 'reset', 'bold', 'dim'"
              ],
              "errors": [
                "ENOENT",
                "ECONNREFUSED",
                84,
                [
                  "EACCES",
                  "permission denied"
                ]
              ],
              "aborted": "aborted",
              "utilKeys": [],
              "typeKeys": [
                "isAnyArrayBuffer",
                "isArgumentsObject",
                "isArrayBuffer",
                "isArrayBufferView",
                "isAsyncFunction",
                "isBigInt64Array",
                "isBigIntObject",
                "isBigUint64Array",
                "isBooleanObject",
                "isBoxedPrimitive",
                "isCryptoKey",
                "isDataView",
                "isDate",
                "isExternal",
                "isFloat32Array",
                "isFloat64Array",
                "isGeneratorFunction",
                "isGeneratorObject",
                "isInt16Array",
                "isInt32Array",
                "isInt8Array",
                "isKeyObject",
                "isMap",
                "isMapIterator",
                "isModuleNamespaceObject",
                "isNativeError",
                "isNumberObject",
                "isPromise",
                "isProxy",
                "isRegExp",
                "isSet",
                "isSetIterator",
                "isSharedArrayBuffer",
                "isStringObject",
                "isSymbolObject",
                "isTypedArray",
                "isUint16Array",
                "isUint32Array",
                "isUint8Array",
                "isUint8ClampedArray",
                "isWeakMap",
                "isWeakSet"
              ]
            }
            """),
    ];
}
