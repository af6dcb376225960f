namespace Granary.Gateway.Hosting;

/// <summary>
/// What a client-mode gateway last learned of the cluster (<see cref="ClusterWatch"/> reads it once a second): how
/// many silos are active, or why the cluster did not answer. Until the gateway has first seen a silo it listens (so
/// <c>/healthz</c> answers) but answers every other request <c>503</c>: the Orleans client knows no grain types before
/// it connects. Readiness (<see cref="ClusterClientHealthCheck"/>) reads the same view rather than asking again.
/// </summary>
internal sealed class ClusterConnection
{
    private volatile View _view = new(0, "the gateway has not reached it yet");
    private volatile bool _connected;

    /// <summary>Gets whether the gateway has seen an active silo.</summary>
    public bool Connected => _connected;

    /// <summary>Gets the last view: the number of active silos, and why the cluster did not answer (or null).</summary>
    public View Current => _view;

    /// <summary>Answers requests other than health checks with 503 while the gateway is not connected.</summary>
    public static RequestDelegate Gate(RequestDelegate next, ClusterConnection connection) => context =>
        connection.Connected || context.Request.Path.StartsWithSegments("/healthz") || context.Request.Path.StartsWithSegments("/readyz")
            ? next(context)
            : Granary.Gateway.Apis.ApiProblems.Create(503, "cluster-unavailable", "Cluster unavailable", "The gateway is still connecting to the cluster: no silo has answered yet. Retry shortly.").ExecuteAsync(context);

    /// <summary>Records that the cluster answered with this many active silos.</summary>
    public void Answered(int activeSilos)
    {
        _view = new View(activeSilos, null);
        _connected |= activeSilos > 0;
    }

    /// <summary>Records that the cluster did not answer.</summary>
    public void Unreachable(string reason) => _view = new View(0, reason);

    /// <summary>The number of active silos, and why the cluster did not answer (null when it did).</summary>
    internal sealed record View(int ActiveSilos, string? Problem);
}
