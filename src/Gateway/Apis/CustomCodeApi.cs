using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Granary.Functions;
using Granary.Gateway.Access;
using Granary.Gateway.Hosting;
using Granary.Logs;
using Granary.Runtime.Signatures.CustomCode;
using Granary.Runtime.Telemetry;
using Granary.Workspaces;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Apis;

/// <summary>
/// The Custom Code service's API, for its users to point at Granary unchanged: a workspace's snippets are stored
/// with <c>POST</c>/<c>PUT /v2/functions/{workspace}</c> and run with <c>POST /v2/functions/{workspace}/run/{function}</c>.
/// Errors have that service's shape, <c>{"error", "message", "details"?}</c>, not problem details; a missing or
/// refused key answers as every API does (401/403 with a problem body).
/// A workspace belongs to the tenant of the key that calls (<see cref="TargetTenant.CustomCode"/>): the same name in
/// two tenants is two workspaces. Storing, reading and deleting need a key that may develop in the tenant; running
/// follows the workspace's access (<c>key</c> unless set to <c>public</c> through the management API).
/// </summary>
internal static partial class CustomCodeApi
{
    private static readonly JsonDocumentOptions s_strict = new() { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

    public static RouteGroupBuilder MapCustomCodeApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v2/functions/{workspace}").WithTags("Custom Code");
        api.MapPost("/", PutAsync).RequireAccess(Capability.Develop).WithName("PutWorkspaceFunctions").WithSummary("Create or replace a workspace's functions (Custom Code API)");
        api.MapPut("/", PutAsync).RequireAccess(Capability.Develop).WithName("ReplaceWorkspaceFunctions").WithSummary("Create or replace a workspace's functions (Custom Code API)");
        api.MapGet("/", GetAsync).RequireAccess(Capability.Develop).WithName("GetWorkspaceFunctions").WithSummary("Get a workspace's functions (Custom Code API)");
        api.MapDelete("/", DeleteAsync).RequireAccess(Capability.Develop).WithName("DeleteWorkspaceFunctions").WithSummary("Delete a workspace's functions and its cache (Custom Code API)");
        api.MapGet("/logs", GetLogsAsync).RequireAccess(Capability.Develop).WithName("GetWorkspaceLogs").WithSummary("A workspace's log lines, newest first, or followed live (Custom Code API; ?follow=true, Server-Sent Events)");
        api.MapPost("/run/{function}", RunAsync).WithName("RunWorkspaceFunction").WithSummary("Run one of a workspace's functions (Custom Code API)");
        return api;
    }

    /// <summary>Gets whether a name is a Custom Code workspace id: <c>[A-Za-z0-9][A-Za-z0-9_-]{0,63}</c>.</summary>
    public static bool IsWorkspaceName(string? name) => name is not null && WorkspacePattern().IsMatch(name);

    public static async Task PutAsync(string workspace, HttpContext context, IGrainFactory grains, SnippetRoutes routes, IOptions<FunctionLimits> limits)
    {
        if (await TenantOfAsync(context, context.Principal()) is not { } tenant)
        {
            return;
        }

        if (!WorkspacePattern().IsMatch(workspace))
        {
            await WriteErrorAsync(context, 400, "RequestValidationError", $"request/params/workspace must match pattern \"{WorkspacePattern()}\"");
            return;
        }

        var body = await ReadBodyAsync(context, limits.Value.MaxRequestBodyBytes);
        if (body is null)
        {
            return;
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body, documentOptions: s_strict);
        }
        catch (JsonException ex)
        {
            await WriteErrorAsync(context, 400, "RequestValidationError", $"request/body is not valid JSON: {ex.Message}");
            return;
        }

        var (snippets, problem) = Read(root);
        if (snippets is null)
        {
            await WriteErrorAsync(context, 400, "RequestValidationError", problem!);
            return;
        }

        var result = await grains.GetWorkspace(tenant, workspace).PutSnippetsAsync(snippets);
        routes.Forget(tenant, workspace);
        if (result.ErrorJson is { } error)
        {
            await WriteJsonAsync(context, result.Status, error);
            return;
        }

        await context.RecordAsync(grains, tenant, "snippets.put", workspace);

