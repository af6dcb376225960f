using Granary.Runtime.Telemetry;
using Granary.Silo.Hosting;
using Granary.Silo.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Registers Granary's metrics and telemetry export on a gateway or a silo: the <c>Granary</c> meter with the .NET
/// runtime's (and any other <see cref="MetricsOptions.Meters"/>), the Prometheus exporter behind <c>/metrics</c>, the optional open metrics
/// port, and OTLP export of traces, metrics and logs when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. Tracing
/// (<c>WithTracing</c>) registers on the same OpenTelemetry builder elsewhere.
/// </summary>
public static class GranaryTelemetryExtensions
{
    /// <summary>
    /// Adds Granary's telemetry, once per host (an embedded gateway's silo and the gateway both ask): the options of
    /// <c>Granary:Telemetry:Metrics</c>, validated at start, the silo's gauges, and the OpenTelemetry providers.
    /// </summary>
    public static IServiceCollection AddGranaryTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(static d => d.ServiceType == typeof(TelemetryRegistered)))
        {
            return services;
        }

        services.AddSingleton<TelemetryRegistered>();
        services.AddValidatedOptions<MetricsOptions>(configuration, MetricsOptions.SectionName);
        var metrics = SectionValidation.Require(MetricsOptions.SectionName, configuration.GetSection(MetricsOptions.SectionName).Get<MetricsOptions>() ?? new());
        services.AddSingleton<FunctionSeries>();
        services.AddHostedService<SiloGauges>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<MetricsKeys>();

        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource => TelemetryResource.Describe(resource, configuration));
        if (metrics.Enabled)
        {
            telemetry.WithMetrics(meters =>
            {
                // Granary's meter, and those of Granary:Telemetry:Metrics:Meters (the runtime's by default; ASP.NET
                // Core's and Orleans' are built in too, no instrumentation package, but cost throughput once listened to).
                meters.AddMeter([GranaryMetrics.MeterName, .. metrics.MeterList()]);

                // Granary's series are bounded by Granary:Telemetry:Metrics:MaxFunctionSeries; the SDK's own cap per
                // instrument (2000) sits above it so it never folds them first.
                meters.AddView(instrument => instrument.Meter.Name == GranaryMetrics.MeterName
                    ? new MetricStreamConfiguration { CardinalityLimit = metrics.CardinalityLimit }
                    : null);
                // Every scrape reads the instruments now: the exporter's default keeps a response for 300 ms, so a scrape
                // right after calls could show none of them. A scrape takes a metrics or admin key, and costs what a
                // collection costs.
                meters.AddPrometheusExporter(exporter => exporter.ScrapeResponseCacheDurationMilliseconds = 0);
                if (metrics.OpenPort != 0)
                {
                    var host = metrics.OpenPortHost.Trim() is "*" or "0.0.0.0" ? "+" : metrics.OpenPortHost.Trim();
                    meters.AddPrometheusHttpListener(listener =>
                    {
                        listener.Host = host;
                        listener.Port = metrics.OpenPort;
                        listener.ScrapeEndpointPath = metrics.Path;
                    });
                }
            });
        }

        if (otlp)
        {
            // Traces, metrics and logs, to the endpoint and protocol the standard OTEL_EXPORTER_OTLP_* variables name.
            telemetry.UseOtlpExporter();
        }

        return services;
    }

    /// <summary>
    /// Maps the Prometheus scrape endpoint (<see cref="MetricsOptions.Path"/>) on a host's HTTP app; the caller adds
    /// who may read it (the gateway's key authorization, or a silo's <see cref="MetricsKeys"/>). Returns null when
    /// metrics are off.
    /// </summary>
    public static IEndpointConventionBuilder? MapGranaryMetrics(this IEndpointRouteBuilder app, Action<IApplicationBuilder>? guard = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<MetricsOptions>>().Value;
        return options.Enabled ? app.MapPrometheusScrapingEndpoint(options.Path, meterProvider: null, configureBranchedPipeline: guard, optionsName: null) : null;
    }

    /// <summary>
    /// Maps a silo's <c>/metrics</c> on its own HTTP app (beside <c>/health</c>), for the admin key or a key of the
    /// <c>metrics</c> role (<see cref="MetricsKeys"/>). A gateway maps its own through its key authorization instead.
    /// </summary>
    public static IEndpointConventionBuilder? MapGranarySiloMetrics(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.MapGranaryMetrics(static branch => branch.Use(MetricsKeys.Guard));
    }

    // Marks a host that has Granary's telemetry already.
    private sealed class TelemetryRegistered;
}
