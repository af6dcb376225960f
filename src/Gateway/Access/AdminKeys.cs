namespace Granary.Gateway.Access;

/// <summary>
/// The hash of the admin key this gateway accepts: the configured <c>Granary:Auth:AdminKey</c>, or the one an embedded
/// host generated (set at start-up by <see cref="AdminKeyBootstrap"/>). Until it is known, no key is an admin key.
/// </summary>
internal sealed class AdminKeys
{
    private volatile byte[]? _hash;

    /// <summary>Sets the hash of the admin key.</summary>
    public void Set(byte[] hash) => _hash = hash;

    /// <summary>Gets whether a presented key's hash is the admin key's, in constant time.</summary>
    public bool Matches(ReadOnlySpan<byte> presentedHash) => _hash is { } hash && Tenants.ApiKeys.Matches(presentedHash, hash);
}
