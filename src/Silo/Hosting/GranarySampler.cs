using OpenTelemetry.Trace;

namespace Granary.Silo.Hosting;

/// <summary>
/// The root sampler of Granary's parent-based sampling: a trace starts at a request (ASP.NET Core's request span) or at
/// an invocation that no request made (a Granary span without a parent), sampled by the trace-id ratio. Any other span
/// without a parent (Orleans' grain calls of the silo's own background work: heartbeats, reports, log shipping, and
/// its incoming call span when the caller sent no sampled context) starts no trace: it is dropped, so traces show
/// requests, not the silo's housekeeping.
/// </summary>
internal sealed class GranarySampler(double ratio) : Sampler
{
    private const string AspNetCoreRequest = "Microsoft.AspNetCore.Hosting.HttpRequestIn";

    private static readonly SamplingResult s_drop = new(SamplingDecision.Drop);

    private readonly TraceIdRatioBasedSampler _ratio = new(ratio);

    /// <inheritdoc />
    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Name == AspNetCoreRequest || samplingParameters.Name.StartsWith("faas.", StringComparison.Ordinal)
            ? _ratio.ShouldSample(samplingParameters)
            : s_drop;

    /// <summary>Gets the parent-based sampler with this as its root: a sampled parent is followed, an unsampled one too.</summary>
    public static Sampler ParentBased(double ratio) => new ParentBasedSampler(new GranarySampler(ratio));
}
