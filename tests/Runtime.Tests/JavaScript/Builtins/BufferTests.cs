namespace Granary.Runtime.Tests.JavaScript.Builtins;

/// <summary>
/// Buffer (Scripts/10-encoding.js and 11-buffer.js): its encodings, numeric reads and writes with Node's bounds
/// checks, searching, filling and swapping, as database drivers use them.
/// </summary>
[Collection(nameof(BuiltinModules))]
public sealed class BufferTests(IsolatePoolFixture fixture) : NodeCaseTests<BufferTests>(fixture), INodeCases
{
    public static IReadOnlyList<NodeCase> NodeCases { get; } =
    [
        new(
            "BufferReadsWritesEncodesSearchesAndFillsLikeNode",
            """
            module.exports = async () => {
              const b = Buffer.alloc(32);
              const writes = [b.writeInt32BE(-5, 0), b.writeUInt16LE(0xbeef, 4), b.writeDoubleLE(1.5, 6), b.writeBigInt64BE(-2n, 14), b.writeFloatBE(0.25, 22), b.writeUIntBE(0x123456, 26, 3), b.writeIntLE(-300, 29, 3)];
              const reads = [b.readInt32BE(0), b.readUInt16LE(4), b.readUint16LE(4), b.readDoubleLE(6), String(b.readBigInt64BE(14)), b.readFloatBE(22), b.readUIntBE(26, 3), b.readIntLE(29, 3), b.readInt8(0), b.readUInt32LE(0)];
              const errors = [];
              for (const f of [() => b.readInt32BE(30), () => b.writeUInt8(300, 0), () => b.writeInt16LE(1, 1.5), () => Buffer.alloc(2).readUInt32LE(0), () => b.writeBigInt64LE(1, 0), () => Buffer.from('x', 'nope'), () => Buffer.from(5)]) {
                try { f(); errors.push('no error'); } catch (e) { errors.push([e.name, e.code, e.message]); }
              }
              const s = Buffer.from('héllo wörld, héllo');
              const search = [s.indexOf('héllo'), s.indexOf('héllo', 1), s.lastIndexOf('héllo'), s.indexOf(0x6c), s.includes('wör'), s.indexOf(Buffer.from('ld')), s.indexOf('zz'), s.lastIndexOf(0x6c, 5), s.indexOf('l', -4)];
              const encodings = ['utf8', 'hex', 'base64', 'base64url', 'latin1', 'binary', 'ascii', 'utf16le', 'ucs2'].map((e) => [e, Buffer.from('h€llo ÿ', e).toString(e), Buffer.byteLength('h€llo ÿ', e), Buffer.isEncoding(e)]);
              const filled = [Buffer.alloc(5, 'ab').toString(), Buffer.alloc(4, 0x41).toString(), Buffer.alloc(6).fill('€', 1).toString('hex'), Buffer.alloc(3, 'aGk=', 'base64').toString(), Buffer.alloc(4).fill(Buffer.from([1, 2]), 1, 4).toString('hex')];
              const swapped = [Buffer.from([1, 2, 3, 4]).swap16().toString('hex'), Buffer.from([1, 2, 3, 4]).swap32().toString('hex')];
              const misc = [
                Buffer.compare(Buffer.from('a'), Buffer.from('b')), Buffer.from('abc').compare(Buffer.from('xabcx'), 1, 4), Buffer.from('abc').equals(Buffer.from('abc')),
                Buffer.from('hello').subarray(1, 3) instanceof Buffer, Buffer.from('hello').slice(-3).toString(), Buffer.from('abcdef').toString('utf8', 2, 4),
                Buffer.from([0xe2, 0x82]).toString(), Buffer.from('abc').write('zz', 1), Buffer.alloc(4).write('€€', 0), Buffer.alloc(5).write('xy', 1, 'latin1'),
                Buffer.from({ length: 2, 0: 65, 1: 66 }).toString(), Buffer.from(new Uint16Array([1, 2]).buffer).length, Buffer.from(Buffer.from('copy')).toString(),
                Buffer.from([0x80, 0xff, 0x41]).toString('ascii'), Buffer.concat([Buffer.from('a'), new Uint8Array([98])]).toString(), Buffer.from('abc').latin1Slice(0, 2), Buffer.from('abc').utf8Slice(1),
                JSON.stringify(Buffer.from('hi')), Buffer.allocUnsafeSlow(3).length, Buffer.poolSize,
              ];
              return { writes, reads, errors, search, encodings, filled, swapped, misc };
            };
            """,
            """
            {
              "writes": [
                4,
                6,
                14,
                22,
                26,
                29,
                32
              ],
              "reads": [
                -5,
                48879,
                48879,
                1.5,
                "-2",
                0.25,
                1193046,
                -300,
                -1,
                4227858431
              ],
              "errors": [
                [
                  "RangeError",
                  "ERR_OUT_OF_RANGE",
                  "The value of \"offset\" is out of range. It must be >= 0 and <= 28. Received 30"
                ],
                [
                  "RangeError",
                  "ERR_OUT_OF_RANGE",
                  "The value of \"value\" is out of range. It must be >= 0 and <= 255. Received 300"
                ],
                [
                  "RangeError",
                  "ERR_OUT_OF_RANGE",
                  "The value of \"offset\" is out of range. It must be an integer. Received 1.5"
                ],
                [
                  "RangeError",
                  "ERR_BUFFER_OUT_OF_BOUNDS",
                  "Attempt to access memory outside buffer bounds"
                ],
                [
                  "TypeError",
                  null,
                  "Cannot mix BigInt and other types, use explicit conversions"
                ],
                [
                  "TypeError",
                  "ERR_UNKNOWN_ENCODING",
                  "Unknown encoding: nope"
                ],
                [
                  "TypeError",
                  "ERR_INVALID_ARG_TYPE",
                  "The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object. Received type number (5)"
                ]
              ],
              "search": [
                0,
                15,
                15,
                3,
                true,
                11,
                -1,
                4,
                18
              ],
              "encodings": [
                [
                  "utf8",
                  "h€llo ÿ",
                  10,
                  true
                ],
                [
                  "hex",
                  "",
                  3,
                  true
                ],
                [
                  "base64",
                  "hllo",
                  5,
                  true
                ],
                [
                  "base64url",
                  "hllo",
                  5,
                  true
                ],
                [
                  "latin1",
                  "h¬llo ÿ",
                  7,
                  true
                ],
                [
                  "binary",
                  "h¬llo ÿ",
                  7,
                  true
                ],
                [
                  "ascii",
                  "h,llo ",
                  7,
                  true
                ],
                [
                  "utf16le",
                  "h€llo ÿ",
                  14,
                  true
                ],
                [
                  "ucs2",
                  "h€llo ÿ",
                  14,
                  true
                ]
              ],
              "filled": [
                "ababa",
                "AAAA",
                "00e282ace282",
                "hih",
                "00010201"
              ],
              "swapped": [
                "02010403",
                "04030201"
              ],
              "misc": [
                -1,
                0,
                true,
                true,
                "llo",
                "cd",
                "�",
                2,
                3,
                2,
                "AB",
                4,
                "copy",
                "\u0000A",
                "ab",
                "ab",
                "bc",
                "{\"type\":\"Buffer\",\"data\":[104,105]}",
                3,
                8192
              ]
            }
            """),
    ];
}
