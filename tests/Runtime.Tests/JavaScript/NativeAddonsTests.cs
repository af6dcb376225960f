using Granary.Runtime.JavaScript;

namespace Granary.Runtime.Tests.JavaScript;

/// <summary>What an isolate deploy names when a set holds native addons: the package each <c>.node</c> file belongs to.</summary>
public sealed class NativeAddonsTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("granary-native-");

    [Fact]
    public void EachAddonIsNamedByItsInnermostPackageScopedOrNot()
    {
        Touch("node_modules/bcrypt/lib/binding/napi-v3/bcrypt_lib.node");
        Touch("node_modules/@node-rs/crc32/node_modules/@node-rs/crc32-linux-x64-gnu/crc32.linux-x64-gnu.node");
        Touch("node_modules/lodash/lodash.js");

        var found = NativeAddons.Find(_root.FullName).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(
            [
                "'@node-rs/crc32-linux-x64-gnu' (@node-rs/crc32/node_modules/@node-rs/crc32-linux-x64-gnu/crc32.linux-x64-gnu.node)",
                "'bcrypt' (bcrypt/lib/binding/napi-v3/bcrypt_lib.node)",
            ],
            found);
    }

    [Fact]
    public void APureJavaScriptSetOrNoSetHasNone()
    {
        Touch("node_modules/ms/index.js");

        Assert.Empty(NativeAddons.Find(_root.FullName));
        Assert.Empty(NativeAddons.Find(null));
        Assert.Empty(NativeAddons.Find(Path.Combine(_root.FullName, "missing")));
    }

    public void Dispose() => _root.Delete(recursive: true);

    private void Touch(string relative)
    {
        var path = Path.Combine(_root.FullName, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "");
    }
}
