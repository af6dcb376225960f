using System.Collections.Immutable;
using Granary.Functions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Apis;

/// <summary>
/// The hot path: every method on <c>/fn/{tenant}/{workspace}/{name}</c> and every path below it becomes one
/// <see cref="InvocationRequest"/> for the function's grain, and its <see cref="InvocationResponse"/> is written back.
/// Sub-path, query, headers and body pass unmodified.
/// </summary>
internal static class InvocationApi
{
    /// <summary>The header that carries the invocation record's id.</summary>
    public const string InvocationIdHeader = "X-Granary-Invocation-Id";

    private static readonly HashSet<string> s_hopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "Proxy-Connection", "TE", "Trailer",
    };

    public static IEndpointConventionBuilder MapInvocationApi(this IEndpointRouteBuilder app) =>
        app.Map("/fn/{tenant}/{workspace}/{name}/{**path}", InvokeAsync)
            .WithName("InvokeFunction")
            .WithSummary("Invoke a function with any method, on its URL or any path below it")
            .WithTags("Invocation");

    public static async Task InvokeAsync(HttpContext context, string tenant, string workspace, string name, FunctionReferences functions, IOptions<FunctionLimits> limits)
    {
        if (FunctionNames.Check(tenant, workspace, name) is { } badName)
        {
            await ApiProblems.BadName(badName).ExecuteAsync(context);
            return;
        }

        var limit = limits.Value.MaxRequestBodyBytes;
        var body = await BodyReader.ReadAsync(context, limit);
        if (body is null)
        {
            await ApiProblems.TooLarge(limit).ExecuteAsync(context);
            return;
        }

        var request = new InvocationRequest
        {
            Method = context.Request.Method,
            Path = SubPath(context),
            QueryString = context.Request.QueryString.Value ?? "",
            Headers = Headers(context.Request.Headers),
            Body = body,
        };
        var response = await functions.Get(tenant, workspace, name).InvokeAsync(request);
        await WriteAsync(context, response);
    }

    // The path below the function's URL exactly as the client sent it (still percent-encoded), from the raw target.
    private static string SubPath(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        var path = query >= 0 ? raw[..query] : raw;
        var slashes = 0;
        for (var i = 0; i < path.Length; i++)
        {
            // "/fn/{tenant}/{workspace}/{name}" ends before the fifth slash.
            if (path[i] == '/' && ++slashes == 5)
            {
                return path[i..];
            }
        }

        return "/";
    }

    private static ImmutableArray<HttpHeader> Headers(IHeaderDictionary headers)
    {
        var builder = ImmutableArray.CreateBuilder<HttpHeader>(headers.Count);
        foreach (var (key, values) in headers)
        {
            foreach (var value in values)
            {
                builder.Add(new HttpHeader(key, value ?? ""));
            }
        }

        return builder.ToImmutable();
    }

    private static async Task WriteAsync(HttpContext context, InvocationResponse response)
    {
        var http = context.Response;
        http.StatusCode = response.StatusCode;
        foreach (var header in response.Headers)
        {
            if (!s_hopByHop.Contains(header.Name))
            {
                http.Headers.Append(header.Name, header.Value);
            }
        }

        http.Headers[InvocationIdHeader] = response.InvocationId;
        if (HttpMethods.IsHead(context.Request.Method) || response.StatusCode is 204 or 304 || response.StatusCode < 200)
        {
            return;
        }

        http.ContentLength = response.Body.Length;
        await http.Body.WriteAsync(response.Body, context.RequestAborted);
    }
}
