using System.Collections.Immutable;
using System.Text.Json;
using Granary.Functions;
using Granary.Gateway.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Apis;

/// <summary>The management API: deploy, read, list and delete functions, and read their invocation records.</summary>
internal static class FunctionsApi
{
    private const string Functions = "/api/v1/tenants/{tenant}/workspaces/{workspace}/functions";

    public static RouteGroupBuilder MapFunctionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Functions).WithTags("Functions");
        api.MapPut("/{name}", DeployAsync).WithName("DeployFunction").WithSummary("Create or update a function");
        api.MapGet("/{name}", GetAsync).WithName("GetFunction").WithSummary("Get a function's definition and status");
        api.MapGet("/", ListAsync).WithName("ListFunctions").WithSummary("List a workspace's functions with their status");
        api.MapDelete("/{name}", DeleteAsync).WithName("DeleteFunction").WithSummary("Delete a function");
        api.MapGet("/{name}/invocations", GetInvocationsAsync).WithName("GetInvocations").WithSummary("The function's most recent invocation records");
        return api;
    }

    public static async Task<Results<Created<FunctionResponse>, Ok<FunctionResponse>, ProblemHttpResult>> DeployAsync(
        string tenant, string workspace, string name, HttpContext context, IGrainFactory grains, IOptions<FunctionLimits> limits, IOptions<GatewayOptions> gateway)
    {
        if (FunctionNames.Check(tenant, workspace, name) is { } badName)
        {
            return ApiProblems.BadName(badName);
        }

        // The code travels in JSON, so allow room for escaping and the other fields.
        var bodyLimit = (limits.Value.MaxCodeBytes * 2L) + (64 * 1024);
        var body = await BodyReader.ReadAsync(context, bodyLimit);
        if (body is null)
        {
            return ApiProblems.TooLarge(bodyLimit);
        }

        var (spec, problem) = ParseSpec(body);
        if (spec is null)
        {
            return problem!;
        }

        var problems = FunctionSpecValidator.Validate(spec, limits.Value);
        if (problems.Count > 0)
        {
            return ApiProblems.Create(400, "invalid-function", "Invalid function", string.Join(" ", problems), new Dictionary<string, object?> { ["errors"] = problems });
        }

        var id = new FunctionId(tenant, workspace, name);
        var result = await grains.GetFunctionDefinition(id).DeployAsync(spec);
        if (result.Outcome == DeployOutcome.Rejected)
        {
            var error = result.Error!;
            var title = error.Kind switch
            {
                CodeErrorKinds.Compile => "Code does not compile",
                CodeErrorKinds.Handler => "Handler not exported",
                CodeErrorKinds.Load => "Code failed to load",
                CodeErrorKinds.Dependencies => "Dependencies could not be installed",
                _ => "Invalid function",
            };

            // An npm failure is not malformed input: the request is understood but cannot be carried out.
            var status = error.Kind == CodeErrorKinds.Dependencies ? 422 : 400;
            return ApiProblems.Create(status, "code-" + error.Kind, title, error.Message, new Dictionary<string, object?>
            {
                ["kind"] = error.Kind,
                ["line"] = error.Line,
                ["column"] = error.Column,
            });
        }

        var response = FunctionResponse.From(result.Definition!, FunctionUrl(context, gateway.Value, id), status: null);
        return result.Outcome == DeployOutcome.Created
            ? TypedResults.Created($"{context.Request.PathBase}/api/v1/tenants/{tenant}/workspaces/{workspace}/functions/{name}", response)
            : TypedResults.Ok(response);
    }

    public static async Task<Results<Ok<FunctionResponse>, ProblemHttpResult>> GetAsync(
        string tenant, string workspace, string name, HttpContext context, IGrainFactory grains, IOptions<GatewayOptions> gateway)
    {
        if (FunctionNames.Check(tenant, workspace, name) is { } badName)
        {
            return ApiProblems.BadName(badName);
        }

        var id = new FunctionId(tenant, workspace, name);
        var info = await grains.GetFunctionDefinition(id).GetAsync();
        return info is null
            ? ApiProblems.FunctionNotFound(tenant, workspace, name)
            : TypedResults.Ok(FunctionResponse.From(info.Definition, FunctionUrl(context, gateway.Value, id), info.Status));
    }

    public static async Task<Results<Ok<FunctionListResponse>, ProblemHttpResult>> ListAsync(
        string tenant, string workspace, HttpContext context, IGrainFactory grains, IOptions<GatewayOptions> gateway)
    {
        if (FunctionNames.Check(tenant, workspace, null) is { } badName)
        {
            return ApiProblems.BadName(badName);
        }

        var names = await grains.GetWorkspace(tenant, workspace).GetFunctionNamesAsync();
        var infos = await Task.WhenAll(names.Select(n => grains.GetFunctionDefinition(new FunctionId(tenant, workspace, n)).GetAsync()));
        var functions = infos
            .OfType<FunctionInfo>()
            .Select(i => FunctionResponse.From(i.Definition, FunctionUrl(context, gateway.Value, i.Definition.Id), i.Status, includeCode: false))
            .ToImmutableArray();
        return TypedResults.Ok(new FunctionListResponse(functions));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string tenant, string workspace, string name, IGrainFactory grains)
    {
        if (FunctionNames.Check(tenant, workspace, name) is { } badName)
        {
            return ApiProblems.BadName(badName);
        }

        return await grains.GetFunctionDefinition(new FunctionId(tenant, workspace, name)).DeleteAsync()
            ? TypedResults.NoContent()
            : ApiProblems.FunctionNotFound(tenant, workspace, name);
    }

    public static async Task<Results<Ok<InvocationListResponse>, ProblemHttpResult>> GetInvocationsAsync(
        string tenant, string workspace, string name, int? limit, IGrainFactory grains, IOptions<FunctionLimits> limits)
    {
        if (FunctionNames.Check(tenant, workspace, name) is { } badName)
        {
            return ApiProblems.BadName(badName);
        }

        var max = limits.Value.InvocationHistorySize;
        if (limit is < 1 || limit > max)
        {
            return ApiProblems.Create(400, "invalid-limit", "Invalid limit", $"limit must be between 1 and {max}.");
        }

        var definition = grains.GetFunctionDefinition(new FunctionId(tenant, workspace, name));
        if (await definition.GetAsync() is null)
        {
            return ApiProblems.FunctionNotFound(tenant, workspace, name);
        }

        return TypedResults.Ok(new InvocationListResponse(await definition.GetInvocationsAsync(limit ?? max)));
    }

    internal static string FunctionUrl(HttpContext context, GatewayOptions options, FunctionId id)
    {
        var root = string.IsNullOrEmpty(options.PublicUrl)
            ? $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}"
            : options.PublicUrl.TrimEnd('/');
        return $"{root}/fn/{id.Tenant}/{id.Workspace}/{id.Name}";
    }

    // Reads the body strictly and explains a refusal: bad JSON, an unknown field, a wrong type or a missing field.
    private static (FunctionSpec? Spec, ProblemHttpResult? Problem) ParseSpec(byte[] body)
    {
        FunctionRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<FunctionRequest>(body, ApiJson.Strict);
        }
        catch (JsonException ex) when (ex.Message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            return (null, Invalid($"Unknown field '{UnknownField(ex.Message) ?? ex.Path}'. Known fields: runtime, code, handler, signature, timeoutSeconds, memoryLimitMb, idleTimeoutSeconds, maxConcurrency, env, dependencies."));
        }
        catch (JsonException ex) when (ex.Path is { Length: > 2 } path && ex.Message.Contains("could not be converted", StringComparison.Ordinal))
        {
            return (null, Invalid($"The value of '{path.TrimStart('$', '.')}' has the wrong type."));
        }
        catch (JsonException ex)
        {
            return (null, ApiProblems.Create(400, "malformed-json", "Malformed JSON", $"The request body is not valid JSON: {ex.Message}"));
        }

        if (request?.Runtime is null || request.Code is null)
        {
            var missing = new[] { ("runtime", request?.Runtime), ("code", request?.Code) }.Where(f => f.Item2 is null).Select(f => f.Item1);
            return (null, Invalid($"Missing required field(s): {string.Join(", ", missing)}."));
        }

        var defaults = new FunctionSpec { Runtime = request.Runtime, Code = request.Code };
        return (defaults with
        {
            Handler = request.Handler ?? defaults.Handler,
            Signature = request.Signature ?? defaults.Signature,
            TimeoutSeconds = request.TimeoutSeconds ?? defaults.TimeoutSeconds,
            MemoryLimitMb = request.MemoryLimitMb ?? defaults.MemoryLimitMb,
            IdleTimeoutSeconds = request.IdleTimeoutSeconds ?? defaults.IdleTimeoutSeconds,
            MaxConcurrency = request.MaxConcurrency ?? defaults.MaxConcurrency,
            Env = request.Env?.ToImmutableDictionary(StringComparer.Ordinal) ?? defaults.Env,
            Dependencies = request.Dependencies?.ToImmutableSortedDictionary(StringComparer.Ordinal) ?? defaults.Dependencies,
        }, null);

        static ProblemHttpResult Invalid(string detail) => ApiProblems.Create(400, "invalid-function", "Invalid function", detail);
    }

    private static string? UnknownField(string message)
    {
        // "The JSON property 'foo' could not be mapped to any .NET member contained in type …"
        var start = message.IndexOf('\'', StringComparison.Ordinal);
        var end = start < 0 ? -1 : message.IndexOf('\'', start + 1);
        return end > start ? message[(start + 1)..end] : null;
    }
}

/// <summary>The answer of the list endpoint.</summary>
internal sealed record FunctionListResponse(ImmutableArray<FunctionResponse> Functions);

/// <summary>The answer of the invocations endpoint, newest first.</summary>
internal sealed record InvocationListResponse(ImmutableArray<InvocationRecord> Invocations);
