using Granary.Functions;
using Granary.Logs;
using Granary.Runtime.Egress;
using Granary.Runtime.JavaScript;
using Granary.Runtime.NodeProcess;
using Granary.Runtime.Packages;
using Granary.Runtime.Python;
using Granary.Runtime.Workers;
using Granary.Silo.Hosting;
using Granary.Silo.Storage;
using Granary.Tenants;
using Granary.Workspaces;
using Granary;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers Granary's grains, runtimes and storage on an Orleans silo.</summary>
public static class GranarySiloBuilderExtensions
{
    /// <summary>
    /// Makes this silo a Granary silo: the runtimes, the limits, the grain storage and the clustering configured
    /// in <c>Granary:Cluster</c> (a localhost cluster on the configured ports by default, Redis membership otherwise).
    /// </summary>
    public static ISiloBuilder AddGranary(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);

        var cluster = ClusterEndpointOptions.Read(configuration);
        if (cluster.IsRedis)
        {
            silo.UseRedisClustering(o => o.ConfigurationOptions = RedisOptions(cluster));
            silo.Configure<ClusterOptions>(o => (o.ServiceId, o.ClusterId) = (cluster.ServiceId, cluster.ClusterId));
            silo.Configure<EndpointOptions>(o =>
            {
                o.SiloPort = cluster.SiloPort;
                o.GatewayPort = cluster.GatewayPort;
                if (cluster.AdvertisedAddress is { Length: > 0 } advertised)
                {
                    o.AdvertisedIPAddress = ClusterAddresses.Resolve(advertised);
                }
            });
            silo.Configure<ClusterMembershipOptions>(o => ClusterAddresses.TuneForLan(o, cluster));
        }
        else
        {
            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, null, cluster.ServiceId, cluster.ClusterId);
        }

        return silo.AddGranaryServices(configuration);
    }

    /// <summary>
    /// Makes this host an Orleans client of the Granary cluster configured in <c>Granary:Cluster</c>: the silos of
    /// a Redis membership table, or the localhost silo's gateway port.
    /// </summary>
    public static IClientBuilder AddGranaryClient(this IClientBuilder client, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(configuration);
        var cluster = ClusterEndpointOptions.Read(configuration);
        if (cluster.IsRedis)
        {
            client.UseRedisClustering(o => o.ConfigurationOptions = RedisOptions(cluster));
            client.Configure<ClusterOptions>(o => (o.ServiceId, o.ClusterId) = (cluster.ServiceId, cluster.ClusterId));
        }
        else
        {
            client.UseLocalhostClustering(cluster.GatewayPort, cluster.ServiceId, cluster.ClusterId);
        }

        // The gateway may start before the silos: it keeps trying, once a second, and is not ready until it connects.
        client.UseConnectionRetryFilter(static async (exception, cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            return !cancellationToken.IsCancellationRequested;
        });
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
        client.Services.AddGranaryTracing(configuration);
        client.AddActivityPropagation();
        return client;
    }

    private static StackExchange.Redis.ConfigurationOptions RedisOptions(ClusterEndpointOptions cluster)
    {
        var options = StackExchange.Redis.ConfigurationOptions.Parse(cluster.RedisConnectionString!);

        // Keep trying while Redis restarts instead of failing the silo's start or its membership updates for good.
        options.AbortOnConnectFail = false;
        return options;
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

        // Traces: a call through a client-mode gateway, or from silo to silo, is one trace (Orleans carries the context).
        services.AddGranaryTracing(configuration);
        silo.AddActivityPropagation();
        services.AddValidatedOptions<ScalingOptions>(configuration, ScalingOptions.SectionName);
        services.AddValidatedOptions<JavaScriptRuntimeOptions>(configuration, JavaScriptRuntimeOptions.SectionName);
        services.AddValidatedOptions<StorageOptions>(configuration, StorageOptions.SectionName);
        var storage = SectionValidation.Require(StorageOptions.SectionName, configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new());
        services.AddValidatedOptions<WorkspaceOptions>(configuration, WorkspaceOptions.SectionName);
        services.AddValidatedOptions<NpmOptions>(configuration, NpmOptions.SectionName);

        // Packages go beside the grain state unless configured elsewhere.
        services.PostConfigure<NpmOptions>(npm => npm.Directory ??= Path.Combine(storage.Path, "npm"));
        services.AddSingleton<NpmPackages>();
        services.AddValidatedOptions<PipOptions>(configuration, PipOptions.SectionName);
        services.PostConfigure<PipOptions>(pip => pip.Directory ??= Path.Combine(storage.Path, "pip"));
        services.AddSingleton<PipPackages>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedOptions<EgressOptions>(configuration, EgressOptions.SectionName);
        services.AddSingleton<EgressPolicy>();
        services.AddSingleton<IsolatePool>();
        // Python's workers: the container's WorkerPool is theirs (a pool's launcher is Python's unless given another).
        services.AddValidatedOptions<WorkerRuntimeOptions>(configuration, PythonLauncher.ConfigurationSection);
        services.AddSingleton<WorkerPool>();

        // Process mode's Node.js workers: the workers' settings, read from their own section, with Node as the program.
        services.AddValidatedOptions<WorkerRuntimeOptions>(configuration, NodeLauncher.ConfigurationSection, NodeLauncher.ConfigurationSection, node => node.Interpreter = NodeLauncher.DefaultProgram);
        services.AddSingleton<NodeWorkers>();
        services.AddSingleton<FunctionExecutors>();
        services.AddSingleton<FunctionBuilder>();
        services.AddSingleton<LocalFunctions>();
        services.AddSingleton<FunctionSweep>();

        // Function grains: shard 0 on the caller's silo, the other shards one per silo.
        silo.AddPlacementDirector<Granary.Functions.Placement.FunctionShardPlacement, Granary.Functions.Placement.FunctionShardPlacementDirector>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(static sp => sp.GetRequiredService<FunctionSweep>());
        services.AddValidatedOptions<TenantOptions>(configuration, TenantOptions.SectionName);
        services.AddSingleton<TenantAdmission>();
        AddSecrets(services, configuration, storage);
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, FunctionRecordsOnShutdown>();

        // Function logs: each silo ships its invocations' lines to the functions' log grains in batches.
        services.AddValidatedOptions<FunctionLogOptions>(configuration, FunctionLogOptions.SectionName);
        services.AddSingleton<FunctionLogShipper>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(static sp => sp.GetRequiredService<FunctionLogShipper>());
        services.AddHostedService<IsolatePoolWarmUp>();
        // The provider answers outages with StorageUnavailableException (a 503), whichever it is.
        const string provider = GranaryStorage.Name + "-provider";
        if (storage.IsAdoNet)
        {
            silo.AddAdoNetGrainStorage(provider, o =>
            {
                o.Invariant = string.Equals(storage.Database, StorageOptions.Postgres, StringComparison.OrdinalIgnoreCase)
                    ? AdoNetSchema.PostgresInvariant
                    : AdoNetSchema.MySqlInvariant;
                o.ConnectionString = storage.ConnectionString;
                o.GrainStorageSerializer = new GranaryStateSerializer();
            });
            services.AddSingleton<IStorageProbe>(new DatabaseProbe(storage));
            if (storage.ApplySchema)
            {
                services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => new SchemaOnStart(storage, sp.GetRequiredService<ILogger<SchemaOnStart>>()));
            }
        }
        else
        {
            services.AddSingleton(sp => new FileGrainStorage(storage.Path, sp.GetRequiredService<ILogger<FileGrainStorage>>()));
            services.AddSingleton<IStorageProbe>(static sp => sp.GetRequiredService<FileGrainStorage>());
            services.AddKeyedSingleton<IGrainStorage>(provider, static (sp, _) => sp.GetRequiredService<FileGrainStorage>());
        }

        services.AddGrainStorage(GranaryStorage.Name, static (sp, _) => new OutageReportingStorage(
            sp.GetRequiredKeyedService<IGrainStorage>(provider),
            sp.GetRequiredService<IStorageProbe>().Description,
            sp.GetRequiredService<ILogger<OutageReportingStorage>>()));
        services.AddGranaryHealthChecks();
        services.AddGranaryTelemetry(configuration);
        return silo;
    }

    // A cluster's silos must share one master key (each may decrypt any tenant's secrets); an embedded host makes its own.
    // A cluster started without one runs, with secrets refused until the key is set (never a key kept beside the data
    // it protects, in the shared database).
    private static void AddSecrets(IServiceCollection services, IConfiguration configuration, StorageOptions storage)
    {
        services.AddValidatedOptions<SecretsOptions>(configuration, SecretsOptions.SectionName);
        var secrets = SectionValidation.Require(SecretsOptions.SectionName, configuration.GetSection(SecretsOptions.SectionName).Get<SecretsOptions>() ?? new());
        var cluster = storage.IsAdoNet || ClusterEndpointOptions.Read(configuration).IsRedis;
        services.AddSingleton(sp => SecretKeys.CreateProtector(secrets, storage.Path, sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SecretKeys)), cluster));
    }

    /// <summary>
    /// Binds an options class to its section and validates it at start-up, naming each bad setting. A class bound from
    /// several sections is registered once per section, as named options (<paramref name="name"/>), with the
    /// <paramref name="defaults"/> that differ from the class's own applied before the section.
    /// </summary>
    public static IServiceCollection AddValidatedOptions<TOptions>(this IServiceCollection services, IConfiguration configuration, string section, string? name = null, Action<TOptions>? defaults = null)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = services.AddOptions<TOptions>(name ?? Microsoft.Extensions.Options.Options.DefaultName);
        if (defaults is not null)
        {
            options.Configure(defaults);
        }

        options.Bind(configuration.GetSection(section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>>(new SectionValidator<TOptions>(section, name));
        return services;
    }

    /// <summary>
    /// Adds the Custom Code service's environment variables (<see cref="CustomCodeEnvironment"/>) as the lowest-precedence
    /// configuration source.
    /// </summary>
    public static IConfigurationBuilder AddCustomCodeEnvironment(this IConfigurationBuilder configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Sources.Insert(0, new CustomCodeEnvironment());
        return configuration;
    }
}
