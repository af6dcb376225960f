using Granary.Storage;
using Orleans.Storage;

namespace Granary;

/// <summary>
/// Writes of grain state that report a storage outage as <see cref="StorageUnavailableException"/>. The storage's own
/// exception stays on the silo (Orleans logs it): a database driver's exception type may not travel to the caller.
/// </summary>
internal static class StateWrites
{
    /// <summary>Writes the state; a failure of the storage itself becomes <see cref="StorageUnavailableException"/>.</summary>
    public static async Task WriteOrFailAsync<T>(this IPersistentState<T> state, string what)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            throw new StorageUnavailableException($"Could not store {what}: grain storage is unavailable ({ex.GetBaseException().Message}). Nothing was changed; retry when storage is back.");
        }
    }

    /// <summary>Clears the state; a failure of the storage itself becomes <see cref="StorageUnavailableException"/>.</summary>
    public static async Task ClearOrFailAsync<T>(this IPersistentState<T> state, string what)
    {
        try
        {
            await state.ClearStateAsync();
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            throw new StorageUnavailableException($"Could not delete {what}: grain storage is unavailable ({ex.GetBaseException().Message}). Retry when storage is back.");
        }
    }

    // A concurrent writer (a stale ETag) is a conflict, not an outage; everything else the provider throws is the
    // storage failing: a database that refuses connections, a dropped connection, a full disk.
    private static bool IsOutage(Exception ex) => ex is not (InconsistentStateException or StorageUnavailableException or ArgumentException);
}
