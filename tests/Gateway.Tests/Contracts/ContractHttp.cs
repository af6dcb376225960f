using System.Text;

namespace Granary.Gateway.Tests.Contracts;

/// <summary>Requests and one-line answers for the contract tables (Kyma, Skipper): "status | content type | body".</summary>
internal static class ContractHttp
{
    /// <summary>A request with a UTF-8 body sent as-is, under exactly the given Content-Type (none when null).</summary>
    public static HttpRequestMessage Request(HttpMethod method, string url, string? contentType, string? body)
    {
        var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        return request;
    }

    public static async Task<string> DescribeAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        var contentType = response.Content.Headers.TryGetValues("Content-Type", out var values) ? string.Join(", ", values) : "(none)";
        return $"{(int)response.StatusCode} | {contentType} | {body}";
    }

    /// <summary>A response or content header's values joined, or null when absent.</summary>
    public static string? HeaderValue(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;
}
