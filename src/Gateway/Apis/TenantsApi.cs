using System.Collections.Immutable;
using Granary.Functions;
using Granary.Gateway.Access;
using Granary.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Apis;

/// <summary>Tenants: created, read, listed and deleted by the admin; each tenant's keys can read it.</summary>
internal static class TenantsApi
{
    public static RouteGroupBuilder MapTenantsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Tenants");
        api.MapGet("/tenants", ListAsync).RequireAccess(Capability.ManageTenants).WithName("ListTenants").WithSummary("List the tenants (admin)");
        api.MapPut("/tenants/{tenant}", PutAsync).RequireAccess(Capability.ManageTenants).WithName("PutTenant").WithSummary("Create a tenant or change its quotas (admin)");
        api.MapGet("/tenants/{tenant}", GetAsync).RequireAccess(Capability.ReadTenant).WithName("GetTenant").WithSummary("Get a tenant with its quotas and usage");
        api.MapDelete("/tenants/{tenant}", DeleteAsync).RequireAccess(Capability.ManageTenants).WithName("DeleteTenant").WithSummary("Delete a tenant with everything it has (admin)");
        api.MapGet("/tenants/{tenant}/audit", GetAuditAsync).RequireAccess(Capability.ReadAudit).WithName("GetTenantAudit").WithSummary("The tenant's most recent changes: who, what, when");
        api.MapGet("/audit", GetSystemAuditAsync).RequireAccess(Capability.ManageTenants).WithName("GetSystemAudit").WithSummary("Tenants created and deleted (admin)");
        return api;
    }

    public static async Task<Ok<TenantListResponse>> ListAsync(IGrainFactory grains)
    {
        var list = await grains.GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).GetTenantsAsync(0);
        var infos = await Task.WhenAll((list?.Tenants ?? []).Select(t => grains.GetGrain<ITenantGrain>(t).GetAsync()));
        return TypedResults.Ok(new TenantListResponse([.. infos.OfType<TenantInfo>()]));
    }

    public static async Task<Results<Created<TenantInfo>, Ok<TenantInfo>, ProblemHttpResult>> PutAsync(
        string tenant, HttpContext context, IGrainFactory grains, TenantViews views, IOptions<FunctionLimits> limits)
    {
        if (FunctionNames.CheckTenant(tenant) is { } badName)
        {
            return ApiProblems.BadName(badName);
        }

        var (request, problem) = await ApiJson.ReadAsync<TenantRequest>(context, 64 * 1024);
        if (request is null)
        {
            return problem!;
        }

        var quotas = request.Quotas ?? new TenantQuotas();
        if (QuotaRanges.Check(quotas, limits.Value) is { } invalid)
        {
            return ApiProblems.Create(400, "invalid-quotas", "Invalid quotas", invalid);
        }

        var grain = grains.GetGrain<ITenantGrain>(tenant);
        var created = await grain.PutAsync(quotas);
        views.Forget(tenant);
        await context.RecordAsync(grains, created ? ITenantAuditGrain.SystemLog : tenant, created ? "tenant.create" : "tenant.update", tenant);
        var info = (await grain.GetAsync())!;
        return created ? TypedResults.Created($"/api/v1/tenants/{tenant}", info) : TypedResults.Ok(info);
    }

    public static async Task<Results<Ok<TenantInfo>, ProblemHttpResult>> GetAsync(string tenant, IGrainFactory grains, TenantViews views)
    {
        if (FunctionNames.CheckTenant(tenant) is { } badName)
        {
            return ApiProblems.BadName(badName);
        }

        // The directory answers for a name that does not exist, so a probe costs no tenant grain.
        if (await views.GetAsync(tenant, KeyCheck.Now) is null)
        {
            return ApiProblems.From(TenantRefusal.NotFound(tenant));
        }

        return await grains.GetGrain<ITenantGrain>(tenant).GetAsync() is { } info ? TypedResults.Ok(info) : ApiProblems.From(TenantRefusal.NotFound(tenant));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string tenant, HttpContext context, IGrainFactory grains, TenantViews views)
    {
        if (FunctionNames.CheckTenant(tenant) is { } badName)
        {
            return ApiProblems.BadName(badName);
        }

        var deleted = await grains.GetGrain<ITenantGrain>(tenant).DeleteAsync();
        views.Forget(tenant);
        if (!deleted)
        {
            return ApiProblems.From(TenantRefusal.NotFound(tenant));
        }

        await context.RecordAsync(grains, ITenantAuditGrain.SystemLog, "tenant.delete", tenant);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<AuditResponse>, ProblemHttpResult>> GetAuditAsync(string tenant, HttpContext context, IGrainFactory grains, IOptions<TenantOptions> options)
    {
        if (FunctionNames.CheckTenant(tenant) is { } badName)
        {
            return ApiProblems.BadName(badName);
        }

        var (limit, badLimit) = QueryLimit.Parse(context, options.Value.AuditSize);
        if (badLimit is not null)
        {
            return badLimit;
        }

        if (await grains.GetGrain<ITenantGrain>(tenant).GetAsync() is null)
        {
            return ApiProblems.From(TenantRefusal.NotFound(tenant));
        }

        return TypedResults.Ok(new AuditResponse(await grains.GetGrain<ITenantAuditGrain>(tenant).GetAsync(limit)));
    }

    public static async Task<Results<Ok<AuditResponse>, ProblemHttpResult>> GetSystemAuditAsync(HttpContext context, IGrainFactory grains, IOptions<TenantOptions> options)
    {
        var (limit, badLimit) = QueryLimit.Parse(context, options.Value.AuditSize);
        return badLimit is not null
            ? badLimit
            : TypedResults.Ok(new AuditResponse(await grains.GetGrain<ITenantAuditGrain>(ITenantAuditGrain.SystemLog).GetAsync(limit)));
    }
}

/// <summary>The list of tenants.</summary>
internal sealed record TenantListResponse(ImmutableArray<TenantInfo> Tenants);

/// <summary>An audit log, newest first.</summary>
internal sealed record AuditResponse(ImmutableArray<AuditEntry> Entries);

/// <summary>The body of <c>PUT /api/v1/tenants/{tenant}</c>.</summary>
internal sealed class TenantRequest
{
    public TenantQuotas? Quotas { get; set; }
}

/// <summary>The quotas a request may set: each null or within its range.</summary>
internal static class QuotaRanges
{
    /// <summary>Returns what is out of range, naming the field, or null.</summary>
    public static string? Check(TenantQuotas quotas, FunctionLimits limits)
    {
        var errors = new List<string>();
        Check("maxFunctions", quotas.MaxFunctions, 1, 10_000_000);
        Check("maxWorkspaces", quotas.MaxWorkspaces, 1, 10_000_000);
        Check("maxCodeBytes", quotas.MaxCodeBytes, 1, limits.MaxCodeBytes);
        Check("maxConcurrentInvocations", quotas.MaxConcurrentInvocations, 1, 1_000_000);
        Check("invocationsPerSecond", quotas.InvocationsPerSecond, 0, 10_000_000);
        Check("maxDependencySets", quotas.MaxDependencySets, 0, 100_000);
        return errors.Count == 0 ? null : string.Join(" ", errors);

        void Check(string name, int? value, int min, int max)
        {
            if (value is { } v && (v < min || v > max))
            {
                errors.Add($"quotas.{name}: {v} is out of range; it must be between {min} and {max}.");
            }
        }
    }
}
