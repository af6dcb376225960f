using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Granary.Functions;

/// <summary>
/// The per-function grain that owns a function's definition (persisted), its invocation history and
/// its status. Keyed by <see cref="FunctionId.Key"/>. Activating it loads metadata only, never code.
/// The grain is reentrant: reads, and the function grains' reports, are answered while a deployment installs and
/// validates; deployments, deletions and secrets reloads of one function take turns in the order they arrive.
/// </summary>
public interface IFunctionDefinitionGrain : IGrainWithStringKey
{
    /// <summary>
    /// Installs the npm dependencies, validates the code (compile and load in a scratch isolate) and stores it as the
    /// next version. An install may take minutes (bounded by <c>Granary:Npm:InstallTimeoutSeconds</c>), hence the timeout.
    /// </summary>
    [ResponseTimeout("01:05:00")]
    Task<DeployResult> DeployAsync(FunctionSpec spec);

    /// <summary>Does everything <see cref="DeployAsync"/> does except store the version: returns why it would be refused, or null.</summary>
    [ResponseTimeout("01:05:00")]
    Task<CodeError?> CheckAsync(FunctionSpec spec);

    /// <summary>Gets the current definition and status, or null if the function does not exist.</summary>
    Task<FunctionInfo?> GetAsync();

    /// <summary>Deletes the function, its history and its activations. Returns false if it did not exist.</summary>
    Task<bool> DeleteAsync();

    /// <summary>Used by the tenant's grain as it deletes a workspace or itself: deletes the function without telling the tenant.</summary>
    Task<bool> DeleteForTenantAsync();

    /// <summary>Used by the tenant's grain when a secret the function reads changed: live activations load it again.</summary>
    Task ReloadSecretsAsync();

    /// <summary>Gets the most recent invocation records, newest first.</summary>
    Task<ImmutableArray<InvocationRecord>> GetInvocationsAsync(int limit);

    /// <summary>Used by function grains: registers an activation and returns the definition it must serve.</summary>
    Task<FunctionDefinition?> AttachAsync(ActivationInfo activation);

    /// <summary>
    /// Used by function grains: refreshes an activation's status and hands over invocation records. Returns the version
    /// of the function's live set of instances (<see cref="FunctionShards.Version"/>), which the activation sends with its answers.
    /// </summary>
    Task<int> ReportAsync(ActivationInfo activation, ImmutableArray<InvocationRecord> records);

    /// <summary>
    /// Gets the function's live instances (shards that are loaded and serving) with their silos, the version of that set
    /// and the function's <c>maxConcurrency</c>: what a <see cref="FunctionRouter"/> routes over. Answered from memory.
    /// </summary>
    Task<FunctionShards> GetShardsAsync();

    /// <summary>
    /// Used by function grains: the instance <paramref name="shard"/>, which knows the live set as version
    /// <paramref name="shardSet"/>, has been busy for the scale-up window and asks for one more instance. The grain
    /// starts the lowest free shard unless the set changed since (the asker has not yet seen the newest instance), one
    /// is already starting, or the function runs <c>maxInstances</c> or as many instances as the cluster has silos.
    /// </summary>
    [OneWay]
    Task RequestInstanceAsync(int shard, int shardSet);

    /// <summary>Used by function grains: unregisters a deactivating activation with its last records.</summary>
    Task DetachAsync(string activationId, ImmutableArray<InvocationRecord> records);
}
