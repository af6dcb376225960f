using Granary.Storage;
using Orleans.Storage;

namespace Granary.Silo.Storage;

/// <summary>
/// Wraps the grain storage (files or a database) so that an outage reaches callers as
/// <see cref="StorageUnavailableException"/> (a 503 at the gateway) instead of the provider's exception, which
/// Orleans may not be able to send to another process (a database driver's). The provider's exception is logged
/// here. A stale write (<see cref="InconsistentStateException"/>) and a bad argument pass through unchanged.
/// </summary>
internal sealed partial class OutageReportingStorage(IGrainStorage inner, string description, ILogger<OutageReportingStorage> logger) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        GuardAsync("read", stateName, grainId, () => inner.ReadStateAsync(stateName, grainId, grainState));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        GuardAsync("write", stateName, grainId, () => inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        GuardAsync("clear", stateName, grainId, () => inner.ClearStateAsync(stateName, grainId, grainState));

    private async Task GuardAsync(string operation, string stateName, GrainId grainId, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (Exception ex) when (ex is not (InconsistentStateException or StorageUnavailableException or ArgumentException))
        {
            var reason = ex.GetBaseException().Message;
            Granary.Runtime.Telemetry.GranaryMetrics.StorageFailures.Add(1, new KeyValuePair<string, object?>(Granary.Runtime.Telemetry.GranaryMetrics.OperationTag, operation));
            LogOutage(operation, stateName, grainId.ToString(), ex);
            throw new StorageUnavailableException($"{description} did not answer ({reason}); could not {operation} the {stateName} state of {grainId}. Retry when storage is back.");
        }
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "Grain storage failed to {Operation} the {State} state of {Grain}")]
    private partial void LogOutage(string operation, string state, string grain, Exception exception);
}
