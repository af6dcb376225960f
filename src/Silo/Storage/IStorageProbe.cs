namespace Granary.Silo.Storage;

/// <summary>A cheap check that grain storage is reachable, for the readiness probe.</summary>
public interface IStorageProbe
{
    /// <summary>Gets what the storage is, for messages ("File storage at /var/lib/granary").</summary>
    string Description { get; }

    /// <summary>Completes when the storage answers; throws with the reason when it does not.</summary>
    Task ProbeAsync(CancellationToken cancellationToken);
}
