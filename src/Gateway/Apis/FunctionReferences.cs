using Granary.Functions;

namespace Granary.Gateway.Apis;

/// <summary>
/// The gateway's routes to functions: one <see cref="FunctionRouter"/> per host, whose routes choose among a function's
/// live instances per call (<c>InFlightCalls.InvokeAsync</c>).
/// In embedded mode the gateway's own silo is the router's local silo, so its instance of a function is filled first.
/// </summary>
internal sealed class FunctionReferences(IGrainFactory grains, IServiceProvider services)
{
    private readonly Lazy<FunctionRouter> _router = new(() => new FunctionRouter(grains, services.GetService<ILocalSiloDetails>()?.SiloAddress.ToString()));

    /// <summary>Gets the route of a function (cached per function).</summary>
    public FunctionRoute Get(string tenant, string workspace, string name) => _router.Value.Route(new FunctionId(tenant, workspace, name));

    /// <summary>A silo left the cluster: its instances take no more calls.</summary>
    public void SiloLost(string silo) => _router.Value.SiloLost(silo);
}
