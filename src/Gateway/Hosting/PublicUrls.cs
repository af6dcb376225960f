using Granary.Functions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Hosting;

/// <summary>
/// The base of the URLs the API hands out (a function's <c>url</c>): <c>Granary:Gateway:PublicUrl</c> when set, else
/// the address this gateway listens on. Never the request's <c>Host</c> header, which any caller chooses.
/// </summary>
internal sealed class PublicUrls(IOptions<GatewayOptions> options, IServer server, FunctionOrigin origin)
{
    private string? _root;

    /// <summary>Gets the base URL, without a trailing slash.</summary>
    public string Root => _root ??= Compute();

    /// <summary>Gets a function's URL.</summary>
    public string Function(FunctionId id) => $"{origin.FunctionsUrl ?? Root}/fn/{id.Tenant}/{id.Workspace}/{id.Name}";

    private string Compute()
    {
        if (!string.IsNullOrEmpty(options.Value.PublicUrl))
        {
            return options.Value.PublicUrl.TrimEnd('/');
        }

        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("https:", StringComparison.OrdinalIgnoreCase)) ?? addresses.FirstOrDefault() ?? GatewayBuilderExtensions.DefaultUrl;
        if (!Uri.TryCreate(address.Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return GatewayBuilderExtensions.DefaultUrl;
        }

        var host = uri.Host is "0.0.0.0" or "[::]" or "::" ? "localhost" : uri.Host;
        return $"{uri.Scheme}://{(uri.HostNameType == UriHostNameType.IPv6 && host != "localhost" ? $"[{uri.DnsSafeHost}]" : host)}:{uri.Port}";
    }
}
