using Granary.Functions;
using Granary.Gateway.Access;
using Granary.Gateway.Apis;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Hosting;

/// <summary>
/// Host-based routing, as on Cloud Run: with <c>Granary:Gateway:FunctionsDomain</c> set, a request to
/// <c>{function}--{workspace}--{tenant}.{domain}</c> goes to that function with its whole path, so <c>/</c>,
/// <c>/robots.txt</c> and every other path reach the function exactly as they would on a host of its own.
/// </summary>
internal sealed class HostRouting(IOptions<GatewayOptions> options, FunctionReferences functions, InFlightCalls calls, InvocationAccess access, IOptions<FunctionLimits> limits, FunctionOrigin origin) : IMiddleware
{
    private readonly string? _suffix = string.IsNullOrEmpty(options.Value.FunctionsDomain) ? null : "." + options.Value.FunctionsDomain.Trim('.');

    /// <summary>Splits a host label <c>function--workspace--tenant</c>; tenant and workspace come from the right.</summary>
    public static FunctionId? Parse(string host, string suffix)
    {
        if (!host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) || host.Length == suffix.Length)
        {
            return null;
        }

        var label = host[..^suffix.Length];
        var tenantAt = label.LastIndexOf("--", StringComparison.Ordinal);
        if (tenantAt <= 0)
        {
            return null;
        }

        var workspaceAt = label.LastIndexOf("--", tenantAt - 1, StringComparison.Ordinal);
        if (workspaceAt <= 0)
        {
            return null;
        }

        var id = new FunctionId(label[(tenantAt + 2)..], label[(workspaceAt + 2)..tenantAt], label[..workspaceAt]);
        return FunctionNames.Check(id.Tenant, id.Workspace, id.Name) is null ? id : null;
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (_suffix is not null && Parse(context.Request.Host.Host, _suffix) is { } id)
        {
            await InvocationApi.InvokeCheckedAsync(context, id.Tenant, id.Workspace, id.Name, InvocationApi.RawPath(context), functions, calls, access, limits.Value, new ResponseScope("/", origin.IsHttps(context)));
            return;
        }

        await next(context);
    }
}
