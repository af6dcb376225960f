using System.Collections.Immutable;
using System.Diagnostics;
using Granary.Functions;
using Granary.Runtime.Telemetry;
using Granary.Gateway.Access;
using Granary.Gateway.Hosting;
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

    /// <summary>The path prefix of invocations: <c>/fn/{tenant}/{workspace}/{name}/{**path}</c>.</summary>
    public const string Prefix = "/fn/";

    /// <summary>
    /// Serves <c>/fn/{tenant}/{workspace}/{name}</c> and every path below it, with any method, before endpoint
    /// routing: the hot path skips the route table, authorization and the APIs' middleware (an invocation's access is
    /// checked by <see cref="InvocationAccess"/>, per function).
    /// </summary>
    public static IApplicationBuilder UseInvocations(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Singletons, resolved once when the pipeline is built rather than on every call.
        var services = app.ApplicationServices;
        var functions = services.GetRequiredService<FunctionReferences>();
        var calls = services.GetRequiredService<InFlightCalls>();
        var access = services.GetRequiredService<InvocationAccess>();
        var limits = services.GetRequiredService<IOptions<FunctionLimits>>().Value;
        var origin = services.GetRequiredService<FunctionOrigin>();
        return app.Use(next => context =>
        {
            var path = context.Request.Path.Value;
            if (path is null || !path.StartsWith(Prefix, StringComparison.Ordinal) || Split(path) is not var (tenant, workspace, name))
            {
                return next(context);
            }

            if (origin.Misdirected(context) is { } elsewhere)
            {
                return elsewhere.ExecuteAsync(context);
            }

            var raw = RawPath(context);
            var split = SubPathStart(raw, skipSegments: 4);
            var scope = new ResponseScope(raw[..split], origin.IsHttps(context));
            return InvokeCheckedAsync(context, tenant, workspace, name, split < raw.Length ? raw[split..] : "/", functions, calls, access, limits, scope);
        });
    }

    // "/fn/t/w/n" or "/fn/t/w/n/…" (decoded, as routing would give them) into its three names; null for fewer than three.
    private static (string Tenant, string Workspace, string Name)? Split(string path)
    {
        var rest = path.AsSpan(Prefix.Length);
        Span<Range> parts = stackalloc Range[4];
        var count = rest.Split(parts, '/');
        if (count < 3 || rest[parts[0]].IsEmpty || rest[parts[1]].IsEmpty || rest[parts[2]].IsEmpty)
        {
            return null;
        }

        return (rest[parts[0]].ToString(), rest[parts[1]].ToString(), rest[parts[2]].ToString());
    }

    /// <summary>
    /// Checks the names, that the function exists and that the caller may invoke it (its access), then invokes it:
    /// shared by the <c>/fn/…</c> route and host-based routing.
    /// </summary>
    public static async Task InvokeCheckedAsync(HttpContext context, string tenant, string workspace, string name, string path, FunctionReferences functions, InFlightCalls calls, InvocationAccess access, FunctionLimits limits, ResponseScope scope)
    {
        if (FunctionNames.Check(tenant, workspace, name) is { } badName)
        {
            await ApiProblems.BadName(badName).ExecuteAsync(context);
            return;
        }

        if (await access.CheckAsync(context, tenant, workspace, name) is { } refusal)
        {
            await refusal.ExecuteAsync(context);
            return;
        }

        await InvokeFunctionAsync(context, calls, functions.Get(tenant, workspace, name), path, limits, scope, access.Keys);
    }

    /// <summary>
    /// Sends the request to a function (one of its instances) with the given sub-path and writes its response: shared by the
    /// <c>/fn/…</c> route, host-based routing and single-function mode. <paramref name="keys"/> recognises the Granary
    /// keys that are removed from the request (null, in single-function mode, removes none).
    /// </summary>
    public static async Task InvokeFunctionAsync(HttpContext context, InFlightCalls calls, FunctionRoute function, string path, FunctionLimits limits, ResponseScope scope, KeyAuthenticator? keys = null)
    {
        var limit = limits.MaxRequestBodyBytes;
        var body = await BodyReader.ReadAsync(context, limit);
        if (body is null)
        {
            await ApiProblems.TooLarge(limit).ExecuteAsync(context);
            return;
        }

        // The gateway's span: a child of ASP.NET Core's request span (which continued the caller's traceparent, if any),
        // the same on the warm path (this silo's activation, on this thread) and through a grain call.
        using var span = StartSpan(function.Id);
        var (traceParent, traceState) = TraceContext.Current();
        var request = new InvocationRequest
        {
            Method = context.Request.Method,
            Path = path,
            QueryString = context.Request.QueryString.Value ?? "",
            Headers = Headers(context.Request.Headers, keys),
            Body = body,
            TraceParent = traceParent,
            TraceState = traceState,
        };
        InvocationResponse response;
        try
        {
            response = await calls.InvokeAsync(function, request, context.RequestAborted);
        }
        catch (Exception ex) when (span is not null)
        {
            span.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }

        if (span is { IsAllDataRequested: true })
        {
            span.SetTag(FaasAttributes.InvocationId, response.InvocationId);
            span.SetTag("http.response.status_code", response.StatusCode);
            if (response.StatusCode >= 500)
            {
                span.SetStatus(ActivityStatusCode.Error);
            }
        }

        await WriteAsync(context, response, scope);
    }

    // Made only when sampled or when a listener asks for it (no span at all under a local parent that was not sampled).
    private static Activity? StartSpan(FunctionId function)
    {
        var span = GranaryActivities.Gateway.StartActivity("faas.invoke", ActivityKind.Client);
        if (span is { IsAllDataRequested: true })
        {
            span.DisplayName = "invoke " + function.Key;
            span.SetTag(FaasAttributes.InvokedName, function.Name);
            span.SetTag(FaasAttributes.InvokedProvider, "granary");
            span.SetTag(FaasAttributes.Tenant, function.Tenant);
            span.SetTag(FaasAttributes.Workspace, function.Workspace);
        }

        return span;
    }

    /// <summary>The request path exactly as the client sent it (still percent-encoded), from the raw target.</summary>
    public static string RawPath(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        var path = query >= 0 ? raw[..query] : raw;
        return path.StartsWith('/') ? path : "/";
    }

    // Where the path below "/fn/{tenant}/{workspace}/{name}" starts: after the first `skipSegments` segments (the
    // length of the path when there is nothing below them).
    private static int SubPathStart(string path, int skipSegments)
    {
        var slashes = 0;
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] == '/' && ++slashes == skipSegments + 1)
            {
                return i;
            }
        }

        return path.Length;
    }

    // Every header but a Granary key: a function (another tenant's code, perhaps) must never see the caller's key.
    private static ImmutableArray<HttpHeader> Headers(IHeaderDictionary headers, KeyAuthenticator? keys)
    {
        var builder = ImmutableArray.CreateBuilder<HttpHeader>(headers.Count);
        foreach (var (key, values) in headers)
        {
            foreach (var value in values)
            {
                if (keys is not null && value is not null && key.Equals("Authorization", StringComparison.OrdinalIgnoreCase) && keys.IsGranaryCredential(value))
                {
                    continue;
                }

                builder.Add(new HttpHeader(key, value ?? ""));
            }
        }

        return builder.ToImmutable();
    }

    private static async Task WriteAsync(HttpContext context, InvocationResponse response, ResponseScope scope)
    {
        var http = context.Response;
        http.StatusCode = response.StatusCode;
        foreach (var header in response.Headers)
        {
            if (s_hopByHop.Contains(header.Name))
            {
                continue;
            }

            if (header.Name.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase))
            {
                http.Headers.Append(header.Name, FunctionCookies.Scope(header.Value, scope.CookiePath));
            }
            else if (scope.Https || !header.Name.Equals(SecurityHeaders.HstsHeader, StringComparison.OrdinalIgnoreCase))
            {
                // HSTS over plain http is meaningless at best and pins a host that never served https at worst.
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

/// <summary>
/// Where a function's response is served: the URL path its cookies are confined to (<c>/fn/{tenant}/{workspace}/{name}</c>,
/// <c>/</c> on a host of its own, null when the function owns the whole origin as in single-function mode) and whether
/// the origin is https (HSTS is sent only then).
/// </summary>
internal readonly record struct ResponseScope(string? CookiePath, bool Https);
