namespace Granary.Runtime.Tests.JavaScript.Builtins;

/// <summary>
/// require('path') (builtins/path.js): POSIX paths joined, resolved, normalized, split and formatted as Node 20 does
/// it, with Node's errors for arguments that are not strings.
/// </summary>
[Collection(nameof(BuiltinModules))]
public sealed class PathTests(IsolatePoolFixture fixture) : NodeCaseTests<PathTests>(fixture), INodeCases
{
    public static IReadOnlyList<NodeCase> NodeCases { get; } =
    [
        new(
            "JoinsResolvesNormalizesAndParsesLikeNode",
            """
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
            """,
            """
            {
              "join": ["/a/c", "a/b/d", ".", ".", "/a/b/c/"],
              "resolve": ["/a/c", "/z/w", "/", "/", "/a/b/c"],
              "normalize": [".", "./", "..", "/a/b/c/", "/a", ".."],
              "dirname": ["/a/b", "/", ".", ".", "//", "/a", "/"],
              "basename": ["c.txt", "c", "c.txt", "b", "c.t", "", "b"],
              "extname": [".c", "", ".", "", ".z", "", ".c"],
              "isAbsolute": [true, false, false],
              "relative": ["../../impl/bbb", "", "..", "a/b", "../..", "../b/c", "baz"],
              "parse": [
                {"root": "/", "dir": "/home/user/dir", "base": "file.txt", "ext": ".txt", "name": "file"},
                {"root": "", "dir": "", "base": "file", "ext": "", "name": "file"},
                {"root": "/", "dir": "/", "base": "", "ext": "", "name": ""},
                {"root": "", "dir": "", "base": ".bashrc", "ext": "", "name": ".bashrc"},
                {"root": "", "dir": "a", "base": "b.c", "ext": ".c", "name": "b"},
                {"root": "", "dir": "", "base": "", "ext": "", "name": ""}
              ],
              "format": ["/home/user/dir/file.txt", "/file.txt", "/file.txt", "x.js"],
              "sep": "/",
              "delimiter": ":",
              "posix": true,
              "toNamespacedPath": "/a"
            }
            """,
            json => Assert.Equal("/a/c", json.GetProperty("join")[0].GetString())),
        new(
            "RejectsArgumentsThatAreNotStrings",
            """
            module.exports = () => {
              const path = require('path');
              return [() => path.join('a', 1), () => path.resolve(null), () => path.basename('a', 2), () => path.dirname({}), () => path.format(null), () => path.relative('a')]
                .map((f) => { try { return f(); } catch (e) { return [e.name, e.code, e.message, String(e), e.stack.split('\n')[0]]; } });
            };
            """,
            """
            [
              [
                "TypeError", "ERR_INVALID_ARG_TYPE", "The \"path\" argument must be of type string. Received type number (1)",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"path\" argument must be of type string. Received type number (1)",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"path\" argument must be of type string. Received type number (1)"
              ],
              [
                "TypeError", "ERR_INVALID_ARG_TYPE", "The \"paths[0]\" argument must be of type string. Received null",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"paths[0]\" argument must be of type string. Received null",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"paths[0]\" argument must be of type string. Received null"
              ],
              [
                "TypeError", "ERR_INVALID_ARG_TYPE", "The \"suffix\" argument must be of type string. Received type number (2)",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"suffix\" argument must be of type string. Received type number (2)",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"suffix\" argument must be of type string. Received type number (2)"
              ],
              [
                "TypeError", "ERR_INVALID_ARG_TYPE", "The \"path\" argument must be of type string. Received an instance of Object",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"path\" argument must be of type string. Received an instance of Object",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"path\" argument must be of type string. Received an instance of Object"
              ],
              [
                "TypeError", "ERR_INVALID_ARG_TYPE", "The \"pathObject\" argument must be of type object. Received null",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"pathObject\" argument must be of type object. Received null",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"pathObject\" argument must be of type object. Received null"
              ],
              [
                "TypeError", "ERR_INVALID_ARG_TYPE", "The \"to\" argument must be of type string. Received undefined",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"to\" argument must be of type string. Received undefined",
                "TypeError [ERR_INVALID_ARG_TYPE]: The \"to\" argument must be of type string. Received undefined"
              ]
            ]
            """),
    ];
}
