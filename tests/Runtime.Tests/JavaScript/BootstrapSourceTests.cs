using Granary.Runtime.JavaScript;

namespace Granary.Runtime.Tests.JavaScript;

// V8 stores a source with any character past Latin-1 at two bytes per character, in every isolate: the bootstrap and
// the on-demand built-ins stay ASCII so that each isolate holds them at one byte per character (see Bootstrap).
public sealed class BootstrapSourceTests
{
    [Fact]
    public void TheBootstrapEveryIsolateRunsIsAscii() => AssertAscii("the bootstrap", Bootstrap.Source);

    [Fact]
    public void TheOnDemandBuiltinsAreAscii()
    {
        Assert.NotEmpty(OnDemandScripts.Sources);
        foreach (var (name, source) in OnDemandScripts.Sources)
        {
            AssertAscii(name, source);
        }
    }

    private static void AssertAscii(string what, string source)
    {
        var at = source.AsSpan().IndexOfAnyExceptInRange('\0', '\x7f');
        if (at >= 0)
        {
            var line = source.AsSpan(0, at).Count('\n') + 1;
            var start = source.LastIndexOf('\n', at) + 1;
            var end = source.IndexOf('\n', at);
            Assert.Fail($"{what} has the non-ASCII character U+{(int)source[at]:X4} on its line {line}: {source[start..(end < 0 ? source.Length : end)].Trim()}");
        }
    }
}
