using Microsoft.AspNetCore.Http.HttpResults;

namespace Granary.Gateway.Apis;

/// <summary>The problem-details answers of the gateway's own APIs.</summary>
internal static class ApiProblems
{
    public static ProblemHttpResult Create(int status, string slug, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: status, title: title, type: "urn:granary:problem:" + slug, extensions: extensions);

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
}
