using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Granary.Logs;

/// <summary>
/// The log store of one function, keyed by <see cref="FunctionLogs.Key"/>: the newest lines its invocations wrote,
/// on every silo, within the size and age bounds of <c>Granary:Logs</c>, stored (write-behind) so that they outlive
/// the function going idle, a restart and the loss of a silo. Silos append in batches; readers query it; followers
/// long-poll it with <see cref="WaitAsync"/>, from whichever gateway holds their connection.
/// </summary>
public interface IFunctionLogGrain : IGrainWithStringKey
{
    /// <summary>Used by silos: appends lines (each already cut to the per-invocation cap) and wakes the followers.</summary>
    Task AppendAsync(ImmutableArray<FunctionLogEntry> lines);

    /// <summary>Gets the newest lines that match <paramref name="query"/>, newest first.</summary>
    Task<ImmutableArray<FunctionLogEntry>> QueryAsync(FunctionLogQuery query);

    /// <summary>
    /// Waits until lines after <paramref name="after"/> (null: after the newest line now) that match
    /// <paramref name="filter"/> exist, and returns them, oldest first (at most <see cref="FunctionLogQuery.MaxLimit"/>);
    /// or returns no lines when <paramref name="timeout"/> passes or <paramref name="cancellationToken"/> is cancelled
    /// (Orleans cancels it when the caller does: a follower that goes away stops waiting here too).
    /// It interleaves with everything else, so any number of followers wait at once.
    /// </summary>
    [AlwaysInterleave]
    Task<FunctionLogBatch> WaitAsync(FunctionLogCursor? after, FunctionLogQuery filter, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Gets how much the store holds and how many followers wait.</summary>
    [AlwaysInterleave]
    Task<FunctionLogStats> GetStatsAsync();

    /// <summary>Used when the function is deleted: drops every line (sequences go on from where they were).</summary>
    Task ClearAsync();
}
