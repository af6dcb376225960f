using Granary.Functions;
using Granary.Gateway.Access;
using Granary.Gateway.Apis;
using Granary.Gateway.Hosting;
using Granary.Silo.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>Wires the HTTP gateway: options, JSON, problem details, Kestrel and the listening address.</summary>
public static class GatewayBuilderExtensions
{
    /// <summary>The address used when neither <c>--urls</c>, <c>ASPNETCORE_URLS</c> nor <c>PORT</c> is set.</summary>
    public const string DefaultUrl = "http://localhost:8080";

    /// <summary>
    /// Adds the gateway's services and either the embedded silo (the single-process default) or, with
    /// <c>Granary:Gateway:Mode=client</c>, an Orleans client of the cluster's silos.
    /// </summary>
    public static WebApplicationBuilder AddGranaryGateway(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        configuration.AddCustomCodeEnvironment().AddGranaryLoggingDefaults();
        // PORT wins over ASPNETCORE_HTTP_PORTS, which the .NET container images preset to 8080.
        if (configuration["urls"] is null && (configuration["PORT"] is { Length: > 0 } || configuration["http_ports"] is null))
        {
            // PORT is the container convention (Cloud Run, Knative, the Functions Framework): listen on every interface.
            builder.WebHost.UseUrls(configuration["PORT"] is { Length: > 0 } port ? $"http://*:{port}" : DefaultUrl);
        }

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Services.AddValidatedOptions<GatewayOptions>(configuration, GatewayOptions.SectionName);

        // The request's span continues an incoming traceparent; the silo (embedded) or the client registers the same.
        builder.Services.AddGranaryTracing(configuration);
        builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ApiProblems.Customize);
        builder.Services.AddExceptionHandler<GatewayExceptionHandler>();
        builder.Services.AddSingleton<FunctionReferences>();
        builder.Services.AddSingleton<SnippetRoutes>();
        builder.Services.AddSingleton<HostRouting>();
        builder.Services.AddSingleton<PublicUrls>();
        builder.Services.AddValidatedOptions<FunctionOriginOptions>(configuration, FunctionOriginOptions.SectionName);
        builder.Services.AddSingleton<FunctionOrigin>();
        builder.Services.AddSingleton<UnmatchedRequests>();
        var gateway = SectionValidation.Require(GatewayOptions.SectionName, configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new());
        if (gateway.IsClient)
        {
            // Functions run on the silos; the gateway needs only the limits it enforces before calling them.
            builder.Services.AddValidatedOptions<FunctionLimits>(configuration, FunctionLimits.SectionName);
            builder.Services.AddHealthChecks().AddCheck<ClusterClientHealthCheck>("cluster", tags: [GranaryHealthExtensions.ReadyTag]);
            builder.UseOrleansClient(client => client.AddGranaryClient(configuration));

            // Listen while the client is still connecting: /healthz answers at once, /readyz once silos are reached.
            builder.Services.Configure<HostOptions>(o => o.ServicesStartConcurrently = true);
            builder.Services.AddSingleton(sp => new InFlightCalls(sp.GetRequiredService<IOptions<FunctionLimits>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<InFlightCalls>>()) { Enabled = true });
            builder.Services.AddSingleton<ClusterConnection>();
            builder.Services.AddHostedService<ClusterWatch>();
        }
        else
        {
            builder.UseOrleans(silo => silo.AddGranary(configuration));
            builder.Services.AddSingleton<InFlightCalls>();
        }

        // After the silo: the admin key's bootstrap may need its grains.
        AddAccess(builder.Services, configuration, gateway);

        // Metrics, /metrics and OTLP export (once: the embedded silo asked for them too).
        builder.Services.AddGranaryTelemetry(configuration);

        return builder;
    }

    // Keys, roles and tenants: a cluster needs its admin key configured on every gateway; an embedded host may generate one.
    private static void AddAccess(IServiceCollection services, ConfigurationManager configuration, GatewayOptions gateway)
    {
        services.AddValidatedOptions<AuthOptions>(configuration, AuthOptions.SectionName);
        services.AddValidatedOptions<CustomCodeOptions>(configuration, CustomCodeOptions.SectionName);
        services.AddValidatedOptions<Granary.Tenants.TenantOptions>(configuration, Granary.Tenants.TenantOptions.SectionName);
        var auth = SectionValidation.Require(AuthOptions.SectionName, configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new());
        SectionValidation.Require(CustomCodeOptions.SectionName, configuration.GetSection(CustomCodeOptions.SectionName).Get<CustomCodeOptions>() ?? new());
        if (string.IsNullOrEmpty(auth.AdminKey) && (gateway.IsClient || ClusterEndpointOptions.Read(configuration).IsRedis))
        {
            throw SectionValidation.RequiredInACluster<AuthOptions>(AuthOptions.SectionName, nameof(AuthOptions.AdminKey),
                $"the admin key set, the same on every gateway (at least {AuthOptions.MinAdminKeyLength} characters, for example: openssl rand -base64 32)");
        }

        services.AddSingleton<AdminKeys>();
        services.AddSingleton<TenantViews>();
        services.AddSingleton<KeyAuthenticator>();
        services.AddSingleton<InvocationAccess>();
        services.AddHostedService<AdminKeyBootstrap>();
        services.AddGranaryAccess();
    }

    /// <summary>Maps health, the management API and the invocation route.</summary>
    public static WebApplication MapGranaryGateway(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        if (app.Services.GetService<ClusterConnection>() is { } connection)
        {
            app.Use(next => ClusterConnection.Gate(next, connection));
        }

        app.UseMiddleware<HostRouting>();
        app.UseInvocations();

        // Everything below is not a function's answer: the API's own security headers, and nothing but health on the
        // functions' origin when it is separate.
        var origin = app.Services.GetRequiredService<FunctionOrigin>();
        app.Use(next => context => origin.InvokeAsync(context, next));

        // The APIs (never a function's own answers) get a problem body for every bare error status (405, …).
        app.UseWhen(ApiPaths.IsApi, api => api.UseStatusCodePages());
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseWhen(ApiPaths.IsApi, api => api.Use(JsonBodiesOnly.InvokeAsync));
        app.MapGranaryHealth();
        app.MapGranaryMetrics()?.RequireAccess(Capability.ReadMetrics);
        app.MapTenantsApi();
        app.MapKeysApi();
        app.MapSecretsApi();
        app.MapWorkspacesApi();
        app.MapFunctionsApi();
        app.MapCustomCodeApi();
        app.MapFallback(static (HttpContext context, UnmatchedRequests unmatched) => unmatched.Answer(context));
        return app;
    }
}
