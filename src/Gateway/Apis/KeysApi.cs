using System.Collections.Immutable;
using Granary.Functions;
using Granary.Gateway.Access;
using Granary.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Granary.Gateway.Apis;

/// <summary>A tenant's API keys: created (the key is shown once), listed (never the keys) and revoked, by its owners.</summary>
internal static class KeysApi
{
    public static RouteGroupBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/tenants/{tenant}/keys").WithTags("Keys").RequireAccess(Capability.ManageKeys);
        api.MapPost("/", CreateAsync).WithName("CreateKey").WithSummary("Create a key; its value is shown this once");
        api.MapGet("/", ListAsync).WithName("ListKeys").WithSummary("List the tenant's keys (never their values)");
        api.MapDelete("/{id}", RevokeAsync).WithName("RevokeKey").WithSummary("Revoke a key on every gateway");
        return api;
    }

    public static async Task<Results<Created<CreatedKeyResponse>, ProblemHttpResult>> CreateAsync(string tenant, HttpContext context, IGrainFactory grains, TenantViews views)
    {
        if (FunctionNames.CheckTenant(tenant) is { } badName)
        {
            return ApiProblems.BadName(badName);
        }

        var (request, problem) = await ApiJson.ReadAsync<KeyRequest>(context, 16 * 1024);
        if (request is null)
        {
            return problem!;
        }

        if (request.Role is null || !TenantRoles.TenantKeyRoles.Contains(request.Role))
        {
            return ApiProblems.Create(400, "invalid-key", "Invalid key", $"role must be one of: {string.Join(", ", TenantRoles.TenantKeyRoles)} (a tenant key cannot be admin).");
        }

        // A metrics key reads every tenant's metrics: the operator's to hand out, not a tenant owner's.
        if (request.Role == TenantRoles.Metrics && context.Principal()?.Role != TenantRoles.Admin)
        {
            return ApiProblems.Create(403, "forbidden", "Forbidden", "Only the admin key creates keys of the metrics role (their metrics cover every tenant).");
        }

        var name = request.Name ?? request.Role;
        if (name.Length is 0 or > 100 || name.Any(char.IsControl))
        {
            return ApiProblems.Create(400, "invalid-key", "Invalid key", "name must be 1 to 100 characters with no control characters.");
        }

        if (request.ExpiresAt is { } expiresAt && expiresAt <= TimeProvider.System.GetUtcNow())
        {
            return ApiProblems.Create(400, "invalid-key", "Invalid key", "expiresAt must be in the future.");
        }

        var created = await grains.GetGrain<ITenantGrain>(tenant).CreateKeyAsync(request.Role, name, context.Principal()?.Prefix, request.ExpiresAt);
        if (created is null)
        {
            return ApiProblems.From(TenantRefusal.NotFound(tenant));
        }

        views.Forget(tenant);
        await context.RecordAsync(grains, tenant, "key.create", created.Info.Id, $"{created.Info.Prefix}, role {created.Info.Role}, name {created.Info.Name}");
        var info = created.Info;
        return TypedResults.Created($"/api/v1/tenants/{tenant}/keys/{info.Id}", new CreatedKeyResponse(info.Id, created.Key, info.Prefix, info.Role, info.Name, info.CreatedAt, info.ExpiresAt));
    }

    public static Task<Results<Ok<KeyListResponse>, ProblemHttpResult>> ListAsync(string tenant, IGrainFactory grains) =>
        TenantReads.ReadAsync(tenant, grains, async grain => new KeyListResponse(await grain.GetKeysAsync()));

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(string tenant, string id, HttpContext context, IGrainFactory grains, TenantViews views)
    {
        if (FunctionNames.CheckTenant(tenant) is { } badName)
        {
            return ApiProblems.BadName(badName);
        }

        if (!await grains.GetGrain<ITenantGrain>(tenant).RevokeKeyAsync(id))
        {
            return ApiProblems.Create(404, "key-not-found", "Key not found", $"Tenant '{tenant}' has no key '{FunctionNames.Printable(id)}'.");
        }

        views.Forget(tenant);
        await context.RecordAsync(grains, tenant, "key.revoke", id, ApiKeys.Prefix(tenant, id));
        return TypedResults.NoContent();
    }
}

/// <summary>The body of <c>POST …/keys</c>.</summary>
internal sealed class KeyRequest
{
    public string? Role { get; set; }

    public string? Name { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }
}

/// <summary>A key just created: <see cref="Key"/> is shown this once and never again.</summary>
internal sealed record CreatedKeyResponse(string Id, string Key, string Prefix, string Role, string Name, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>The tenant's keys.</summary>
internal sealed record KeyListResponse(ImmutableArray<ApiKeyInfo> Keys);
