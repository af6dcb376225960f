using Granary.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Granary.Gateway.Apis;

/// <summary>The problem-details answers of the gateway's own APIs; every one has a <c>urn:granary:problem:*</c> type.</summary>
internal static class ApiProblems
{
    /// <summary>The start of every Granary problem type.</summary>
    public const string TypePrefix = "urn:granary:problem:";

    public static ProblemHttpResult Create(int status, string slug, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: status, title: title, type: TypePrefix + slug, extensions: extensions);

    public static ProblemHttpResult BadName(string detail) => Create(400, "invalid-name", "Invalid name", detail);

    public static ProblemHttpResult FunctionNotFound(string tenant, string workspace, string name) => Create(
        404,
        "function-not-found",
        "Function not found",
        $"There is no function '{name}' in workspace '{workspace}' of tenant '{tenant}'.");

    public static ProblemHttpResult TooLarge(long limit) => Create(
        413,
        "body-too-large",
        "Request body too large",
        $"The request body is larger than the limit of {limit} bytes (Granary:Limits:MaxRequestBodyBytes).");

    /// <summary>A tenant's refusal, with the quota and its value when a quota refused.</summary>
    public static ProblemHttpResult From(TenantRefusal refusal) => Create(
        refusal.Status,
        refusal.Slug,
        refusal.Title,
        refusal.Detail,
        refusal.Quota is null ? null : new Dictionary<string, object?> { ["quota"] = refusal.Quota, ["limit"] = refusal.Limit });

    /// <summary>
    /// Gives every problem the gateway writes (including ASP.NET Core's own: a 405, a bad request) a Granary problem
    /// type in place of <c>about:blank</c> or an RFC link, so clients can rely on <c>urn:granary:problem:*</c>.
    /// </summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Type is null || !problem.Type.StartsWith(TypePrefix, StringComparison.Ordinal))
        {
            problem.Type = TypePrefix + Slug(problem.Status ?? context.HttpContext.Response.StatusCode);
        }
    }

    private static string Slug(int status) => status switch
    {
        400 => "bad-request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not-found",
        405 => "method-not-allowed",
        406 => "not-acceptable",
        409 => "conflict",
        411 => "length-required",
        413 => "body-too-large",
        415 => "unsupported-media-type",
        429 => "too-many-requests",
        431 => "headers-too-large",
        503 => "unavailable",
        _ => status >= 500 ? "internal-error" : "bad-request",
    };
}
