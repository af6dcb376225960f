using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace Granary.Functions;

/// <summary>
/// The security headers Granary adds to a function's responses (its <c>securityHeaders</c> field), as Skipper's
/// per-function toggles: HSTS, a Content-Security-Policy with an allow-list of domains, <c>X-Content-Type-Options</c>,
/// <c>X-Frame-Options</c> and <c>Referrer-Policy</c>. A header the function sets itself wins over Granary's.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.SecurityHeaders")]
public sealed partial record SecurityHeaders
{
    /// <summary>The value of <see cref="FrameOptions"/> and <see cref="ReferrerPolicy"/> that sends no header.</summary>
    public const string Off = "off";

    /// <summary>The HSTS header's name: Granary adds it whenever <see cref="Hsts"/> is on, and the gateway sends it only over https.</summary>
    public const string HstsHeader = "Strict-Transport-Security";

    /// <summary>The most domains <see cref="CspAllowlist"/> may hold.</summary>
    public const int MaxAllowlist = 32;

    /// <summary>Gets the defaults: every header on.</summary>
    public static SecurityHeaders Default { get; } = new();

    /// <summary>Gets whether <c>Strict-Transport-Security</c> is sent (only on responses served over https).</summary>
    [Id(0)] public bool Hsts { get; init; } = true;

    /// <summary>Gets whether a Content-Security-Policy is sent with HTML responses.</summary>
    [Id(1)] public bool Csp { get; init; } = true;

    /// <summary>Gets the domains the policy allows besides the function's own origin (<c>fonts.googleapis.com</c>, <c>*.example.com</c>, <c>https://cdn.example.com</c>).</summary>
    [Id(2)] public ImmutableArray<string> CspAllowlist { get; init; } = [];

    /// <summary>Gets whether <c>X-Content-Type-Options: nosniff</c> is sent.</summary>
    [Id(3)] public bool ContentTypeOptions { get; init; } = true;

    /// <summary>Gets the <c>X-Frame-Options</c> value: <c>SAMEORIGIN</c> (default), <c>DENY</c> or <c>off</c>.</summary>
    [Id(4)] public string FrameOptions { get; init; } = "SAMEORIGIN";

    /// <summary>Gets the <c>Referrer-Policy</c> value (default <c>strict-origin-when-cross-origin</c>), or <c>off</c>.</summary>
    [Id(5)] public string ReferrerPolicy { get; init; } = "strict-origin-when-cross-origin";

    /// <summary>Gets the referrer policies a function may choose (the W3C Referrer Policy tokens).</summary>
    public static IReadOnlyList<string> ReferrerPolicies { get; } =
    [
        "no-referrer", "no-referrer-when-downgrade", "origin", "origin-when-cross-origin", "same-origin",
        "strict-origin", "strict-origin-when-cross-origin", "unsafe-url",
    ];

    /// <summary>Gets the Content-Security-Policy sent with HTML responses: the function's own origin, plus the allow-list.</summary>
    public string ContentSecurityPolicy()
    {
        var allow = CspAllowlist.IsDefaultOrEmpty ? "" : " " + string.Join(' ', CspAllowlist);
        return $"default-src 'self'{allow}; script-src 'self' 'unsafe-inline'{allow}; style-src 'self' 'unsafe-inline'{allow}; "
            + $"img-src 'self' data:{allow}; font-src 'self' data:{allow}; connect-src 'self'{allow}; media-src 'self'{allow}; "
            + "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";
    }

    /// <summary>Adds every problem with the settings to <paramref name="errors"/>, each naming its field.</summary>
    public void Validate(List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (FrameOptions is not ("SAMEORIGIN" or "DENY" or Off))
        {
            errors.Add($"securityHeaders.frameOptions: '{FunctionNames.Printable(FrameOptions ?? "")}' is not one of SAMEORIGIN, DENY, off.");
        }

        if (ReferrerPolicy != Off && !ReferrerPolicies.Contains(ReferrerPolicy))
        {
            errors.Add($"securityHeaders.referrerPolicy: '{FunctionNames.Printable(ReferrerPolicy ?? "")}' is not a referrer policy; use one of: {string.Join(", ", ReferrerPolicies)}, off.");
        }

        var allowlist = CspAllowlist.IsDefault ? [] : CspAllowlist;
        if (allowlist.Length > MaxAllowlist)
        {
            errors.Add($"securityHeaders.cspAllowlist: {allowlist.Length} entries; at most {MaxAllowlist}.");
        }

        foreach (var source in allowlist)
        {
            if (source is null || !SourcePattern().IsMatch(source))
            {
                errors.Add($"securityHeaders.cspAllowlist: '{FunctionNames.Printable(source ?? "")}' is not a domain (fonts.googleapis.com, *.example.com or https://cdn.example.com).");
            }
        }
    }

    // A CSP host-source: an optional http(s) scheme, an optional "*." and a DNS name, an optional port. No paths, quotes,
    // spaces or semicolons, so an entry can never end the directive or add another.
    [GeneratedRegex(@"^(https?://)?(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*(:[0-9]{1,5})?\z", RegexOptions.CultureInvariant)]
    private static partial Regex SourcePattern();
}
