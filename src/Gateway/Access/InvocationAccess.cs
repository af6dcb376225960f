using Granary.Gateway.Apis;
using Granary.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Granary.Gateway.Access;

/// <summary>
/// The hot path's access check: whether the function exists (an unknown name is refused here, without a grain
/// activation or a storage read) and, for a function whose access is <c>key</c>, whether the caller's key may invoke
/// it. A public function that this gateway knows costs a dictionary lookup.
/// </summary>
internal sealed class InvocationAccess(TenantViews views, KeyAuthenticator keys)
{
    /// <summary>Gets the key authenticator (the invocation path also uses it to keep keys from functions).</summary>
    public KeyAuthenticator Keys => keys;

    /// <summary>Returns the refusal to send, or null when the call may go to the function.</summary>
    public ValueTask<ProblemHttpResult?> CheckAsync(HttpContext context, string tenant, string workspace, string name)
    {
        var arrived = KeyCheck.Now;
        if (views.TryGet(tenant, out var view) && view?.FunctionAccess(workspace, name) is { } access)
        {
            return access == FunctionAccess.Public ? default : CheckKeyAsync(context, tenant, arrived);
        }

        return CheckSlowAsync(context, tenant, workspace, name, arrived);
    }

    /// <summary>
    /// The refusal of a caller without the right to invoke in <paramref name="tenant"/> (null when it has it): 401 with
    /// a challenge when no valid key came, 403 for a key of another scope. <paramref name="subject"/> is what asks for a
    /// key (<c>function</c>, <c>workspace</c>) and <paramref name="action"/> what the caller may not do.
    /// </summary>
    public static ProblemHttpResult? RefuseUnlessInvoker(HttpContext context, KeyCheck check, ApiPrincipal? principal, string tenant, string subject, string action)
    {
        if (principal is null)
        {
            return Unauthorized(context, check, $"This {subject}'s access is 'key': send 'Authorization: Bearer <key>' with a key of its tenant.");
        }

        return principal.Allows(Capability.Invoke, tenant)
            ? null
            : ApiProblems.Create(403, "forbidden", "Forbidden", $"The key {principal.Prefix} may not {action} of tenant '{tenant}'.");
    }

    /// <summary>
    /// Every 401 of the gateway: the RFC 6750 challenge and a problem body saying why the key failed, or
    /// <paramref name="whenMissing"/> when none came.
    /// </summary>
    public static ProblemHttpResult Unauthorized(HttpContext context, KeyCheck check, string whenMissing)
    {
        context.Response.Headers.WWWAuthenticate = check.Challenge;
        return ApiProblems.Create(401, "unauthorized", "Unauthorized", check.Failure ?? whenMissing);
    }

    private async ValueTask<ProblemHttpResult?> CheckKeyAsync(HttpContext context, string tenant, long arrived)
    {
        var check = await keys.AuthenticateAsync(context.Request, arrived);
        return RefuseUnlessInvoker(context, check, check.Principal, tenant, "function", "invoke functions");
    }

    private async ValueTask<ProblemHttpResult?> CheckSlowAsync(HttpContext context, string tenant, string workspace, string name, long arrived)
    {
        // Perhaps deployed a moment ago through another gateway: FindAsync asks again, once, for news newer than this request.
        var access = await views.FindAsync(tenant, arrived, view => view.FunctionAccess(workspace, name));
        return access switch
        {
            null => ApiProblems.FunctionNotFound(tenant, workspace, name),
            FunctionAccess.Public => null,
            _ => await CheckKeyAsync(context, tenant, arrived),
        };
    }
}
