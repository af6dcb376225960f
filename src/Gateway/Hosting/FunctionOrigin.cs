using Granary.Gateway.Apis;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Hosting;

/// <summary>
/// The origin model: which host serves functions and which serves the API, whether the public origin is https (HSTS),
/// and the security headers of every answer that is not a function's. The management API authenticates with a bearer
/// key in a header and never with cookies, so a cookie a function plants or reads gives it nothing.
/// </summary>
internal sealed class FunctionOrigin(IOptions<FunctionOriginOptions> functions, IOptions<GatewayOptions> gateway)
{
    private readonly string? _functionsUrl = string.IsNullOrEmpty(functions.Value.PublicUrl) ? null : functions.Value.PublicUrl.TrimEnd('/');
    private readonly string? _functionsHost = functions.Value.Host;
    private readonly bool _https = IsHttpsUrl(functions.Value.PublicUrl) || IsHttpsUrl(gateway.Value.PublicUrl);

    /// <summary>Gets the base of functions' URLs when functions have an origin of their own, else null.</summary>
    public string? FunctionsUrl => _functionsUrl;

    /// <summary>Tells whether a response to this request is served over https (HSTS is sent only then).</summary>
    public bool IsHttps(HttpContext context) => _https || context.Request.IsHttps;

    /// <summary>Tells whether the request came to the functions' own host.</summary>
    public bool IsFunctionsHost(HttpContext context) =>
        _functionsHost is not null && string.Equals(context.Request.Host.Host, _functionsHost, StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns a 404 for a function request that came to the API's host when functions have their own origin; else null.</summary>
    public IResult? Misdirected(HttpContext context) =>
        _functionsUrl is null || IsFunctionsHost(context)
            ? null
            : ApiProblems.Create(404, "function-origin", "Functions are served on their own origin",
                $"Functions are served at {_functionsUrl}/fn/… (Granary:Functions:PublicUrl), not on this host.");

    /// <summary>
    /// Serves everything that is not a function's answer: on the functions' own host only health answers (the API is
    /// not there); elsewhere the answer gets <c>X-Content-Type-Options</c>, <c>X-Frame-Options</c> and <c>Referrer-Policy</c>.
    /// </summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (IsFunctionsHost(context) && !context.Request.Path.StartsWithSegments("/healthz") && !context.Request.Path.StartsWithSegments("/readyz"))
        {
            return ApiProblems.Create(404, "function-origin", "Not found on the functions' origin",
                "This host serves functions only (/fn/…); the management API is served on the gateway's own host.").ExecuteAsync(context);
        }

        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        return next(context);
    }

    private static bool IsHttpsUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps;
}
