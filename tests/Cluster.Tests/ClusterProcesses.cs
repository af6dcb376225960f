namespace Granary.Cluster.Tests;

/// <summary>
/// The tests that run whole clusters of processes take turns: several three-silo clusters at once on two cores
/// would measure the machine, not Granary.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterProcesses
{
    /// <summary>The collection's name.</summary>
    public const string Name = "cluster";
}
