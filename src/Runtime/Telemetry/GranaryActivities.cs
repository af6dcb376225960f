using System.Diagnostics;

namespace Granary.Runtime.Telemetry;

/// <summary>
/// Granary's trace sources, one per layer: the gateway (the call of a function, whichever path it takes), the
/// function grains (the invocation as the function's server span, and the activation's cold start) and the runtime
/// (module loads, queue waits, runs and outbound <c>fetch</c>). A tracer provider that listens to <c>Granary.*</c>
/// gets all three (see <c>AddGranaryTracing</c>).
/// </summary>
/// <remarks>
/// A span is made only when a listener wants it: with OpenTelemetry's parent-based sampler, a child of a local span
/// that was not sampled is not made at all (<see cref="ActivitySource.StartActivity(string, ActivityKind)"/> answers
/// null), so an unsampled warm call costs the sampler's decision, not a span per layer.
/// </remarks>
public static class GranaryActivities
{
    /// <summary>The name of the gateway's source.</summary>
    public const string GatewaySourceName = "Granary.Gateway";

    /// <summary>The name of the function grains' source.</summary>
    public const string FunctionsSourceName = "Granary.Functions";

    /// <summary>The name of the runtime's source.</summary>
    public const string RuntimeSourceName = "Granary.Runtime";

    /// <summary>The pattern a tracer provider adds to listen to every Granary source.</summary>
    public const string AllSources = "Granary.*";

    private static readonly string? s_version = typeof(GranaryActivities).Assembly.GetName().Version?.ToString();

    /// <summary>Gets the gateway's source: a call of a function (<c>faas.invoke</c>, kind client).</summary>
    public static ActivitySource Gateway { get; } = new(GatewaySourceName, s_version);

    /// <summary>Gets the function grains' source: the invocation (kind server) and the activation (<c>faas.coldstart</c>).</summary>
    public static ActivitySource Functions { get; } = new(FunctionsSourceName, s_version);

    /// <summary>Gets the runtime's source: module load, queue wait, the run itself and outbound fetch.</summary>
    public static ActivitySource Runtime { get; } = new(RuntimeSourceName, s_version);
}
