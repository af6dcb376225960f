using System.Security.Cryptography;
using System.Text;
using Granary.Tenants;

namespace Granary.Grains.Tests.Tenants;

/// <summary>AES-256-GCM sealing of tenant secrets: never the plain value, bound to its tenant and name, and rotatable.</summary>
public sealed class SecretProtectorTests
{
    private static readonly byte[] s_key = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void AStoredValueOpensToTheValueAndDoesNotContainIt()
    {
        var protector = new SecretProtector(s_key);

        var stored = protector.Protect("acme", "DB_PASSWORD", "hunter2-hunter2");

        Assert.Equal("hunter2-hunter2", protector.Unprotect("acme", "DB_PASSWORD", stored));
        Assert.DoesNotContain("hunter2", Encoding.UTF8.GetString(Convert.FromBase64String(stored)), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", stored, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSameValueSealedTwiceGivesTwoDifferentStoredValues()
    {
        var protector = new SecretProtector(s_key);

        Assert.NotEqual(protector.Protect("acme", "A", "same"), protector.Protect("acme", "A", "same"));
    }

    [Theory]
    [InlineData("other", "DB_PASSWORD")]
    [InlineData("acme", "API_TOKEN")]
    public void AStoredValueMovedToAnotherTenantOrNameDoesNotOpen(string tenant, string name)
    {
        var protector = new SecretProtector(s_key);
        var stored = protector.Protect("acme", "DB_PASSWORD", "hunter2");

        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(tenant, name, stored));
    }

    [Fact]
    public void AStoredValueChangedByOneBitDoesNotOpen()
    {
        var protector = new SecretProtector(s_key);
        var bytes = Convert.FromBase64String(protector.Protect("acme", "A", "value"));
        bytes[^1] ^= 1;

        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect("acme", "A", Convert.ToBase64String(bytes)));
    }

    [Fact]
    public void AfterARotationOldValuesOpenWithThePreviousKeyAndAreNotCurrent()
    {
        var old = new SecretProtector(s_key);
        var stored = old.Protect("acme", "A", "before rotation");
        var rotated = new SecretProtector(RandomNumberGenerator.GetBytes(32), [s_key]);
        var withoutOld = new SecretProtector(RandomNumberGenerator.GetBytes(32));

        Assert.Equal("before rotation", rotated.Unprotect("acme", "A", stored));
        Assert.False(rotated.IsCurrent(stored));
        Assert.True(rotated.IsCurrent(rotated.Protect("acme", "A", "after")));
        var missing = Assert.ThrowsAny<CryptographicException>(() => withoutOld.Unprotect("acme", "A", stored));
        Assert.Contains("Granary:Secrets:MasterKey or PreviousMasterKeys", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutAMasterKeyNothingIsStoredAndTheRefusalNamesTheSetting()
    {
        var stored = new SecretProtector(s_key).Protect("acme", "A", "kept from before");
        var keyless = SecretProtector.WithoutKey([s_key]);

        Assert.False(keyless.CanProtect);
        var refused = Assert.Throws<InvalidOperationException>(() => keyless.Protect("acme", "B", "new"));
        Assert.Contains("Granary:Secrets:MasterKey", refused.Message, StringComparison.Ordinal);
        Assert.Equal("kept from before", keyless.Unprotect("acme", "A", stored));
        Assert.True(keyless.IsCurrent(stored));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd")]
    public void AMasterKeyThatIsNot32BytesOfBase64IsRefused(string text)
    {
        Assert.Null(SecretProtector.ParseKey(text));
        Assert.NotEmpty(new SecretsOptions { MasterKey = text.Length == 0 ? "x" : text }.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(new object())));
    }
}
