using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing.Template;

namespace Granary.Gateway.Apis;

/// <summary>
/// The answer to a request no endpoint took: <c>405</c> with <c>Allow</c> when the path is an API's with another
/// method (a <c>PATCH</c> of a function), else <c>404</c>; both with a problem body.
/// </summary>
internal sealed class UnmatchedRequests(EndpointDataSource endpoints)
{
    private List<(TemplateMatcher Matcher, IReadOnlyList<string> Methods)>? _routes;

    public ProblemHttpResult Answer(HttpContext context)
    {
        var path = context.Request.Path;
        var values = new RouteValueDictionary();
        var allowed = Routes()
            .Where(r => { values.Clear(); return r.Matcher.TryMatch(path, values); })
            .SelectMany(r => r.Methods)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        if (allowed.Count == 0)
        {
            return ApiProblems.Create(404, "not-found", "Not found", "No Granary endpoint has this path.");
        }

        context.Response.Headers.Allow = string.Join(", ", allowed);
        return ApiProblems.Create(405, "method-not-allowed", "Method not allowed", $"{context.Request.Method} is not allowed here; use {string.Join(", ", allowed)}.");
    }

    // The API's routes, read once the endpoints exist (the fallback itself, ordered last, is left out).
    private List<(TemplateMatcher Matcher, IReadOnlyList<string> Methods)> Routes() => _routes ??= [.. endpoints.Endpoints
        .OfType<RouteEndpoint>()
        .Where(e => e.Order != int.MaxValue && e.RoutePattern.RawText is not null && e.Metadata.GetMetadata<HttpMethodMetadata>() is { HttpMethods.Count: > 0 })
        .Select(e => (new TemplateMatcher(TemplateParser.Parse(e.RoutePattern.RawText!.TrimStart('/')), new RouteValueDictionary()), e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods))];
}
