namespace Granary.Runtime.Tests.JavaScript.Builtins;

/// <summary>
/// require('assert') (builtins/assert.js, with builtins/deep-equal.js): it passes where Node 20 passes, and fails with
/// Node's AssertionErrors, messages and diffs where Node fails.
/// </summary>
[Collection(nameof(BuiltinModules))]
public sealed class AssertTests(IsolatePoolFixture fixture) : NodeCaseTests<AssertTests>(fixture), INodeCases
{
    public static IReadOnlyList<NodeCase> NodeCases { get; } =
    [
        new(
            "PassesWhereNodePasses",
            """
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
            """,
            """
            [26, true, true, "function"]
            """),
        new(
            "FailuresAreAssertionErrorsWithNodesMessages",
            """
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
            """,
            """
            [
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n    a: 1,\n    b: [\n      1,\n+     2\n-     3\n    ]\n  }",
                "operator": "deepStrictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n    a: 1,\n    b: [\n      1,\n+     2\n-     3\n    ]\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n+   a: 1\n-   a: '1'\n  }",
                "operator": "deepStrictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n+   a: 1\n-   a: '1'\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  [\n    1,\n    2,\n    3,\n-   4\n  ]",
                "operator": "deepStrictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n  [\n    1,\n    2,\n    3,\n-   4\n  ]",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Map(1) {\n+   'a' => 1\n-   'a' => 2\n  }",
                "operator": "deepStrictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Map(1) {\n+   'a' => 1\n-   'a' => 2\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Set(2) {\n    1,\n+   2\n-   3\n  }",
                "operator": "deepStrictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Set(2) {\n    1,\n+   2\n-   3\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n    a: {\n      x: 'str',\n+     y: null\n-     y: undefined\n    },\n    z: 1\n  }",
                "operator": "deepStrictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n    a: {\n      x: 'str',\n+     y: null\n-     y: undefined\n    },\n    z: 1\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION", "message": "Expected values to be strictly equal:\n\n1 !== 2\n",
                "operator": "strictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:\n\n1 !== 2\n",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly equal:\n+ actual - expected\n\n+ 'hello world'\n- 'hello there'\n         ^",
                "operator": "strictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:\n+ actual - expected\n\n+ 'hello world'\n- 'hello there'\n         ^",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION", "message": "Values have same structure but are not reference-equal:\n\n{}\n",
                "operator": "strictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Values have same structure but are not reference-equal:\n\n{}\n",
                "stackHead": "AssertionError [ERR_ASSERTION]: Values have same structure but are not reference-equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "Expected \"actual\" to be reference-equal to \"expected\":\n+ actual - expected\n\n  [\n+   1\n-   2\n  ]",
                "operator": "strictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected \"actual\" to be reference-equal to \"expected\":\n+ actual - expected\n\n  [\n+   1\n-   2\n  ]",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected \"actual\" to be reference-equal to \"expected\":"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION", "message": "Expected \"actual\" to be strictly unequal to: 1",
                "operator": "notStrictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected \"actual\" to be strictly unequal to: 1",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected \"actual\" to be strictly unequal to: 1"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION", "message": "Expected \"actual\" to be strictly unequal to:\n\n'abcdefg'",
                "operator": "notStrictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected \"actual\" to be strictly unequal to:\n\n'abcdefg'",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected \"actual\" to be strictly unequal to:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION", "message": "Expected \"actual\" not to be strictly deep-equal to:\n\n{\n  a: 1\n}\n",
                "operator": "notDeepStrictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected \"actual\" not to be strictly deep-equal to:\n\n{\n  a: 1\n}\n",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected \"actual\" not to be strictly deep-equal to:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "Expected values to be loosely deep-equal:\n\n{\n  a: 1\n}\n\nshould loosely deep-equal\n\n{\n  a: 2\n}",
                "operator": "deepEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be loosely deep-equal:\n\n{\n  a: 1\n}\n\nshould loosely deep-equal\n\n{\n  a: 2\n}",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be loosely deep-equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION", "message": "Expected \"actual\" not to be loosely deep-equal to:\n\n{\n  a: 1\n}",
                "operator": "notDeepEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected \"actual\" not to be loosely deep-equal to:\n\n{\n  a: 1\n}",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected \"actual\" not to be loosely deep-equal to:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION", "message": "1 == 2", "operator": "==", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: 1 == 2", "stackHead": "AssertionError [ERR_ASSERTION]: 1 == 2"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION", "message": "1 != '1'", "operator": "!=", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: 1 != '1'", "stackHead": "AssertionError [ERR_ASSERTION]: 1 != '1'"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "Values have same structure but are not reference-equal:\n\n{\n  a: Symbol()\n}\n", "operator": "deepStrictEqual",
                "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Values have same structure but are not reference-equal:\n\n{\n  a: Symbol()\n}\n",
                "stackHead": "AssertionError [ERR_ASSERTION]: Values have same structure but are not reference-equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION", "message": "Missing expected exception.", "operator": "throws", "generated": false,
                "isAssertionError": true, "string": "AssertionError [ERR_ASSERTION]: Missing expected exception.",
                "stackHead": "AssertionError [ERR_ASSERTION]: Missing expected exception."
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION", "message": "Missing expected exception (TypeError).", "operator": "throws",
                "generated": false, "isAssertionError": true, "string": "AssertionError [ERR_ASSERTION]: Missing expected exception (TypeError).",
                "stackHead": "AssertionError [ERR_ASSERTION]: Missing expected exception (TypeError)."
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION", "message": "Missing expected exception (TypeError): msg", "operator": "throws",
                "generated": false, "isAssertionError": true, "string": "AssertionError [ERR_ASSERTION]: Missing expected exception (TypeError): msg",
                "stackHead": "AssertionError [ERR_ASSERTION]: Missing expected exception (TypeError): msg"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "The error is expected to be an instance of \"TypeError\". Received \"Error\"\n\nError message:\n\nboom",
                "operator": "throws", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: The error is expected to be an instance of \"TypeError\". Received \"Error\"\n\nError message:\n\nboom",
                "stackHead": "AssertionError [ERR_ASSERTION]: The error is expected to be an instance of \"TypeError\". Received \"Error\""
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "The input did not match the regular expression /bam/. Input:\n\n'Error: boom'\n", "operator": "throws", "generated": true,
                "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: The input did not match the regular expression /bam/. Input:\n\n'Error: boom'\n",
                "stackHead": "AssertionError [ERR_ASSERTION]: The input did not match the regular expression /bam/. Input:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Comparison {\n+   message: 'boom'\n-   message: 'bam'\n  }",
                "operator": "throws", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Comparison {\n+   message: 'boom'\n-   message: 'bam'\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "The validation function is expected to return \"true\". Received false\n\nCaught error:\n\nError: boom",
                "operator": "throws", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: The validation function is expected to return \"true\". Received false\n\nCaught error:\n\nError: boom",
                "stackHead": "AssertionError [ERR_ASSERTION]: The validation function is expected to return \"true\". Received false"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION", "message": "Failed", "operator": "fail", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Failed", "stackHead": "AssertionError [ERR_ASSERTION]: Failed"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION", "message": "custom", "operator": "fail", "generated": false,
                "isAssertionError": true, "string": "AssertionError [ERR_ASSERTION]: custom", "stackHead": "AssertionError [ERR_ASSERTION]: custom"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION", "message": "custom msg", "operator": "==", "generated": false,
                "isAssertionError": true, "string": "AssertionError [ERR_ASSERTION]: custom msg",
                "stackHead": "AssertionError [ERR_ASSERTION]: custom msg"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION", "message": "No value argument passed to `assert.ok()`", "operator": "==",
                "generated": true, "isAssertionError": true, "string": "AssertionError [ERR_ASSERTION]: No value argument passed to `assert.ok()`",
                "stackHead": "AssertionError [ERR_ASSERTION]: No value argument passed to `assert.ok()`"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ 1970-01-01T00:00:00.000Z\n- 1970-01-01T00:00:00.001Z\n                        ^",
                "operator": "deepStrictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ 1970-01-01T00:00:00.000Z\n- 1970-01-01T00:00:00.001Z\n                        ^",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  [\n    1,\n    [\n      2,\n      [\n+       3\n-       4\n      ]\n    ]\n  ]",
                "operator": "deepStrictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n  [\n    1,\n    [\n      2,\n      [\n+       3\n-       4\n      ]\n    ]\n  ]",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Buffer(2) [Uint8Array] [\n    97,\n+   98\n-   99\n  ]",
                "operator": "deepStrictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Buffer(2) [Uint8Array] [\n    97,\n+   98\n-   99\n  ]",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n+   a: 'x\\ny'\n-   a: 'x'\n  }",
                "operator": "deepStrictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n+   a: 'x\\ny'\n-   a: 'x'\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ null\n- undefined", "operator": "deepStrictEqual",
                "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ null\n- undefined",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION", "message": "Expected values to be strictly deep-equal:\n\n1 !== '1'\n",
                "operator": "deepStrictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n\n1 !== '1'\n",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ []\n- {}", "operator": "deepStrictEqual",
                "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ []\n- {}",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION", "message": "The input did not match the regular expression /x/. Input:\n\n'abc'\n",
                "operator": "match", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: The input did not match the regular expression /x/. Input:\n\n'abc'\n",
                "stackHead": "AssertionError [ERR_ASSERTION]: The input did not match the regular expression /x/. Input:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION", "message": "ifError got unwanted exception: e1", "operator": "ifError",
                "generated": false, "isAssertionError": true, "string": "AssertionError [ERR_ASSERTION]: ifError got unwanted exception: e1",
                "stackHead": "AssertionError [ERR_ASSERTION]: ifError got unwanted exception: e1"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION", "message": "Got unwanted exception.\nActual message: \"x\"",
                "operator": "doesNotThrow", "generated": false, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Got unwanted exception.\nActual message: \"x\"",
                "stackHead": "AssertionError [ERR_ASSERTION]: Got unwanted exception."
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION", "message": "Expected values to be strictly equal:\n+ actual - expected\n\n+ 0\n- -0",
                "operator": "strictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:\n+ actual - expected\n\n+ 0\n- -0",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ [Object: null prototype] {}\n- {}",
                "operator": "deepStrictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ [Object: null prototype] {}\n- {}",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ Foo {\n- {\n    a: 1\n  }",
                "operator": "deepStrictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ Foo {\n- {\n    a: 1\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n+   f: [Function: f],\n+   g: [Function: g]\n-   f: 1\n  }",
                "operator": "deepStrictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n+   f: [Function: f],\n+   g: [Function: g]\n-   f: 1\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION", "message": "custom\n\n1 !== 2\n", "operator": "strictEqual", "generated": false,
                "isAssertionError": true, "string": "AssertionError [ERR_ASSERTION]: custom\n\n1 !== 2\n",
                "stackHead": "AssertionError [ERR_ASSERTION]: custom"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION", "message": "custom\n+ actual - expected\n\n  {\n+   a: 1\n-   a: 2\n  }",
                "operator": "deepStrictEqual", "generated": false, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: custom\n+ actual - expected\n\n  {\n+   a: 1\n-   a: 2\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: custom"
              },
              {"name": "TypeError", "message": "mine", "isAssertionError": false, "string": "TypeError: mine", "stackHead": "TypeError: mine"},
              {
                "name": "TypeError", "code": "ERR_MISSING_ARGS", "message": "The \"actual\" and \"expected\" arguments must be specified",
                "isAssertionError": false, "string": "TypeError [ERR_MISSING_ARGS]: The \"actual\" and \"expected\" arguments must be specified",
                "stackHead": "TypeError [ERR_MISSING_ARGS]: The \"actual\" and \"expected\" arguments must be specified"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected ... Lines skipped\n\n  {\n    a: 1,\n...\n    f: 6,\n    g: 7,\n+   h: 8\n-   h: 9\n  }",
                "operator": "deepStrictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected ... Lines skipped\n\n  {\n    a: 1,\n...\n    f: 6,\n    g: 7,\n+   h: 8\n-   h: 9\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              {
                "name": "AssertionError", "code": "ERR_ASSERTION",
                "message": "Expected values to be strictly deep-equal:\n+ actual - expected ... Lines skipped\n\n  {\n    list: [\n...\n      8,\n      9,\n+     10\n-     11\n    ],\n    name: 'x'\n  }",
                "operator": "deepStrictEqual", "generated": true, "isAssertionError": true,
                "string": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n+ actual - expected ... Lines skipped\n\n  {\n    list: [\n...\n      8,\n      9,\n+     10\n-     11\n    ],\n    name: 'x'\n  }",
                "stackHead": "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:"
              },
              ["AssertionError", "Missing expected rejection."],
              ["AssertionError", "The error is expected to be an instance of \"TypeError\". Received \"Error\"\n\nError message:\n\nx"],
              [
                "TypeError", "ERR_INVALID_RETURN_VALUE",
                "Expected instance of Promise to be returned from the \"promiseFn\" function but got type number (1)."
              ]
            ]
            """,
            json =>
            {
                var first = json[0];
                Assert.Equal("AssertionError", first.GetProperty("name").GetString());
                Assert.Equal("ERR_ASSERTION", first.GetProperty("code").GetString());
                Assert.StartsWith("Expected values to be strictly deep-equal:", first.GetProperty("message").GetString(), StringComparison.Ordinal);
            }),
        new(
            "RendersValuesInItsDiffsAsNodeDoes",
            """
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
            """,
            """
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
            """),
    ];
}
