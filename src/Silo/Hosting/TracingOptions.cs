using System.ComponentModel.DataAnnotations;

namespace Granary.Silo.Hosting;

/// <summary>
/// Granary's traces (configuration section <c>Granary:Telemetry:Traces</c>). Tracing is on by default: every request
/// gets a trace id (the caller's, from its <c>traceparent</c>, or a new one) that its invocation record and log lines
/// carry, whether or not the trace is sampled. Spans are recorded for the sampled share of the traces that start here;
/// a caller's sampled flag is followed (parent-based sampling). Where spans go is the exporters' business
/// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>); without one, sampled spans are made and dropped.
/// </summary>
public sealed class TracingOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Granary:Telemetry:Traces";

    /// <summary>
    /// Gets or sets whether tracing is on: an OpenTelemetry tracer provider with Granary's, Orleans' and ASP.NET Core's
    /// sources and the sampler. Off, no span is made; ASP.NET Core still continues an incoming <c>traceparent</c> in its
    /// request activity (for its own log correlation), so a caller's trace id still reaches records and functions.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Gets or sets the share of new traces (those a request starts without a sampled caller) whose spans are recorded,
    /// from 0 to 1. A warm call makes about five spans (request, gateway, invocation, run, and Orleans' two for a grain
    /// call): recording them for every call costs a few per cent of warm throughput, exporting them more. One call in ten
    /// keeps that cost small and still shows a function called once a second in its traces within seconds; a caller
    /// that samples its own trace (<c>traceparent</c> flag <c>01</c>) is always followed.
    /// </summary>
    /// <value>The default value is 0.1.</value>
    [Range(0.0, 1.0)]
    public double SampleRatio { get; set; } = 0.1;
}
