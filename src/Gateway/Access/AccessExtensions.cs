using Microsoft.AspNetCore.Authentication;

namespace Granary.Gateway.Access;

/// <summary>Registers key authentication and one authorization policy per <see cref="Capability"/>.</summary>
internal static class AccessExtensions
{
    public static IServiceCollection AddGranaryAccess(this IServiceCollection services)
    {
        // No default scheme (ASP.NET Core makes a single scheme the default otherwise): only endpoints that require a
        // capability authenticate, so a function's invocation costs nothing here.
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(options =>
        {
            foreach (var capability in Enum.GetValues<Capability>())
            {
                options.AddPolicy(PolicyName(capability), policy => policy
                    .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                    .AddRequirements(new AccessRequirement(capability)));
            }
        });
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, AccessHandler>();
        return services;
    }

    /// <summary>Requires a key that may do <paramref name="capability"/> in the tenant the request is about.</summary>
    public static TBuilder RequireAccess<TBuilder>(this TBuilder builder, Capability capability)
        where TBuilder : IEndpointConventionBuilder => builder.RequireAuthorization(PolicyName(capability));

    /// <summary>Gets the principal the key authentication found for a request, if any.</summary>
    public static ApiPrincipal? Principal(this HttpContext context) => context.Features.Get<ApiPrincipal>();

    private static string PolicyName(Capability capability) => "granary:" + capability;
}
