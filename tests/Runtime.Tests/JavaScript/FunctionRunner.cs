using System.Text;
using Granary.Functions;
using Granary.Runtime.JavaScript;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Runtime.Tests.JavaScript;

/// <summary>Deploys code into a <see cref="JavaScriptFunction"/> the way a function grain does, without Orleans.</summary>
internal static class FunctionRunner
{
    public static readonly FunctionLimits Limits = new();

    public static FunctionDefinition Definition(string code, Func<FunctionSpec, FunctionSpec>? configure = null, string name = "fn", string tenant = "acme")
    {
        var spec = new FunctionSpec { Runtime = FunctionRuntimes.NodeJs, Code = code };
        spec = configure?.Invoke(spec) ?? spec;
        var now = DateTimeOffset.UtcNow;
        return new FunctionDefinition(new FunctionId(tenant, "shop", name), spec, 1, now, now);
    }

    public static JavaScriptFunction Create(IsolatePool pool, string code, Func<FunctionSpec, FunctionSpec>? configure = null, FunctionLimits? limits = null, string tenant = "acme") =>
        new(Definition(code, configure, tenant: tenant), pool, limits ?? Limits, NullLogger.Instance);

    public static async Task<ExecutionResult> RunAsync(IsolatePool pool, string code, InvocationRequest? request = null, Func<FunctionSpec, FunctionSpec>? configure = null)
    {
        await using var function = Create(pool, code, configure);
        var error = await function.WarmUpAsync();
        Assert.Null(error);
        return await function.InvokeAsync(request ?? new InvocationRequest { Method = "GET" });
    }

    public static InvocationRequest Request(string method = "GET", string path = "/", string query = "", string? body = null, params (string Name, string Value)[] headers) => new()
    {
        Method = method,
        Path = path,
        QueryString = query,
        Headers = [.. headers.Select(h => new HttpHeader(h.Name, h.Value))],
        Body = body is null ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes(body),
    };

    public static InvocationRequest Json(string json, string method = "POST") =>
        Request(method, body: json, headers: ("Content-Type", "application/json"));
}
