using Granary.Storage;

namespace Granary;

/// <summary>
/// Writes of grain state that surface a storage outage as <see cref="StorageUnavailableException"/>. The silo's
/// storage provider reports outages as that exception (<c>OutageReportingStorage</c>); Orleans wraps whatever a
/// provider throws in an <see cref="OrleansException"/>, and this unwraps it so that a grain can undo its change.
/// </summary>
internal static class StateWrites
{
    /// <summary>Writes the state; an outage throws <see cref="StorageUnavailableException"/>.</summary>
    public static Task WriteOrFailAsync<T>(this IPersistentState<T> state) => UnwrapAsync(state.WriteStateAsync());

    /// <summary>
    /// Writes the state after a change made in memory; an outage runs <paramref name="undo"/> (putting the state back
    /// as it was, so the grain never serves what it could not store) and throws <see cref="StorageUnavailableException"/>.
    /// </summary>
    public static async Task WriteOrUndoAsync<T>(this IPersistentState<T> state, Action undo)
    {
        try
        {
            await state.WriteOrFailAsync();
        }
        catch (StorageUnavailableException)
        {
            undo();
            throw;
        }
    }

    /// <summary>Clears the state; an outage throws <see cref="StorageUnavailableException"/>.</summary>
    public static Task ClearOrFailAsync<T>(this IPersistentState<T> state) => UnwrapAsync(state.ClearStateAsync());

    private static async Task UnwrapAsync(Task operation)
    {
        try
        {
            await operation;
        }
        catch (OrleansException ex) when (ex.InnerException is StorageUnavailableException outage)
        {
            throw outage;
        }
    }
}
