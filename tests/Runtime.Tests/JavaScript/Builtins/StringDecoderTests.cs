namespace Granary.Runtime.Tests.JavaScript.Builtins;

/// <summary>
/// require('string_decoder') (builtins/string-decoder.js): characters split across writes are joined, and invalid
/// bytes replaced, in every encoding as Node 20 does it.
/// </summary>
[Collection(nameof(BuiltinModules))]
public sealed class StringDecoderTests(IsolatePoolFixture fixture) : NodeCaseTests<StringDecoderTests>(fixture), INodeCases
{
    public static IReadOnlyList<NodeCase> NodeCases { get; } =
    [
        new(
            "JoinsUtf8CharactersSplitAcrossWrites",
            """
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
            """,
            """
            [
              ["", "", "€", ""],
              ["", "�"],
              ["", "�A", ""],
              ["", "", "😀A", ""],
              ["", "�"],
              ["�A", ""],
              ["A", "é"],
              ["", "��"],
              ["", "��"],
              ["", "��"],
              ["", "�é", ""],
              ["", "�€", ""],
              ["", "", "�"],
              ["��A������", ""],
              ["héllo", ""],
              ["€", "€"]
            ]
            """,
            json => Assert.Equal("""["","","€",""]""", json[0].GetRawText())),
        new(
            "HandlesHexBase64Latin1AndUtf16",
            """
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
            """,
            """
            [
              ["0102ff", "10", ""],
              ["", "AQID", "", "BAU="],
              ["AQID", "BAU="],
              ["", "", "AQI="],
              ["", "-vv8", "_Q"],
              ["éA", ""],
              ["ÿ", ""],
              ["iA", ""],
              ["", "A", "😀", ""],
              ["A", ""],
              ["", "\\ud83d"],
              ["A", ""],
              ["utf8", "utf8", "latin1", "utf16le", "base64", "hex"],
              "abc",
              "",
              "hi",
              "0201",
              ["TypeError", "ERR_UNKNOWN_ENCODING", "Unknown encoding: foo"],
              [
                "TypeError", "ERR_INVALID_ARG_TYPE",
                "The \"buf\" argument must be an instance of Buffer, TypedArray, or DataView. Received type number (42)"
              ],
              [
                "TypeError", "ERR_INVALID_ARG_TYPE",
                "The \"buf\" argument must be an instance of Buffer, TypedArray, or DataView. Received an instance of Array"
              ],
              [1, 3]
            ]
            """),
    ];
}
