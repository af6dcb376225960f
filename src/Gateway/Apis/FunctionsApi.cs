using System.Collections.Immutable;
using Granary.Functions;
using Granary.Gateway.Access;
using Granary.Gateway.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Apis;

/// <summary>The management API: deploy, read, list and delete functions, and read their invocation records and logs.</summary>
internal static class FunctionsApi
{
    private const string Functions = "/api/v1/tenants/{tenant}/workspaces/{workspace}/functions";

    public static RouteGroupBuilder MapFunctionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Functions).WithTags("Functions").RequireAccess(Capability.Develop);
        api.MapPut("/{name}", DeployAsync).WithName("DeployFunction").WithSummary("Create or update a function");
        api.MapGet("/{name}", GetAsync).WithName("GetFunction").WithSummary("Get a function's definition and status");
        api.MapGet("/", ListAsync).WithName("ListFunctions").WithSummary("List a workspace's functions with their status");
        api.MapDelete("/{name}", DeleteAsync).WithName("DeleteFunction").WithSummary("Delete a function");
        api.MapGet("/{name}/invocations", GetInvocationsAsync).WithName("GetInvocations").WithSummary("The function's most recent invocation records");
        api.MapGet("/{name}/logs", FunctionLogsApi.GetAsync).WithName("GetFunctionLogs").WithSummary("The function's log lines, newest first, or followed live (?follow=true, Server-Sent Events)");
        return api;
    }

    public static async Task<Results<Created<FunctionResponse>, Ok<FunctionResponse>, ProblemHttpResult>> DeployAsync(
        string tenant, string workspace, string name, HttpContext context, IGrainFactory grains, IOptions<FunctionLimits> limits, PublicUrls urls, IConfiguration configuration)
    {
        if (FunctionNames.Check(tenant, workspace, name) is { } badName)
        {
            return ApiProblems.BadName(badName);
        }

        // The code travels in JSON, so allow room for escaping and the other fields.
        var (request, problem) = await ApiJson.ReadAsync<FunctionRequest>(context, (limits.Value.MaxCodeBytes * 2L) + (64 * 1024));
        if (request is null)
        {
            return problem!;
        }

        if (request.Runtime is null || request.Code is null)
        {
            var missing = new[] { ("runtime", request.Runtime), ("code", request.Code) }.Where(f => f.Item2 is null).Select(f => f.Item1);
            return Invalid($"Missing required field(s): {string.Join(", ", missing)}.");
        }

        if (Requirements(request.Requirements) is not { } requirements)
        {
            return Invalid("requirements: must be a list of requirement lines or the text of a requirements.txt.");
        }

        // Read per deploy (deploys are rare): the clustering decides the default number of instances.
        var defaultInstances = Granary.Silo.Hosting.ClusterEndpointOptions.Read(configuration).DefaultMaxInstances;
        var spec = Spec(request, defaultInstances) with { Requirements = requirements };
        var problems = FunctionSpecValidator.Validate(spec, limits.Value);
        if (problems.Count > 0)
        {
            return Invalid(string.Join(" ", problems), new Dictionary<string, object?> { ["errors"] = problems });
        }

        var id = new FunctionId(tenant, workspace, name);
        var result = await grains.GetFunctionDefinition(id).DeployAsync(spec);
        if (result.Refusal is { } refusal)
        {
            return ApiProblems.From(refusal);
        }

        if (result.Outcome == DeployOutcome.Rejected)
        {
            return CodeProblem(result.Error!);
        }

        var definition = result.Definition!;
        await context.RecordAsync(grains, tenant, "function.deploy", $"{workspace}/{name}", $"version {definition.Version}, access {definition.Spec.Access}");
        var response = FunctionResponse.From(definition, urls.Function(id), status: null);
        return result.Outcome == DeployOutcome.Created
            ? TypedResults.Created($"/api/v1/tenants/{tenant}/workspaces/{workspace}/functions/{name}", response)
            : TypedResults.Ok(response);
    }

    public static async Task<Results<Ok<FunctionResponse>, ProblemHttpResult>> GetAsync(
        string tenant, string workspace, string name, IGrainFactory grains, PublicUrls urls)
    {
        if (FunctionNames.Check(tenant, workspace, name) is { } badName)
        {
            return ApiProblems.BadName(badName);
        }

        var id = new FunctionId(tenant, workspace, name);
        var info = await grains.GetFunctionDefinition(id).GetAsync();
        return info is null
            ? ApiProblems.FunctionNotFound(tenant, workspace, name)
            : TypedResults.Ok(FunctionResponse.From(info.Definition, urls.Function(id), info.Status));
    }

    public static async Task<Results<Ok<FunctionListResponse>, ProblemHttpResult>> ListAsync(
        string tenant, string workspace, IGrainFactory grains, PublicUrls urls, TenantViews views)
    {
        if (FunctionNames.Check(tenant, workspace, null) is { } badName)
        {
            return ApiProblems.BadName(badName);
        }

        if (await views.GetAsync(tenant, KeyCheck.Now) is null)
        {
            return ApiProblems.From(Granary.Tenants.TenantRefusal.NotFound(tenant));
        }

        var names = await grains.GetWorkspace(tenant, workspace).GetFunctionNamesAsync();
        var infos = await Task.WhenAll(names.Select(n => grains.GetFunctionDefinition(new FunctionId(tenant, workspace, n)).GetAsync()));
        var functions = infos
            .OfType<FunctionInfo>()
            .Select(i => FunctionResponse.From(i.Definition, urls.Function(i.Definition.Id), i.Status, includeCode: false))
            .ToImmutableArray();
        return TypedResults.Ok(new FunctionListResponse(functions));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string tenant, string workspace, string name, HttpContext context, IGrainFactory grains)
    {
        if (FunctionNames.Check(tenant, workspace, name) is { } badName)
        {
            return ApiProblems.BadName(badName);
        }

        if (!await grains.GetFunctionDefinition(new FunctionId(tenant, workspace, name)).DeleteAsync())
        {
            return ApiProblems.FunctionNotFound(tenant, workspace, name);
        }

        await context.RecordAsync(grains, tenant, "function.delete", $"{workspace}/{name}");
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<InvocationListResponse>, ProblemHttpResult>> GetInvocationsAsync(
        string tenant, string workspace, string name, HttpContext context, IGrainFactory grains, IOptions<FunctionLimits> limits)
    {
        if (FunctionNames.Check(tenant, workspace, name) is { } badName)
        {
            return ApiProblems.BadName(badName);
        }

        var max = limits.Value.InvocationHistorySize;
        if (QueryLimit.Parse(context, max) is var (limit, badLimit) && badLimit is not null)
        {
            return badLimit;
        }

        var definition = grains.GetFunctionDefinition(new FunctionId(tenant, workspace, name));
        if (await definition.GetAsync() is null)
        {
            return ApiProblems.FunctionNotFound(tenant, workspace, name);
        }

        return TypedResults.Ok(new InvocationListResponse(await definition.GetInvocationsAsync(limit)));
    }

    /// <summary>The problem a refused deployment answers: the engine's message, with line and column when known.</summary>
    internal static ProblemHttpResult CodeProblem(CodeError error)
    {
        var title = error.Kind switch
        {
            CodeErrorKinds.Compile => "Code does not compile",
            CodeErrorKinds.Handler => "Handler not exported",
            CodeErrorKinds.Load => "Code failed to load",
            CodeErrorKinds.Module => "Module not available",
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

    private static ProblemHttpResult Invalid(string detail, IDictionary<string, object?>? extensions = null) =>
        ApiProblems.Create(400, "invalid-function", "Invalid function", detail, extensions);

    // A JSON list of strings, or one string holding a requirements.txt (split into its lines); null when neither.
    private static ImmutableArray<string>? Requirements(System.Text.Json.JsonElement? value) => value switch
    {
        null or { ValueKind: System.Text.Json.JsonValueKind.Null } => [],
        { ValueKind: System.Text.Json.JsonValueKind.String } text => [.. Granary.Runtime.Packages.PipPackages.Lines(text.GetString()!)],
        { ValueKind: System.Text.Json.JsonValueKind.Array } list when list.EnumerateArray().All(e => e.ValueKind == System.Text.Json.JsonValueKind.String) =>
            [.. list.EnumerateArray().Select(e => e.GetString()!)],
        _ => null,
    };

    private static FunctionSpec Spec(FunctionRequest request, int defaultInstances)
    {
        var defaults = new FunctionSpec { Runtime = request.Runtime!, Code = request.Code! };
        return defaults with
        {
            Handler = request.Handler ?? defaults.Handler,
            Signature = request.Signature ?? defaults.Signature,
            TimeoutSeconds = request.TimeoutSeconds ?? defaults.TimeoutSeconds,
            MemoryLimitMb = request.MemoryLimitMb ?? defaults.MemoryLimitMb,
            IdleTimeoutSeconds = request.IdleTimeoutSeconds ?? defaults.IdleTimeoutSeconds,
            MaxConcurrency = request.MaxConcurrency ?? defaults.MaxConcurrency,
            MaxInstances = request.MaxInstances ?? defaultInstances,
            Env = request.Env?.ToImmutableDictionary(StringComparer.Ordinal) ?? defaults.Env,
            Dependencies = request.Dependencies?.ToImmutableSortedDictionary(StringComparer.Ordinal) ?? defaults.Dependencies,
            Access = request.Access ?? defaults.Access,
            Secrets = request.Secrets is null ? defaults.Secrets : [.. request.Secrets],
            SecurityHeaders = request.SecurityHeaders?.ToSpec() ?? defaults.SecurityHeaders,
            Isolation = request.Isolation ?? defaults.Isolation,
            Module = request.Module,
        };
    }
}

/// <summary>The answer of the list endpoint.</summary>
internal sealed record FunctionListResponse(ImmutableArray<FunctionResponse> Functions);

/// <summary>The answer of the invocations endpoint, newest first.</summary>
internal sealed record InvocationListResponse(ImmutableArray<InvocationRecord> Invocations);

/// <summary>The <c>?limit=</c> of a listing: a whole number from 1 to a maximum, or the maximum when absent.</summary>
internal static class QueryLimit
{
    public static (int Limit, ProblemHttpResult? Problem) Parse(HttpContext context, int max)
    {
        var values = context.Request.Query["limit"];
        if (values.Count == 0)
        {
            return (max, null);
        }

        return values.Count == 1 && int.TryParse(values[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit) && limit >= 1 && limit <= max
            ? (limit, null)
            : (0, ApiProblems.Create(400, "invalid-limit", "Invalid limit", $"limit must be a whole number between 1 and {max}; got '{Functions.FunctionNames.Printable(string.Join(",", values.ToArray()))}'."));
    }
}
