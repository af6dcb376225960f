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

    /// <summary>Checks that the caller may invoke functions of <paramref name="tenant"/> with a key; null when it may.</summary>
    public async ValueTask<ProblemHttpResult?> CheckKeyAsync(HttpContext context, string tenant, long arrived)
    {
        var check = await keys.AuthenticateAsync(context.Request, arrived);
        if (check.Principal is not { } principal)
        {
            context.Response.Headers.WWWAuthenticate = check.Challenge;
            return ApiProblems.Create(401, "unauthorized", "Unauthorized", check.Failure ?? "This function's access is 'key': send 'Authorization: Bearer <key>' with a key of its tenant.");
        }

        return principal.Allows(Capability.Invoke, tenant)
            ? null
            : ApiProblems.Create(403, "forbidden", "Forbidden", $"The key {principal.Prefix} may not invoke functions of tenant '{tenant}'.");
    }

    private async ValueTask<ProblemHttpResult?> CheckSlowAsync(HttpContext context, string tenant, string workspace, string name, long arrived)
    {
        var access = (await views.GetAsync(tenant, arrived))?.FunctionAccess(workspace, name);
        if (access is null)
        {
            // Perhaps deployed a moment ago through another gateway: ask again, once, for news newer than this request.
            access = (await views.RefreshedAsync(tenant, arrived))?.FunctionAccess(workspace, name);
        }

        return access switch
        {
            null => ApiProblems.FunctionNotFound(tenant, workspace, name),
            FunctionAccess.Public => null,
            _ => await CheckKeyAsync(context, tenant, arrived),
        };
    }
}
