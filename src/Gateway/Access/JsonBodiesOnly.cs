using Granary.Gateway.Apis;
using Microsoft.Net.Http.Headers;

namespace Granary.Gateway.Access;

/// <summary>
/// Refuses a state-changing API request whose body is not JSON (<c>415</c>): a web page can make a browser send
/// <c>text/plain</c>, form and multipart bodies to any site without asking, but not <c>application/json</c>
/// (that needs a CORS preflight, which Granary's APIs never grant). So a page cannot forge an API call, even where
/// <c>Granary:CustomCode:AnonymousTenant</c> serves one without keys.
/// </summary>
internal static class JsonBodiesOnly
{
    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        var hasBody = request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
        if (hasBody && !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !IsJson(request.ContentType))
        {
            await ApiProblems.Create(
                415,
                "unsupported-media-type",
                "Unsupported media type",
                $"The API takes JSON bodies (Content-Type: application/json); '{Functions.FunctionNames.Printable(request.ContentType ?? "no Content-Type")}' is refused.").ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media) &&
        (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));
}
