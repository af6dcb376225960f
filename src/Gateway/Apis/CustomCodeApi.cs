using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Granary.Functions;
using Granary.Gateway.Hosting;
using Granary.Runtime.Snippets;
using Granary.Workspaces;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Apis;

/// <summary>
/// The Custom Code service's API, for its users to point at Granary unchanged: a workspace's snippets are stored
/// with <c>POST</c>/<c>PUT /v2/functions/{workspace}</c> and run with <c>POST /v2/functions/{workspace}/run/{function}</c>.
/// Errors have that service's shape, <c>{"error", "message", "details"?}</c>, not problem details.
/// </summary>
internal static partial class CustomCodeApi
{
    /// <summary>The tenant of the Custom Code API until credentials name another.</summary>
    public const string Tenant = "default";

    private static readonly JsonDocumentOptions s_strict = new() { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

    public static RouteGroupBuilder MapCustomCodeApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v2/functions/{workspace}").WithTags("Custom Code");
        api.MapPost("/", PutAsync).WithName("PutWorkspaceFunctions").WithSummary("Create or replace a workspace's functions (Custom Code API)");
        api.MapPut("/", PutAsync).WithName("ReplaceWorkspaceFunctions").WithSummary("Create or replace a workspace's functions (Custom Code API)");
        api.MapGet("/", GetAsync).WithName("GetWorkspaceFunctions").WithSummary("Get a workspace's functions (Custom Code API)");
        api.MapDelete("/", DeleteAsync).WithName("DeleteWorkspaceFunctions").WithSummary("Delete a workspace's functions and its cache (Custom Code API)");
        api.MapPost("/run/{function}", RunAsync).WithName("RunWorkspaceFunction").WithSummary("Run one of a workspace's functions (Custom Code API)");
        return api;
    }

    public static async Task PutAsync(string workspace, HttpContext context, IGrainFactory grains, SnippetRoutes routes, IOptions<FunctionLimits> limits)
    {
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

        var result = await grains.GetWorkspace(Tenant, workspace).PutSnippetsAsync(snippets);
        routes.Forget(Tenant, workspace);
        if (result.ErrorJson is { } error)
        {
            await WriteJsonAsync(context, result.Status, error);
            return;
        }

        // As the seed documents: "the same body should be returned in response".
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    public static async Task GetAsync(string workspace, HttpContext context, IGrainFactory grains)
    {
        var snippets = WorkspacePattern().IsMatch(workspace) ? await grains.GetWorkspace(Tenant, workspace).GetSnippetsAsync() : null;
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

        await WriteJsonAsync(context, 200, body.ToJsonString(SnippetJson.Options));
    }

    public static async Task DeleteAsync(string workspace, HttpContext context, IGrainFactory grains, SnippetRoutes routes)
    {
        routes.Forget(Tenant, workspace);
        if (!WorkspacePattern().IsMatch(workspace) || !await grains.GetWorkspace(Tenant, workspace).DeleteSnippetsAsync())
        {
            await WriteNotFoundAsync(context, $"/{workspace}");
            return;
        }

        context.Response.StatusCode = 204;
    }

    public static async Task RunAsync(string workspace, string function, HttpContext context, FunctionReferences functions, SnippetRoutes routes, InFlightCalls calls, IOptions<FunctionLimits> limits)
    {
        var path = $"/run/{function}";
        if (!WorkspacePattern().IsMatch(workspace))
        {
            await WriteNotFoundAsync(context, path);
            return;
        }

        var body = await ReadBodyAsync(context, limits.Value.MaxRequestBodyBytes);
        if (body is null)
        {
            return;
        }

        var request = new InvocationRequest
        {
            Method = HttpMethods.Post,
            Path = "/run/" + Uri.EscapeDataString(function),
            QueryString = "",
            Headers = [new HttpHeader("Content-Type", "application/json")],
            Body = body,
        };
        var python = await routes.IsPythonAsync(Tenant, workspace, function);
        var response = await calls.InvokeAsync(functions.Get(Tenant, workspace, Module(python)), request);
        if (response.StatusCode == 404)
        {
            // Perhaps the function changed language since this gateway looked (another gateway stored the workspace).
            routes.Forget(Tenant, workspace);
            if (await routes.IsPythonAsync(Tenant, workspace, function) != python)
            {
                response = await calls.InvokeAsync(functions.Get(Tenant, workspace, Module(!python)), request);
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
            var error = new JsonObject { ["error"] = response.StatusCode == 503 ? "ServiceUnavailableError" : "LoadError", ["message"] = detail, ["logs"] = new JsonArray(), ["duration"] = 0 };
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

    // The body of a store request: exactly `functions` (an object) and, optionally, `dependencies` (name → range).
    private static (WorkspaceSnippets? Snippets, string? Problem) Read(JsonNode? root)
    {
        if (root is not JsonObject body)
        {
            return (null, "request/body must be object");
        }

        foreach (var (key, _) in body)
        {
            if (key is not ("functions" or "dependencies"))
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

        return (new WorkspaceSnippets(functions.ToJsonString(SnippetJson.Options), dependencies.ToImmutable()), null);
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
        WriteJsonAsync(context, 404, new JsonObject { ["error"] = "ObjectNotFoundError", ["message"] = "Object not found", ["details"] = new JsonObject { ["path"] = path } }.ToJsonString(SnippetJson.Options));

    private static Task WriteErrorAsync(HttpContext context, int status, string error, string message) =>
        WriteJsonAsync(context, status, new JsonObject { ["error"] = error, ["message"] = message }.ToJsonString(SnippetJson.Options));

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

    // Custom Code workspace ids are mixed-case slugs, so they are not held to the management API's DNS-safe names.
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex WorkspacePattern();
}
