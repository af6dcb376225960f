using System.Runtime.Versioning;
using System.Text;
using System.Text.RegularExpressions;

namespace Granary.Gateway.Tests.Access;

/// <summary>
/// The admin key of an embedded host started without <c>Granary:Auth:AdminKey</c>: generated at the first start,
/// written owner-only to <c>{Granary:Storage:Path}/admin.key</c>, kept in storage only as a hash, reused on restart.
/// </summary>
public sealed partial class AdminKeyBootstrapTests
{
    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task AHostWithoutAnAdminKeyGeneratesOneWritesItOwnerOnlyAndReusesItAfterARestart()
    {
        var data = Directory.CreateTempSubdirectory("granary-admin-").FullName;
        var file = Path.Combine(data, "admin.key");
        try
        {
            string key;
            await using (var first = await GranaryServer.StartAsync(data, new Dictionary<string, string?> { ["Granary:Auth:AdminKey"] = null }))
            {
                key = await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken);

                Assert.Matches(GeneratedKey(), key);
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
                await AccessCalls.JsonAsync(await first.SendAsync(key, HttpMethod.Get, "/api/v1/tenants"), 200);
                await AccessCalls.UnauthorizedAsync(await first.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, "/api/v1/tenants"), "Bearer error=\"invalid_token\"");
                await AccessCalls.UnauthorizedAsync(await first.Http.GetAsync("/api/v1/tenants", TestContext.Current.CancellationToken));
            }

            var written = File.GetLastWriteTimeUtc(file);
            await using var second = await GranaryServer.StartAsync(data, new Dictionary<string, string?> { ["Granary:Auth:AdminKey"] = null });

            Assert.Equal(key, await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken));
            Assert.Equal(written, File.GetLastWriteTimeUtc(file));
            await AccessCalls.JsonAsync(await second.SendAsync(key, HttpMethod.Get, "/api/v1/tenants"), 200);
            await AccessCalls.UnauthorizedAsync(await second.SendAsync("gk_admin_" + new string('A', 40), HttpMethod.Get, "/api/v1/tenants"), "Bearer error=\"invalid_token\"");
            var others = Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories).Where(f => f != file).ToList();
            Assert.NotEmpty(others);
            Assert.DoesNotContain(others, f => File.ReadAllBytes(f).AsSpan().IndexOf(Encoding.UTF8.GetBytes(key)) >= 0);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task AnEmptyAdminKeySettingCountsAsUnset()
    {
        var data = Directory.CreateTempSubdirectory("granary-admin-").FullName;
        try
        {
            await using var server = await GranaryServer.StartAsync(data, new Dictionary<string, string?> { ["Granary:Auth:AdminKey"] = "" });
            var key = await File.ReadAllTextAsync(Path.Combine(data, "admin.key"), TestContext.Current.CancellationToken);

            Assert.Matches(GeneratedKey(), key);
            await AccessCalls.JsonAsync(await server.SendAsync(key, HttpMethod.Get, "/api/v1/tenants"), 200);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task AHostWithAConfiguredAdminKeyWritesNoKeyFile()
    {
        await using var server = await GranaryServer.StartAsync();

        await AccessCalls.JsonAsync(await server.SendAsync(GranaryServer.AdminKey, HttpMethod.Get, "/api/v1/tenants"), 200);
        Assert.False(File.Exists(Path.Combine(server.DataPath, "admin.key")));
    }

    [GeneratedRegex("^gk_admin_[A-Za-z0-9]{40}$")]
    private static partial Regex GeneratedKey();
}
