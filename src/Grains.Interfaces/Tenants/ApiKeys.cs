using System.Security.Cryptography;
using System.Text;
using Granary.Functions;

namespace Granary.Tenants;

/// <summary>
/// The form of API keys: <c>gk_{tenant}_{id}_{secret}</c>. The secret is 32 random base62 characters (190 bits);
/// <c>gk_{tenant}_{id}</c> is the readable prefix that names a key in listings and logs without revealing it.
/// Only a key's SHA-256 is stored: keys are long random strings, so a fast hash is as strong as a slow one, and
/// checking it costs well under a microsecond.
/// </summary>
public static class ApiKeys
{
    /// <summary>What every Granary key starts with.</summary>
    public const string Marker = "gk_";

    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string IdAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";
    private const int IdLength = 8;
    private const int SecretLength = 32;

    /// <summary>Makes a new key of a tenant: its id, the key itself and the key's hash.</summary>
    public static (string Id, string Key, byte[] Hash) Generate(string tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var id = Random(IdAlphabet, IdLength);
        var key = $"{Prefix(tenant, id)}_{Random(Base62, SecretLength)}";
        return (id, key, Hash(key));
    }

    /// <summary>Makes a new admin key (<c>gk_admin_{40 base62 characters}</c>, 238 bits).</summary>
    public static string GenerateAdmin() => $"{Marker}admin_{Random(Base62, 40)}";

    /// <summary>Gets the readable prefix of a tenant's key.</summary>
    public static string Prefix(string tenant, string id) => $"{Marker}{tenant}_{id}";

    /// <summary>The longest text taken for a key; anything longer is no key.</summary>
    public const int MaxLength = 160;

    /// <summary>Splits a tenant key into its tenant and id without allocating; false when the text is not of that form.</summary>
    public static bool TryParse(ReadOnlySpan<char> key, out ReadOnlySpan<char> tenant, out ReadOnlySpan<char> id)
    {
        tenant = default;
        id = default;
        if (!key.StartsWith(Marker, StringComparison.Ordinal) || key.Length > MaxLength)
        {
            return false;
        }

        var rest = key[Marker.Length..];
        Span<Range> parts = stackalloc Range[4];
        if (rest.Split(parts, '_') != 3 || rest[parts[1]].Length != IdLength || rest[parts[2]].Length != SecretLength)
        {
            return false;
        }

        tenant = rest[parts[0]];
        id = rest[parts[1]];
        return FunctionNames.IsValidScope(tenant);
    }

    /// <summary>Gets the SHA-256 of a key, as stored.</summary>
    public static byte[] Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return SHA256.HashData(Encoding.UTF8.GetBytes(key));
    }

    /// <summary>Writes the SHA-256 of a key (at most <see cref="MaxLength"/> characters) to <paramref name="hash"/> (32 bytes) without allocating.</summary>
    public static void Hash(ReadOnlySpan<char> key, Span<byte> hash)
    {
        Span<byte> utf8 = stackalloc byte[MaxLength * 3];
        var length = Encoding.UTF8.GetBytes(key[..Math.Min(key.Length, MaxLength)], utf8);
        SHA256.HashData(utf8[..length], hash);
    }

    /// <summary>Compares a presented key's hash to a stored one in constant time.</summary>
    public static bool Matches(ReadOnlySpan<byte> presentedHash, ReadOnlySpan<byte> storedHash) =>
        CryptographicOperations.FixedTimeEquals(presentedHash, storedHash);

    private static string Random(string alphabet, int length) =>
        string.Create(length, alphabet, static (chars, alphabet) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
            }
        });
}
