namespace Granary.Gateway.Hosting;

/// <summary>
/// Whether a client-mode gateway has reached the cluster yet. Until it has, it listens (so <c>/healthz</c> answers)
/// but answers every other request <c>503</c>: the Orleans client knows no grain types before it connects.
/// </summary>
internal sealed class ClusterConnection
{
    private volatile bool _connected;

    /// <summary>Gets or sets whether the gateway has seen an active silo.</summary>
    public bool Connected
    {
        get => _connected;
        set => _connected = value;
    }

    /// <summary>Answers requests other than health checks with 503 while the gateway is not connected.</summary>
    public static RequestDelegate Gate(RequestDelegate next, ClusterConnection connection) => context =>
        connection.Connected || context.Request.Path.StartsWithSegments("/healthz") || context.Request.Path.StartsWithSegments("/readyz")
            ? next(context)
            : Granary.Gateway.Apis.ApiProblems.Create(503, "cluster-unavailable", "Cluster unavailable", "The gateway is still connecting to the cluster: no silo has answered yet. Retry shortly.").ExecuteAsync(context);
}
