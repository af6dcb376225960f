using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Granary.Tenants;

/// <summary>
/// Encrypts tenant secrets for storage with AES-256-GCM. A stored value is base64 of
/// <c>version (1) | key id (4) | nonce (12) | tag (16) | ciphertext</c>; the key id is the start of the master key's
/// SHA-256, so a value names the key that can open it (rotation keeps old keys for reading). The tenant and secret name
/// are the associated data: a value copied into another tenant's or another secret's place does not decrypt.
/// </summary>
public sealed class SecretProtector
{
    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 1 + 4 + NonceSize + TagSize;

    private readonly (uint Id, byte[] Key)? _current;
    private readonly Dictionary<uint, byte[]> _keys = [];

    // Reads the earlier keys only: a cluster started without a master key (nothing can be stored), and the base of the
    // public constructor, which adds the current key over them.
    private SecretProtector(IEnumerable<byte[]>? previousKeys)
    {
        foreach (var key in previousKeys ?? [])
        {
            _keys.TryAdd(KeyId(key), key);
        }
    }

    /// <summary>Creates the protector over a current master key and earlier ones that may still be read.</summary>
    public SecretProtector(byte[] masterKey, IEnumerable<byte[]>? previousKeys = null)
        : this(previousKeys)
    {
        ArgumentNullException.ThrowIfNull(masterKey);
        if (masterKey.Length != 32)
        {
            throw new ArgumentException("The master key must be 32 bytes.", nameof(masterKey));
        }

        var current = (Id: KeyId(masterKey), Key: masterKey);
        _current = current;
        _keys[current.Id] = masterKey;
    }

    /// <summary>
    /// Gets a protector without a master key (a cluster whose silos were given none): <see cref="Protect"/> fails, so no
    /// secret can be stored, and <see cref="CanProtect"/> says so before anything is tried.
    /// </summary>
    public static SecretProtector WithoutKey(IEnumerable<byte[]>? previousKeys = null) => new(previousKeys);

    /// <summary>Why a protector <see cref="WithoutKey"/> stores nothing, and what to do.</summary>
    public const string NoKeyMessage = "This cluster has no master key for tenant secrets, so none can be stored: set Granary:Secrets:MasterKey (32 bytes in base64, for example 'openssl rand -base64 32') to the same value on every silo and restart them.";

    /// <summary>Gets whether secrets can be stored: there is a master key.</summary>
    public bool CanProtect => _current is not null;

    /// <summary>Parses a base64 master key; null unless it is exactly 32 bytes.</summary>
    public static byte[]? ParseKey(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var buffer = new byte[64];
        return Convert.TryFromBase64String(text.Trim(), buffer, out var written) && written == 32 ? buffer[..32] : null;
    }

    /// <summary>Encrypts a secret's value for storage; without a master key (<see cref="CanProtect"/>), an <see cref="InvalidOperationException"/>.</summary>
    public string Protect(string tenant, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var current = _current ?? throw new InvalidOperationException(NoKeyMessage);
        var plaintext = Encoding.UTF8.GetBytes(value);
        var stored = new byte[HeaderSize + plaintext.Length];
        stored[0] = FormatVersion;
        BinaryPrimitives.WriteUInt32BigEndian(stored.AsSpan(1, 4), current.Id);
        var nonce = stored.AsSpan(5, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(current.Key, TagSize);
        aes.Encrypt(nonce, plaintext, stored.AsSpan(HeaderSize), stored.AsSpan(5 + NonceSize, TagSize), AssociatedData(tenant, name));
        return Convert.ToBase64String(stored);
    }

    /// <summary>Decrypts a stored value; throws <see cref="CryptographicException"/> when no known key opens it.</summary>
    public string Unprotect(string tenant, string name, string stored)
    {
        var bytes = Convert.FromBase64String(stored);
        if (bytes.Length < HeaderSize || bytes[0] != FormatVersion)
        {
            throw new CryptographicException($"The stored value of secret '{name}' is not in a format this version reads.");
        }

        var id = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(1, 4));
        if (!_keys.TryGetValue(id, out var key))
        {
            throw new CryptographicException($"Secret '{name}' was encrypted with a master key this silo does not have (key id {id:x8}); set it in Granary:Secrets:MasterKey or PreviousMasterKeys.");
        }

        var plaintext = new byte[bytes.Length - HeaderSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(bytes.AsSpan(5, NonceSize), bytes.AsSpan(HeaderSize), bytes.AsSpan(5 + NonceSize, TagSize), plaintext, AssociatedData(tenant, name));
        return Encoding.UTF8.GetString(plaintext);
    }

    /// <summary>Gets whether a stored value is encrypted under the current master key (else it is re-encrypted); true without one.</summary>
    public bool IsCurrent(string stored)
    {
        if (_current is not { } current)
        {
            return true;
        }

        var bytes = Convert.FromBase64String(stored);
        return bytes.Length >= 5 && BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(1, 4)) == current.Id;
    }

    private static uint KeyId(byte[] key) => BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(key));

    private static byte[] AssociatedData(string tenant, string name) => Encoding.UTF8.GetBytes($"granary-secret:{tenant}/{name}");
}
