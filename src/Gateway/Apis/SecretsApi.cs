using System.Collections.Immutable;
using Granary.Functions;
using Granary.Gateway.Access;
using Granary.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Granary.Gateway.Apis;

/// <summary>A tenant's secrets: write-only values that functions read as environment variables.</summary>
internal static class SecretsApi
{
    /// <summary>The largest secret value, in bytes.</summary>
    public const int MaxValueBytes = 64 * 1024;

    public static RouteGroupBuilder MapSecretsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/tenants/{tenant}/secrets").WithTags("Secrets").RequireAccess(Capability.Develop);
        api.MapPut("/{name}", PutAsync).WithName("PutSecret").WithSummary("Set a secret (write-only)");
        api.MapGet("/", ListAsync).WithName("ListSecrets").WithSummary("List the secrets' names and times, never their values");
        api.MapDelete("/{name}", DeleteAsync).WithName("DeleteSecret").WithSummary("Delete a secret no function uses");
        return api;
    }

    public static async Task<Results<Created<SecretInfo>, Ok<SecretInfo>, ProblemHttpResult>> PutAsync(string tenant, string name, HttpContext context, IGrainFactory grains)
    {
        if ((FunctionNames.CheckTenant(tenant) ?? CheckName(name)) is { } badName)
        {
            return ApiProblems.BadName(badName);
        }

        var (request, problem) = await ApiJson.ReadAsync<SecretRequest>(context, (MaxValueBytes * 6L) + 1024);
        if (request is null)
        {
            return problem!;
        }

        if (request.Value is null || System.Text.Encoding.UTF8.GetByteCount(request.Value) > MaxValueBytes)
        {
            return ApiProblems.Create(400, "invalid-secret", "Invalid secret", $"value must be a string of at most {MaxValueBytes} bytes.");
        }

        var grain = grains.GetGrain<ITenantGrain>(tenant);
        var (refusal, created) = await grain.SetSecretAsync(name, request.Value);
        if (refusal is not null)
        {
            return ApiProblems.From(refusal);
        }

        await context.RecordAsync(grains, tenant, "secret.set", name);
        var info = (await grain.GetSecretsAsync()).First(s => s.Name == name);
        return created ? TypedResults.Created($"/api/v1/tenants/{tenant}/secrets/{name}", info) : TypedResults.Ok(info);
    }

    public static Task<Results<Ok<SecretListResponse>, ProblemHttpResult>> ListAsync(string tenant, IGrainFactory grains) =>
        TenantReads.ReadAsync(tenant, grains, async grain => new SecretListResponse(await grain.GetSecretsAsync()));

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string tenant, string name, HttpContext context, IGrainFactory grains)
    {
        if ((FunctionNames.CheckTenant(tenant) ?? CheckName(name)) is { } badName)
        {
            return ApiProblems.BadName(badName);
        }

        if (await grains.GetGrain<ITenantGrain>(tenant).DeleteSecretAsync(name) is { } refusal)
        {
            return ApiProblems.From(refusal);
        }

        await context.RecordAsync(grains, tenant, "secret.delete", name);
        return TypedResults.NoContent();
    }

    private static string? CheckName(string name) => FunctionSpecValidator.IsVariableName(name)
        ? null
        : $"The secret name '{FunctionNames.Printable(name)}' is invalid: it must be an environment variable name, [A-Za-z_][A-Za-z0-9_]{{0,127}}.";
}

/// <summary>The body of <c>PUT …/secrets/{name}</c>.</summary>
internal sealed class SecretRequest
{
    public string? Value { get; set; }
}

/// <summary>The tenant's secrets, without values.</summary>
internal sealed record SecretListResponse(ImmutableArray<SecretInfo> Secrets);
