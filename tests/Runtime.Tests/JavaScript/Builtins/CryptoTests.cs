using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.JavaScript.Builtins;

/// <summary>
/// require('crypto') (builtins/crypto.js): hashes, HMACs, random bytes, UUIDs and timingSafeEqual as Node 20 has
/// them, and a clear error for an algorithm Granary cannot compute.
/// </summary>
[Collection(nameof(BuiltinModules))]
public sealed class CryptoTests(IsolatePoolFixture fixture) : NodeCaseTests<CryptoTests>(fixture), INodeCases
{
    [Fact]
    public async Task NamesAnAlgorithmItCannotCompute()
    {
        var result = await RunAsync(Pool, """
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
    public async Task DigestsMatchKnownVectorsAndLiveNode()
    {
        var result = await RunAsync(Pool, """
            module.exports = () => {
              const crypto = require('crypto');
              return [crypto.createHash('sha256').update('hello').digest('hex'), crypto.createHmac('sha256', 'key').update('The quick brown fox jumps over the lazy dog').digest('hex')];
            };
            """);
        Assert.Equal("""["2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"]""", result.Text());

        await LiveNode.AssertSameAsync(Pool, """
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
    public async Task AsymmetricKeysAndSignaturesSayTheIsolateHasNoneAndNameProcessIsolation()
    {
        var result = await RunAsync(Pool, """
            module.exports = () => ['createPrivateKey', 'createPublicKey', 'createSign', 'createVerify', 'generateKeyPairSync'].map((name) => {
              try { require('crypto')[name]('-----BEGIN PRIVATE KEY-----'); return 'made'; } catch (e) { return e.code; }
            }).concat((() => { try { require('crypto').createSign('RSA-SHA256'); } catch (e) { return e.message; } })());
            """);

        NodeCase.AssertNodeOutput(result, """
            [
              "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM", "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM", "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM",
              "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM", "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM",
              "crypto.createSign: Granary's isolate runtime has no RSA, EC or Ed25519 keys. Sign with an HMAC secret (HS256), or deploy the function with \"isolation\": \"process\" to have all of Node's crypto."
            ]
            """);
    }

    public static IReadOnlyList<NodeCase> NodeCases { get; } =
    [
        new(
            "HashesAndHmacsMatchNode",
            """
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
            """,
            """
            {
              "hash": [
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                "900150983cd24fb0d6963f7d28e17f72", "a9993e364706816aba3e25717850c26c9cd0d89d",
                "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
                "3a81oZNherrMQXNJriBBMRLm-k6JqX6iCp7u5ktV05ohkpkqJ0_BqDa6PCOj_uu9RU1EI2Q86A4qmslPpUyknw", "©>6G\u0006jº>%qxPÂlÐØ",
                "de2e331d891ae267a7009cb45b4e8830f170e0c937288ea2731a1941c7a53b0d", "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c",
                "99ffb3d9eeadc24aa4f9b13530176bf8", "c4103f122d27677c9db144cae1394a66",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", true, 32,
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "f6ee99edde6199a3e982c46ef72bdd5cb5e41ddf"
              ],
              "hmac": [
                "9c196e32dc0175f86f4b1cb89289d6619de6bee699e4c378e68309ed97a1a6ab", "T9CyFSdu8S8rPkyOysKBFJi2Vvw=", "d2fe98063f876b03193afb49b4979591",
                "600057e6cba9ce3e078c0ae32f0ba3a786002d1da4853945c899aa7678f932f03c77200044e668ac0ae89029a08cae59b9ed7f93ffed3b39371e4d4f08c3c376",
                "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad", "sWHV6h3m5S8zD0mUdR7kE/6vNxJwwVUNQiRFjaV/Xub0DGHbxpfYfcyK1nMb3i8r"
              ],
              "finalized": [
                ["Error", "ERR_CRYPTO_HASH_FINALIZED", "Digest already called"],
                ["Error", "ERR_CRYPTO_HASH_FINALIZED", "Digest already called"],
                "", 0,
                ["Error", "ERR_CRYPTO_HASH_FINALIZED", "Digest already called"]
              ],
              "invalid": [
                [
                  "TypeError", "ERR_INVALID_ARG_TYPE",
                  "The \"data\" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received type number (42)"
                ],
                ["TypeError", "ERR_INVALID_ARG_TYPE", "The \"algorithm\" argument must be of type string. Received undefined"],
                [
                  "TypeError", "ERR_INVALID_ARG_TYPE",
                  "The \"key\" argument must be of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey. Received undefined"
                ],
                ["TypeError", "ERR_CRYPTO_INVALID_DIGEST", "Invalid digest: nope"]
              ]
            }
            """,
            json =>
            {
                Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", json.GetProperty("hash")[0].GetString());
                Assert.Equal("9c196e32dc0175f86f4b1cb89289d6619de6bee699e4c378e68309ed97a1a6ab", json.GetProperty("hmac")[0].GetString());
            }),
        new(
            "RandomBytesUuidsAndTimingSafeEqualFollowNode",
            """
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
            """,
            """
            {
              "sizes": [8, 70000, 0, 1, true, 16],
              "distinct": true,
              "uuid": true,
              "values": 4,
              "ints": [true, 5, true],
              "filled": 4,
              "timingSafeEqual": [true, false, true],
              "errors": [
                ["RangeError", "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH", "Input buffers must have the same byte length"],
                ["TypeError", "ERR_INVALID_ARG_TYPE", "The \"buf1\" argument must be an instance of ArrayBuffer, Buffer, TypedArray, or DataView."],
                ["RangeError", "ERR_OUT_OF_RANGE", "The value of \"size\" is out of range. It must be >= 0 && <= 2147483647. Received -1"],
                ["TypeError", "ERR_INVALID_ARG_TYPE", "The \"size\" argument must be of type number. Received type string ('a')"]
              ],
              "hashes": ["md5", "sha1", "sha256", "sha384", "sha512"]
            }
            """),
        new(
            "SecretKeyObjectsExportCompareAndKeyAnHmacLikeNode",
            """
            module.exports = async () => {
              const crypto = require('crypto');
              const key = crypto.createSecretKey('s3cret', 'utf8');
              const other = crypto.createSecretKey(Buffer.from('s3cret'));
              return {
                key: [key.type, key.symmetricKeySize, key.asymmetricKeyType, key.export().toString(), key.export({ format: 'jwk' }), key.equals(other), key instanceof crypto.KeyObject],
                hmac: crypto.createHmac('sha256', key).update('data').digest('hex') === crypto.createHmac('sha256', 's3cret').update('data').digest('hex'),
              };
            };
            """,
            """
            {
              "key": [
                "secret",
                6,
                null,
                "s3cret",
                {
                  "kty": "oct",
                  "k": "czNjcmV0"
                },
                true,
                true
              ],
              "hmac": true
            }
            """),
    ];
}