        // As the seed documents: "the same body should be returned in response".
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    public static async Task GetAsync(string workspace, HttpContext context, IGrainFactory grains)
    {
        if (await TenantOfAsync(context, context.Principal()) is not { } tenant)
        {
            return;
        }

        var snippets = WorkspacePattern().IsMatch(workspace) ? await grains.GetWorkspace(tenant, workspace).GetSnippetsAsync() : null;
        if (snippets is null)
        {
            await WriteNotFoundAsync(context, $"/{workspace}");
            return;
        }

        var body = new JsonObject { ["functions"] = JsonNode.Parse(snippets.FunctionsJson) };
        if (!snippets.Dependencies.IsEmpty)
        {
            body["dependencies"] = new JsonObject(snippets.Dependencies.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)d.Value)));
        }

        if (!snippets.Requirements.IsDefaultOrEmpty)
        {
            body["requirements"] = new JsonArray([.. snippets.Requirements.Select(r => (JsonNode?)r)]);
        }

        await WriteJsonAsync(context, 200, body.ToJsonString(SnippetJson.Options));
    }

    public static async Task DeleteAsync(string workspace, HttpContext context, IGrainFactory grains, SnippetRoutes routes)
    {
        if (await TenantOfAsync(context, context.Principal()) is not { } tenant)
        {
            return;
        }

        routes.Forget(tenant, workspace);
        if (!WorkspacePattern().IsMatch(workspace) || !await grains.GetWorkspace(tenant, workspace).DeleteSnippetsAsync())
        {
            await WriteNotFoundAsync(context, $"/{workspace}");
            return;
        }

        await context.RecordAsync(grains, tenant, "snippets.delete", workspace);
        context.Response.StatusCode = 204;
    }

    /// <summary>
    /// The log lines of a workspace's snippets (JavaScript and Python in one log), as <c>GET …/functions/{name}/logs</c>
    /// answers them for a function; each line names its snippet in <c>function</c>. A run's own lines still come back
    /// in its answer's <c>logs</c>.
    /// </summary>
    public static async Task GetLogsAsync(string workspace, HttpContext context, IGrainFactory grains, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        if (await TenantOfAsync(context, context.Principal()) is not { } tenant)
        {
            return;
        }

        var (request, problem) = LogRequest.Parse(context.Request.Query);
        if (request is null)
        {
            await WriteErrorAsync(context, 400, "RequestValidationError", "request/query: " + problem);
            return;
        }

        if (!WorkspacePattern().IsMatch(workspace) || await grains.GetWorkspace(tenant, workspace).GetSnippetsAsync() is null)
        {
            await WriteNotFoundAsync(context, $"/{workspace}/logs");
            return;
        }

        var log = grains.GetWorkspaceLog(tenant, workspace);
        if (request.Follow)
        {
            await FunctionLogsApi.FollowAsync(context, log, request.Query, json.Value.SerializerOptions);
            return;
        }

        await WriteJsonAsync(context, 200, JsonSerializer.Serialize(new FunctionLogListResponse(await log.QueryAsync(request.Query)), json.Value.SerializerOptions));
    }

    public static async Task RunAsync(string workspace, string function, HttpContext context, FunctionReferences functions, SnippetRoutes routes, InFlightCalls calls, TenantViews views, KeyAuthenticator keys, IOptions<CustomCodeOptions> options, IOptions<FunctionLimits> limits)
    {
        var path = $"/run/{function}";

        // Running is not a management call: an anonymous caller may run a workspace whose access is public.
        var arrived = KeyCheck.Now;
        var check = await keys.AuthenticateAsync(context.Request, arrived);
        if (check.Failure is not null)
        {
            await InvocationAccess.Unauthorized(context, check, check.Failure).ExecuteAsync(context);
            return;
        }

        var principal = options.Value.Caller(check);
        if (await TenantOfAsync(context, principal) is not { } tenant)
        {
            return;
        }

        var workspaceAccess = WorkspacePattern().IsMatch(workspace) ? await views.FindAsync(tenant, arrived, view => view.WorkspaceAccess(workspace)) : null;
        if (workspaceAccess is null)
        {
            await WriteNotFoundAsync(context, path);
            return;
        }

        if (workspaceAccess != Tenants.FunctionAccess.Public &&
            InvocationAccess.RefuseUnlessInvoker(context, check, principal, tenant, "workspace", "run workspaces") is { } refusal)
        {
            await refusal.ExecuteAsync(context);
            return;
        }

        var body = await ReadBodyAsync(context, limits.Value.MaxRequestBodyBytes);
        if (body is null)
        {
            return;
        }

        // The run continues the request's trace (ASP.NET Core's span), even across an unsampled grain call.
        var (traceParent, traceState) = TraceContext.Current();
        var request = new InvocationRequest
        {
            Method = HttpMethods.Post,
            Path = "/run/" + Uri.EscapeDataString(function),
            QueryString = "",
            Headers = [new HttpHeader("Content-Type", "application/json")],
            Body = body,
            TraceParent = traceParent,
            TraceState = traceState,
        };
        var python = await routes.IsPythonAsync(tenant, workspace, function);
        var response = await calls.InvokeAsync(functions.Get(tenant, workspace, Module(python)), request, context.RequestAborted);
        if (response.StatusCode == 404)
        {
            // Perhaps the function changed language since this gateway looked (another gateway stored the workspace).
            routes.Forget(tenant, workspace);
            if (await routes.IsPythonAsync(tenant, workspace, function) != python)
            {
                response = await calls.InvokeAsync(functions.Get(tenant, workspace, Module(!python)), request, context.RequestAborted);
            }
        }

        if (IsProblem(response))
        {
            // Granary's own refusals (no such workspace, a module that no longer loads) in the service's shape.
            if (response.StatusCode == 404)
            {
                await WriteNotFoundAsync(context, path);
                return;
            }

            var detail = JsonNode.Parse(response.Body.Span)?["detail"]?.GetValue<string>() ?? "The function could not run.";
            var error = SnippetResults.FailedRun(response.StatusCode == 503 ? "ServiceUnavailableError" : "LoadError", detail);
            await WriteJsonAsync(context, response.StatusCode, error.ToJsonString(SnippetJson.Options), response.InvocationId);
            return;
        }

        context.Response.StatusCode = response.StatusCode;
        foreach (var header in response.Headers)
        {
            if (header.Name.Equals("Retry-After", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers.Append(header.Name, header.Value);
            }
        }

        await WriteJsonAsync(context, response.StatusCode, response.Body, response.InvocationId);
    }

    private static string Module(bool python) => python ? WorkspaceSnippets.PythonFunctionName : WorkspaceSnippets.FunctionName;

    // The body of a store request: exactly `functions` (an object) and, optionally, `dependencies` (name → range) and
    // `requirements` (the Python snippets' pip requirements: a list of lines, or the text of a requirements.txt).
    private static (WorkspaceSnippets? Snippets, string? Problem) Read(JsonNode? root)
    {
        if (root is not JsonObject body)
        {
            return (null, "request/body must be object");
        }

        foreach (var (key, _) in body)
        {
            if (key is not ("functions" or "dependencies" or "requirements"))
            {
                return (null, $"request/body/{key} must NOT have additional properties");
            }
        }

        if (body["functions"] is not JsonObject functions)
        {
            return (null, body.ContainsKey("functions") ? "request/body/functions must be object" : "request/body must have required property 'functions'");
        }

        var dependencies = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        if (body["dependencies"] is { } declared)
        {
            if (declared is not JsonObject map)
            {
                return (null, "request/body/dependencies must be object");
            }

            foreach (var (name, range) in map)
            {
                if (range is not JsonValue value || !value.TryGetValue<string>(out var text))
                {
                    return (null, $"request/body/dependencies/{name} must be string");
                }

                dependencies[name] = text;
            }
        }

        var requirements = ImmutableArray<string>.Empty;
        switch (body["requirements"])
        {
            case null:
                break;
            case JsonValue text when text.TryGetValue<string>(out var lines):
                requirements = [.. Granary.Runtime.Packages.PipPackages.Lines(lines)];
                break;
            case JsonArray list when list.All(l => l is JsonValue v && v.TryGetValue<string>(out _)):
                requirements = [.. list.Select(l => l!.GetValue<string>())];
                break;
            default:
                return (null, "request/body/requirements must be array of strings or string");
        }

        return (new WorkspaceSnippets(functions.ToJsonString(SnippetJson.Options), dependencies.ToImmutable(), requirements), null);
    }

    private static bool IsProblem(InvocationResponse response)
    {
        foreach (var header in response.Headers)
        {
            if (header.Name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                return header.Value.StartsWith("application/problem+json", StringComparison.OrdinalIgnoreCase);
            }
        }

        return false;
    }

    // The body, or null after answering 413 as the seed service does.
    private static async Task<byte[]?> ReadBodyAsync(HttpContext context, long limit)
    {
        var body = await BodyReader.ReadAsync(context, limit);
        if (body is null)
        {
            await WriteErrorAsync(context, 413, "PayloadTooLargeError", $"request entity too large (limit {limit} bytes, REQUEST_MAX_SIZE / Granary:Limits:MaxRequestBodyBytes)");
        }

        return body;
    }

    private static Task WriteNotFoundAsync(HttpContext context, string path) =>
        WriteJsonAsync(context, 404, SnippetError.NotFound(path).ToJson().ToJsonString(SnippetJson.Options));

    private static Task WriteErrorAsync(HttpContext context, int status, string error, string message) =>
        WriteJsonAsync(context, status, new SnippetError(error, message).ToJson().ToJsonString(SnippetJson.Options));

    private static Task WriteJsonAsync(HttpContext context, int status, string json, string? invocationId = null) =>
        WriteJsonAsync(context, status, (ReadOnlyMemory<byte>)System.Text.Encoding.UTF8.GetBytes(json), invocationId);

    private static async Task WriteJsonAsync(HttpContext context, int status, ReadOnlyMemory<byte> body, string? invocationId = null)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        if (invocationId is not null)
        {
            response.Headers[InvocationApi.InvocationIdHeader] = invocationId;
        }

        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted);
    }

    // The tenant a request is in; null after answering 400 for an X-Granary-Tenant that is no tenant name.
    private static async Task<string?> TenantOfAsync(HttpContext context, ApiPrincipal? principal)
    {
        var tenant = TargetTenant.CustomCode(context, principal);
        if (FunctionNames.CheckTenant(tenant) is { } badTenant)
        {
            await WriteErrorAsync(context, 400, "RequestValidationError", $"request/headers/{TargetTenant.Header.ToLowerInvariant()}: {badTenant}");
            return null;
        }

        return tenant;
    }

    // Custom Code workspace ids are mixed-case slugs, so they are not held to the management API's DNS-safe names.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex WorkspacePattern();
}
