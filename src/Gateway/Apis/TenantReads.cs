using Granary.Functions;
using Granary.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Granary.Gateway.Apis;

/// <summary>The shape every read of a tenant's collections (keys, secrets, workspaces) shares.</summary>
internal static class TenantReads
{
    /// <summary>Checks the tenant's name, answers 404 when it does not exist, else reads from its grain.</summary>
    public static async Task<Results<Ok<T>, ProblemHttpResult>> ReadAsync<T>(string tenant, IGrainFactory grains, Func<ITenantGrain, Task<T>> read)
    {
        if (FunctionNames.CheckTenant(tenant) is { } badName)
        {
            return ApiProblems.BadName(badName);
        }

        var grain = grains.GetGrain<ITenantGrain>(tenant);
        return await grain.GetAsync() is null ? ApiProblems.From(TenantRefusal.NotFound(tenant)) : TypedResults.Ok(await read(grain));
    }
}
