using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Orleans.TestingHost;

namespace Granary.Grains.Tests;

/// <summary>An in-process Orleans cluster of two silos running Granary's grains over file storage in a temp directory.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public string DataPath { get; } = Directory.CreateTempSubdirectory("granary-grains-").FullName;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async ValueTask InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Granary:Storage:Path"] = DataPath,
        }).Build();
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) => silo.AddGranaryServices(configuration));
        Cluster = builder.Build();
        await Cluster.DeployAsync();

        // Functions and workspaces belong to a tenant that exists; the tests use tenant "acme".
        await Client.GetGrain<Granary.Tenants.ITenantGrain>(Tenant).PutAsync(new Granary.Tenants.TenantQuotas());
    }

    /// <summary>The tenant the grain tests deploy into.</summary>
    public const string Tenant = "acme";

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Directory.Delete(DataPath, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterGroup : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
