using System.Collections.Immutable;
using Granary.Functions;
using Granary.Gateway.Access;
using Granary.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Granary.Gateway.Apis;

/// <summary>A tenant's workspaces: listed, created with who may run their snippets, and deleted with everything in them.</summary>
internal static class WorkspacesApi
{
    public static RouteGroupBuilder MapWorkspacesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/tenants/{tenant}/workspaces").WithTags("Workspaces").RequireAccess(Capability.Develop);
        api.MapGet("/", ListAsync).WithName("ListWorkspaces").WithSummary("List the tenant's workspaces");
        api.MapGet("/{workspace}", GetAsync).WithName("GetWorkspace").WithSummary("Get a workspace");
        api.MapPut("/{workspace}", PutAsync).WithName("PutWorkspace").WithSummary("Create a workspace or set who may run its snippets");
        api.MapDelete("/{workspace}", DeleteAsync).WithName("DeleteWorkspace").WithSummary("Delete a workspace with its functions, snippets and cache");
        return api;
    }

    public static Task<Results<Ok<WorkspaceListResponse>, ProblemHttpResult>> ListAsync(string tenant, IGrainFactory grains) =>
        TenantReads.ReadAsync(tenant, grains, async grain => new WorkspaceListResponse(await grain.GetWorkspacesAsync()));

    public static async Task<Results<Ok<WorkspaceInfo>, ProblemHttpResult>> GetAsync(string tenant, string workspace, IGrainFactory grains)
    {
        if ((FunctionNames.CheckTenant(tenant) ?? CheckWorkspace(workspace)) is { } badName)
        {
            return ApiProblems.BadName(badName);
        }

        var found = (await grains.GetGrain<ITenantGrain>(tenant).GetWorkspacesAsync()).FirstOrDefault(w => w.Name == workspace);
        return found is null ? NotFound(tenant, workspace) : TypedResults.Ok(found);
    }

    public static async Task<Results<Created<WorkspaceInfo>, Ok<WorkspaceInfo>, ProblemHttpResult>> PutAsync(string tenant, string workspace, HttpContext context, IGrainFactory grains, TenantViews views)
    {
        if ((FunctionNames.CheckTenant(tenant) ?? CheckWorkspace(workspace)) is { } badName)
        {
            return ApiProblems.BadName(badName);
        }

        var (request, problem) = await ApiJson.ReadAsync<WorkspaceRequest>(context, 16 * 1024);
        if (request is null)
        {
            return problem!;
        }

        var access = request.Access ?? FunctionAccess.Key;
        if (!FunctionAccess.All.Contains(access))
        {
            return ApiProblems.Create(400, "invalid-workspace", "Invalid workspace", $"access must be one of: {string.Join(", ", FunctionAccess.All)}.");
        }

        var grain = grains.GetGrain<ITenantGrain>(tenant);
        var (refusal, created) = await grain.PutWorkspaceAsync(workspace, access);
        if (refusal is not null)
        {
            return ApiProblems.From(refusal);
        }

        views.Forget(tenant);
        await context.RecordAsync(grains, tenant, created ? "workspace.create" : "workspace.update", workspace, $"access {access}");
        var info = (await grain.GetWorkspacesAsync()).First(w => w.Name == workspace);
        return created ? TypedResults.Created($"/api/v1/tenants/{tenant}/workspaces/{workspace}", info) : TypedResults.Ok(info);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string tenant, string workspace, HttpContext context, IGrainFactory grains, TenantViews views)
    {
        if ((FunctionNames.CheckTenant(tenant) ?? CheckWorkspace(workspace)) is { } badName)
        {
            return ApiProblems.BadName(badName);
        }

        if (!await grains.GetGrain<ITenantGrain>(tenant).DeleteWorkspaceAsync(workspace))
        {
            return NotFound(tenant, workspace);
        }

        views.Forget(tenant);
        await context.RecordAsync(grains, tenant, "workspace.delete", workspace);
        return TypedResults.NoContent();
    }

    // Management workspaces are DNS-safe names; Custom Code workspaces may be mixed-case slugs, and both are managed here.
    internal static string? CheckWorkspace(string workspace) =>
        FunctionNames.IsValidScope(workspace) || CustomCodeApi.IsWorkspaceName(workspace) ? null : FunctionNames.CheckWorkspace(workspace);

    private static ProblemHttpResult NotFound(string tenant, string workspace) =>
        ApiProblems.Create(404, "workspace-not-found", "Workspace not found", $"Tenant '{tenant}' has no workspace '{workspace}'.");
}

/// <summary>The body of <c>PUT …/workspaces/{workspace}</c>.</summary>
internal sealed class WorkspaceRequest
{
    public string? Access { get; set; }
}

/// <summary>The tenant's workspaces.</summary>
internal sealed record WorkspaceListResponse(ImmutableArray<WorkspaceInfo> Workspaces);
