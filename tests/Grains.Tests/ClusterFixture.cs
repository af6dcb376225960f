using Granary.Functions;
using Granary.Grains.Tests.Infrastructure;
using Granary.Silo.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Granary.Grains.Tests;

/// <summary>
/// An in-process Orleans cluster of two silos running Granary's grains over file storage in a temp directory. The
/// silos' function sweep runs on <see cref="Clock"/>, a fake clock the tests move on by hand (function grains never go
/// idle by themselves here); npm installs from <see cref="Registry"/>, a local registry a test can hold; and
/// <see cref="Faults"/> makes a chosen grain's storage writes fail.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>The tenant the grain tests deploy into.</summary>
    public const string Tenant = "acme";

    public string DataPath { get; } = Directory.CreateTempSubdirectory("granary-grains-").FullName;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    /// <summary>Gets the clock of both silos' function sweeps (and of the activations' use times).</summary>
    public FakeTimeProvider Clock { get; } = new();

    public HeldRegistry Registry { get; } = new();

    public StorageFaults Faults { get; } = new();

    public async ValueTask InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Granary:Storage:Path"] = DataPath,
            ["Granary:Npm:Registry"] = Registry.Url,
        }).Build();
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddGranaryServices(configuration);
            silo.Services.AddKeyedSingleton<TimeProvider>(LocalFunctions.ClockKey, Clock);
            silo.Services.AddKeyedSingleton<IGrainStorage>(GranaryStorage.Name + "-provider", (sp, _) => Faults.Wrap(sp.GetRequiredService<FileGrainStorage>()));
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();

        // Functions and workspaces belong to a tenant that exists; the tests use tenant "acme", whose concurrency
        // quota (cluster-wide) leaves room for the tests that run hundreds of invocations at once.
        await Client.GetGrain<Granary.Tenants.ITenantGrain>(Tenant).PutAsync(new Granary.Tenants.TenantQuotas { MaxConcurrentInvocations = 1000 });
    }

    /// <summary>Sweeps every silo's function activations once, at the fake clock's time, and waits for the calls it made.</summary>
    public Task SweepAsync() => Task.WhenAll(Cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<FunctionSweep>().SweepAsync()));

    /// <summary>Whether a function grain (shard 0) has an activation anywhere in the cluster.</summary>
    public async Task<bool> IsActiveAsync(FunctionId id)
    {
        var active = await Client.GetGrain<IManagementGrain>(0).GetActiveGrains(GrainType.Create("fn"));
        return active.Contains(GrainId.Create("fn", id.Key));
    }

    /// <summary>Waits (up to 30 s) until a function grain's activation is gone: deactivation completes asynchronously.</summary>
    public async Task WaitUntilInactiveAsync(FunctionId id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await IsActiveAsync(id))
        {
            Assert.True(DateTime.UtcNow < deadline, $"The function grain of {id.Key} did not deactivate within 30 s.");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Registry.DisposeAsync();
        Directory.Delete(DataPath, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterGroup : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
