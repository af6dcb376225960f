using Granary;
using Granary.Functions;
using Granary.Runtime.JavaScript;
using Granary.Runtime.Packages;
using Granary.Runtime.Python;
using Granary.Workspaces;
using Granary.Silo.Hosting;
using Granary.Silo.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Hosting;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers Granary's grains, runtimes and storage on an Orleans silo.</summary>
public static class GranarySiloBuilderExtensions
{
    /// <summary>
    /// Makes this silo a Granary silo: the V8 isolate pool, the limits, the file grain storage and a
    /// localhost cluster on the configured ports (the single-node default).
    /// </summary>
    public static ISiloBuilder AddGranary(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);

        var cluster = SectionValidation.Require(
            ClusterEndpointOptions.SectionName,
            configuration.GetSection(ClusterEndpointOptions.SectionName).Get<ClusterEndpointOptions>() ?? new());
        silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, null, cluster.ServiceId, cluster.ClusterId);
        return silo.AddGranaryServices(configuration);
    }

    /// <summary>
    /// Registers what every Granary silo needs whatever its clustering: the V8 isolate pool, the limits,
    /// the grain storage and the health checks.
    /// </summary>
    public static ISiloBuilder AddGranaryServices(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        var services = silo.Services;
        services.AddValidatedOptions<FunctionLimits>(configuration, FunctionLimits.SectionName);
        services.AddValidatedOptions<JavaScriptRuntimeOptions>(configuration, JavaScriptRuntimeOptions.SectionName);
        services.AddValidatedOptions<FileStorageOptions>(configuration, FileStorageOptions.SectionName);
        services.AddValidatedOptions<WorkspaceOptions>(configuration, WorkspaceOptions.SectionName);
        services.AddValidatedOptions<NpmOptions>(configuration, NpmOptions.SectionName);

        // Packages go beside the grain state unless configured elsewhere.
        services.PostConfigure<NpmOptions>(npm => npm.Directory ??= Path.Combine(
            configuration.GetSection(FileStorageOptions.SectionName).Get<FileStorageOptions>()?.Path ?? new FileStorageOptions().Path,
            "npm"));
        services.AddSingleton<NpmPackages>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IsolatePool>();
        services.AddValidatedOptions<PythonRuntimeOptions>(configuration, PythonRuntimeOptions.SectionName);
        services.AddSingleton<PythonWorkerPool>();
        services.AddSingleton<FunctionExecutors>();
        services.AddSingleton<LocalFunctions>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, FunctionRecordsOnShutdown>();
        services.AddHostedService<IsolatePoolWarmUp>();
        services.AddSingleton(sp => new FileGrainStorage(
            sp.GetRequiredService<IOptions<FileStorageOptions>>().Value.Path,
            sp.GetRequiredService<ILogger<FileGrainStorage>>()));
        services.AddGrainStorage(GranaryStorage.Name, static (sp, _) => sp.GetRequiredService<FileGrainStorage>());
        services.AddGranaryHealthChecks();
        return silo;
    }

    /// <summary>Binds an options class to its section and validates it at start-up, naming each bad setting.</summary>
    public static IServiceCollection AddValidatedOptions<TOptions>(this IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>>(new SectionValidator<TOptions>(section));
        return services;
    }

    /// <summary>
    /// Adds the Custom Code service's environment variables (<see cref="SeedEnvironment"/>) as the lowest-precedence
    /// configuration source.
    /// </summary>
    public static IConfigurationBuilder AddSeedEnvironment(this IConfigurationBuilder configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Sources.Insert(0, new SeedEnvironment());
        return configuration;
    }
}
