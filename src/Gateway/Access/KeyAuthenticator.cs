using System.Diagnostics;
using Granary.Tenants;

namespace Granary.Gateway.Access;

/// <summary>
/// Turns an <c>Authorization: Bearer …</c> header into the key's <see cref="ApiPrincipal"/>: the admin key, or a key
/// of a tenant checked against the tenant's view (its hash, compared in constant time).
/// </summary>
internal sealed class KeyAuthenticator(AdminKeys admin, TenantViews views)
{
    private const int VerifiedCapacity = 10_000;

    // Keys this gateway verified, with the version of their tenant's view they were verified against: a key whose
    // tenant changed since (a key revoked, any change) is verified again. Failures are never kept, so a flood of
    // made-up keys cannot fill it, and it is emptied when it reaches its capacity.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string? Tenant, long Version, KeyCheck Check, DateTimeOffset? ExpiresAt)> _verified = new(StringComparer.Ordinal);

    /// <summary>Authenticates the request's key; a request without one gets <see cref="KeyCheck.Missing"/>.</summary>
    public ValueTask<KeyCheck> AuthenticateAsync(HttpRequest request, long arrived)
    {
        var header = request.Headers.Authorization;
        return header.Count == 0 ? ValueTask.FromResult(KeyCheck.Missing) : AuthenticateAsync(header.ToString(), arrived);
    }

    /// <summary>Authenticates the value of an <c>Authorization</c> header.</summary>
    public ValueTask<KeyCheck> AuthenticateAsync(string header, long arrived)
    {
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return ValueTask.FromResult(KeyCheck.Invalid("The Authorization header must be 'Bearer <key>'."));
        }

        var key = header.AsSpan(7).Trim();
        if (key.Length > ApiKeys.MaxLength)
        {
            return ValueTask.FromResult(KeyCheck.Unknown);
        }

        // The hot path: a key verified here before, whose tenant has not changed since (no hash, no allocation).
        if (_verified.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(key, out var verified) &&
            (verified.Tenant is null || (views.TryGet(verified.Tenant, out var current) && current?.Version == verified.Version)))
        {
            return ValueTask.FromResult(Valid(verified.Check, verified.ExpiresAt));
        }

        Span<byte> hash = stackalloc byte[32];
        ApiKeys.Hash(key, hash);
        if (admin.Matches(hash))
        {
            Remember(key, null, 0, KeyCheck.AdminKey, null);
            return ValueTask.FromResult(KeyCheck.AdminKey);
        }

        if (!ApiKeys.TryParse(key, out var tenant, out var id))
        {
            return ValueTask.FromResult(KeyCheck.Unknown);
        }

        if (views.TryGet(tenant, out var view) && view is not null && view.TryGetKey(id, out var known))
        {
            return ValueTask.FromResult(Accept(key, view, known, hash));
        }

        return TenantKeyAsync(key.ToString(), tenant.ToString(), id.ToString(), hash.ToArray(), arrived);
    }

    // A key found in its tenant's view: its hash compared in constant time, remembered while the view holds, refused past its expiry.
    private KeyCheck Accept(ReadOnlySpan<char> key, TenantView view, (KeyEntry Entry, KeyCheck Check) known, ReadOnlySpan<byte> hash)
    {
        if (!ApiKeys.Matches(hash, known.Entry.Hash))
        {
            return KeyCheck.Unknown;
        }

        Remember(key, view.Tenant, view.Version, known.Check, known.Entry.ExpiresAt);
        return Valid(known.Check, known.Entry.ExpiresAt);
    }

    // A key past its expiry is refused like an unknown one, whatever remembered it.
    private static KeyCheck Valid(KeyCheck check, DateTimeOffset? expiresAt) =>
        expiresAt is { } end && end <= TimeProvider.System.GetUtcNow() ? KeyCheck.Expired : check;

    private void Remember(ReadOnlySpan<char> key, string? tenant, long version, KeyCheck check, DateTimeOffset? expiresAt)
    {
        if (_verified.Count >= VerifiedCapacity)
        {
            _verified.Clear();
        }

        _verified[key.ToString()] = (tenant, version, check, expiresAt);
    }

    /// <summary>
    /// Gets whether an <c>Authorization</c> value carries a Granary key, which a function must never see: a tenant
    /// key (by its form) or the admin key (by its hash: a configured admin key may have any form).
    /// </summary>
    public bool IsGranaryCredential(string value)
    {
        if (!value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var key = value.AsSpan(7).Trim();
        if (key.StartsWith(ApiKeys.Marker, StringComparison.Ordinal))
        {
            return true;
        }

        if (key.Length is 0 or > ApiKeys.MaxLength)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[32];
        ApiKeys.Hash(key, hash);
        return admin.Matches(hash);
    }

    // A key this gateway's view of its tenant does not have (yet): perhaps created a moment ago through another gateway.
    private async ValueTask<KeyCheck> TenantKeyAsync(string key, string tenant, string id, byte[] hash, long arrived)
    {
        var view = await views.FindAsync(tenant, arrived, v => v.Keys.ContainsKey(id) ? v : null);
        return view is null ? KeyCheck.Unknown : Accept(key, view, view.Keys[id], hash);
    }
}

/// <summary>The outcome of authenticating a key: the principal, or why there is none.</summary>
/// <param name="Principal">Who the key belongs to, when it is valid.</param>
/// <param name="Failure">Why it is not: null when no key was presented at all.</param>
internal sealed record KeyCheck(ApiPrincipal? Principal, string? Failure)
{
    public static KeyCheck Missing { get; } = new(null, null);

    public static KeyCheck Unknown { get; } = new(null, "The key is not valid: it is unknown or was revoked.");

    public static KeyCheck AdminKey { get; } = new(ApiPrincipal.Admin, null);

    public static KeyCheck Expired { get; } = new(null, "The key has expired.");

    /// <summary>Gets whether a key was presented (valid or not).</summary>
    public bool Presented => Principal is not null || Failure is not null;

    public static KeyCheck Invalid(string reason) => new(null, reason);

    /// <summary>The <c>WWW-Authenticate</c> value of a 401 for this outcome (RFC 6750).</summary>
    public string Challenge => Failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";

    /// <summary>A Stopwatch timestamp for "now", for the arrival of a request.</summary>
    public static long Now => Stopwatch.GetTimestamp();
}
