using Microsoft.AspNetCore.Authorization;

namespace Granary.Gateway.Access;

/// <summary>An endpoint's need: a key that may do <see cref="Capability"/> in the tenant the request is about.</summary>
internal sealed record AccessRequirement(Capability Capability) : IAuthorizationRequirement;

/// <summary>Decides an <see cref="AccessRequirement"/> by the role matrix, for the tenant the request targets.</summary>
internal sealed class AccessHandler : AuthorizationHandler<AccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AccessRequirement requirement)
    {
        if (context.Resource is HttpContext http && http.Features.Get<ApiPrincipal>() is { } principal)
        {
            var tenant = TargetTenant.Of(http, principal);
            if (principal.Allows(requirement.Capability, tenant))
            {
                context.Succeed(requirement);
            }
            else
            {
                http.Items[ApiKeyAuthenticationHandler.ForbiddenReason] = tenant is null || requirement.Capability == Capability.ManageTenants
                    ? $"The key {principal.Prefix} (role {principal.Role}) may not {RoleMatrix.Describe(requirement.Capability)}; that needs the admin key{(requirement.Capability == Capability.ReadMetrics ? " or a key of the metrics role" : "")}."
                    : $"The key {principal.Prefix} (role {principal.Role}{(principal.Tenant is null ? "" : $", tenant '{principal.Tenant}'")}) may not {RoleMatrix.Describe(requirement.Capability)} '{Functions.FunctionNames.Printable(tenant)}'.";
            }
        }

        return Task.CompletedTask;
    }
}

/// <summary>The tenant a request is about: the route's <c>{tenant}</c>, or for the Custom Code API the caller's own.</summary>
internal static class TargetTenant
{
    /// <summary>The header an admin key (or any key, naming its own tenant) uses to pick the tenant of <c>/v2/functions</c>.</summary>
    public const string Header = "X-Granary-Tenant";

    /// <summary>Gets the tenant the request targets; null when it names none.</summary>
    public static string? Of(HttpContext context, ApiPrincipal? principal)
    {
        if (context.Request.RouteValues.TryGetValue("tenant", out var routed) && routed is string tenant)
        {
            return tenant;
        }

        return ApiPaths.IsCustomCode(context.Request.Path) ? CustomCode(context, principal) : null;
    }

    /// <summary>
    /// Gets the tenant of a Custom Code request: the <c>X-Granary-Tenant</c> header when given, else the key's tenant,
    /// else <c>default</c> (the admin key, or an anonymous run of a public workspace).
    /// </summary>
    public static string CustomCode(HttpContext context, ApiPrincipal? principal) =>
        context.Request.Headers[Header] is { Count: > 0 } named ? named.ToString().Trim() : principal?.Tenant ?? Tenants.TenantOptions.DefaultTenant;
}
