using Granary.Gateway.Apis;
using Granary.Gateway.Hosting;

namespace Microsoft.Extensions.Hosting;

/// <summary>Wires the HTTP gateway: options, JSON, problem details, Kestrel and the listening address.</summary>
public static class GatewayBuilderExtensions
{
    /// <summary>The address used when neither <c>--urls</c>, <c>ASPNETCORE_URLS</c> nor <c>PORT</c> is set.</summary>
    public const string DefaultUrl = "http://localhost:8080";

    /// <summary>Adds the gateway's services and the embedded silo (the single-process default).</summary>
    public static WebApplicationBuilder AddGranaryGateway(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        configuration.AddSeedEnvironment();
        if (configuration["urls"] is null && configuration["http_ports"] is null)
        {
            // PORT is the container convention (Cloud Run, Knative, the Functions Framework): listen on every interface.
            builder.WebHost.UseUrls(configuration["PORT"] is { Length: > 0 } port ? $"http://*:{port}" : DefaultUrl);
        }

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Services.AddValidatedOptions<GatewayOptions>(configuration, GatewayOptions.SectionName);
        builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<GatewayExceptionHandler>();
        builder.Services.AddSingleton<FunctionReferences>();
        builder.Services.AddSingleton<SnippetRoutes>();
        builder.Services.AddSingleton<HostRouting>();
        builder.UseOrleans(silo => silo.AddGranary(configuration));
        return builder;
    }

    /// <summary>Maps health, the management API and the invocation route.</summary>
    public static WebApplication MapGranaryGateway(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseMiddleware<HostRouting>();
        app.MapGranaryHealth();
        app.MapFunctionsApi();
        app.MapCustomCodeApi();
        app.MapInvocationApi();
        app.MapFallback(static () => ApiProblems.Create(404, "not-found", "Not found", "No Granary endpoint has this path."));
        return app;
    }
}
