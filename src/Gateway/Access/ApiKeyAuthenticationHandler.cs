using System.Security.Claims;
using System.Text.Encodings.Web;
using Granary.Gateway.Apis;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Access;

/// <summary>
/// ASP.NET Core authentication by Granary API key (<c>Authorization: Bearer gk_…</c>) for the management APIs. A
/// missing or unknown key is challenged with <c>401</c>, <c>WWW-Authenticate: Bearer</c> and a problem body; a valid
/// key outside its scope is forbidden with <c>403</c> and a problem body saying what it may not do.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    KeyAuthenticator keys,
    IOptions<CustomCodeOptions> customCode,
    IOptions<Granary.Runtime.Telemetry.MetricsOptions> metrics)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    /// <summary>The scheme name.</summary>
    public const string SchemeName = "GranaryKey";

    /// <summary>The <see cref="HttpContext.Items"/> key under which authorization leaves why it forbade a request.</summary>
    public const string ForbiddenReason = "granary:forbidden";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Only the APIs and /metrics authenticate here; a function's own Authorization header is its business.
        if (!ApiPaths.IsApi(Request.Path) && !Request.Path.Equals(metrics.Value.Path, StringComparison.Ordinal))
        {
            return AuthenticateResult.NoResult();
        }

        var check = await keys.AuthenticateAsync(Request, KeyCheck.Now);
        Context.Features.Set(check);
        var principal = ApiPaths.IsCustomCode(Request.Path) ? customCode.Value.Caller(check) : check.Principal;
        if (principal is null)
        {
            return check.Presented ? AuthenticateResult.Fail(check.Failure!) : AuthenticateResult.NoResult();
        }

        Context.Features.Set(principal);
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, principal.KeyId),
                new Claim(ClaimTypes.Name, principal.Prefix),
                new Claim(ClaimTypes.Role, principal.Role),
                .. principal.Tenant is null ? Array.Empty<Claim>() : [new Claim("granary:tenant", principal.Tenant)],
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var check = Context.Features.Get<KeyCheck>() ?? KeyCheck.Missing;
        await InvocationAccess.Unauthorized(Context, check, "This request needs an API key: send 'Authorization: Bearer <key>'.").ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var reason = Context.Items[ForbiddenReason] as string ?? "The key may not do this.";
        await ApiProblems.Create(403, "forbidden", "Forbidden", reason).ExecuteAsync(Context);
    }
}
