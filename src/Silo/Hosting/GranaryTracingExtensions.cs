using Granary.Runtime.Telemetry;
using Granary.Silo.Hosting;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers Granary's tracing on a silo or a gateway (see <see cref="TracingOptions"/>).</summary>
public static class GranaryTracingExtensions
{
    /// <summary>
    /// Adds OpenTelemetry tracing: Granary's sources (<c>Granary.*</c>), Orleans' grain-call spans
    /// (<c>Microsoft.Orleans.Application</c>, <c>Microsoft.Orleans.Runtime</c>), ASP.NET Core's request span (which
    /// continues an incoming W3C <c>traceparent</c>), and parent-based sampling at
    /// <see cref="TracingOptions.SampleRatio"/>. No exporter: those are added on the same OpenTelemetry builder where
    /// configured (OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set); without one, trace ids still reach invocation
    /// records and logs. Also turns on logging scopes in the JSON console formatter, unless configured, so that an
    /// invocation's fields are on its log lines there. Safe to call more than once per container.
    /// </summary>
    public static IServiceCollection AddGranaryTracing(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(static d => d.ServiceType == typeof(TracingMarker)))
        {
            return services;
        }

        services.AddSingleton<TracingMarker>();
        services.AddValidatedOptions<TracingOptions>(configuration, TracingOptions.SectionName);
        services.PostConfigure<JsonConsoleFormatterOptions>(json =>
        {
            if (configuration["Logging:Console:FormatterOptions:IncludeScopes"] is null)
            {
                json.IncludeScopes = true;
            }
        });

        // Read now as well as validated at start: whether to listen at all is decided here.
        var options = SectionValidation.Require(TracingOptions.SectionName, configuration.GetSection(TracingOptions.SectionName).Get<TracingOptions>() ?? new());
        if (!options.Enabled)
        {
            return services;
        }

        services.AddOpenTelemetry().WithTracing(tracing => tracing
            .AddSource(GranaryActivities.AllSources)
            .AddSource("Microsoft.Orleans.Application", "Microsoft.Orleans.Runtime")
            .AddAspNetCoreInstrumentation()
            .SetSampler(GranarySampler.ParentBased(options.SampleRatio)));
        return services;
    }

    // Marks a container whose tracing is registered.
    private sealed class TracingMarker;
}
