using Granary.Silo.Storage;

namespace Granary.Silo.Hosting;

/// <summary>
/// Creates the tables of the <c>adonet</c> storage when they are missing, before Orleans' storage provider starts
/// (it reads its queries from them). Silos starting together take turns under a database lock.
/// </summary>
internal sealed class SchemaOnStart(StorageOptions storage, ILogger<SchemaOnStart> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SchemaOnStart), ServiceLifecycleStage.RuntimeInitialize, ApplyAsync);

    private Task ApplyAsync(CancellationToken cancellationToken) =>
        AdoNetSchema.ApplyAsync(storage.Database!.ToLowerInvariant(), storage.ConnectionString!, logger, cancellationToken);
}
