using System.Collections.Immutable;

namespace Granary.Functions;

/// <summary>
/// A function's <see cref="SecurityHeaders"/> as the header lines they add, computed once per version: the hot path
/// only appends the lines the function did not set itself. <c>Strict-Transport-Security</c> is added here whenever it
/// is on; the gateway drops it from responses that are not served over https.
/// </summary>
internal sealed class ResponseSecurity
{
    private readonly HttpHeader[] _always;
    private readonly HttpHeader? _csp;

    private ResponseSecurity(SecurityHeaders settings)
    {
        var always = new List<HttpHeader>(4);
        if (settings.ContentTypeOptions)
        {
            always.Add(new HttpHeader("X-Content-Type-Options", "nosniff"));
        }

        if (settings.FrameOptions != SecurityHeaders.Off)
        {
            always.Add(new HttpHeader("X-Frame-Options", settings.FrameOptions));
        }

        if (settings.ReferrerPolicy != SecurityHeaders.Off)
        {
            always.Add(new HttpHeader("Referrer-Policy", settings.ReferrerPolicy));
        }

        if (settings.Hsts)
        {
            always.Add(new HttpHeader(SecurityHeaders.HstsHeader, "max-age=31536000"));
        }

        _always = [.. always];
        _csp = settings.Csp ? new HttpHeader("Content-Security-Policy", settings.ContentSecurityPolicy()) : null;
    }

    /// <summary>Gets the headers of a spec's settings (absent settings are the defaults).</summary>
    public static ResponseSecurity For(FunctionSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var settings = spec.SecurityHeaders ?? SecurityHeaders.Default;
        return settings == SecurityHeaders.Default ? s_default : new ResponseSecurity(settings);
    }

    private static readonly ResponseSecurity s_default = new(SecurityHeaders.Default);

    /// <summary>Returns <paramref name="headers"/> with every security header the function did not set itself.</summary>
    public ImmutableArray<HttpHeader> Apply(ImmutableArray<HttpHeader> headers)
    {
        headers = headers.IsDefault ? [] : headers;
        var html = _csp is not null
            && HttpHeader.Find(headers, "Content-Type") is { } type
            && type.AsSpan().TrimStart().StartsWith("text/html", StringComparison.OrdinalIgnoreCase);
        var builder = ImmutableArray.CreateBuilder<HttpHeader>(headers.Length + _always.Length + 1);
        builder.AddRange(headers);
        foreach (var header in _always)
        {
            if (HttpHeader.Find(headers, header.Name) is null)
            {
                builder.Add(header);
            }
        }

        if (html && HttpHeader.Find(headers, _csp!.Value.Name) is null)
        {
            builder.Add(_csp.Value);
        }

        return builder.Count == builder.Capacity ? builder.MoveToImmutable() : builder.ToImmutable();
    }
}
