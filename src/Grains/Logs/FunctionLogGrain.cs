using System.Collections.Immutable;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Logs;

/// <summary>
/// The log store of one function (<see cref="IFunctionLogGrain"/>). Lines from every silo that runs the function meet
/// here, in batches (<see cref="FunctionLogShipper"/>), and are numbered in the order they arrive. The lines are held
/// in memory, oldest first, within the bounds of <see cref="FunctionLogOptions"/>, and written behind: at most
/// <see cref="FunctionLogOptions.WriteDelayMs"/> after a batch (one write for every batch in that window, not one per
/// batch), and whenever the grain deactivates. Followers wait in <see cref="WaitAsync"/>, which interleaves with the
/// appends that wake them; the grain is otherwise not reentrant, so appends, trims and writes never overlap.
/// </summary>
[GrainType("fnlog")]
public sealed partial class FunctionLogGrain(
    [PersistentState("logs", GranaryStorage.Name)] IPersistentState<FunctionLogState> state,
    IOptions<FunctionLogOptions> options,
    TimeProvider time,
    ILogger<FunctionLogGrain> logger)
    : Grain, IFunctionLogGrain
{
    // Lines written after a crash may reuse sequences the crash lost (they were never stored); a follower's cursor
    // names the activation it came from, and one from another activation reads on from this activation's first line.
    private readonly long _epoch = Random.Shared.NextInt64(1, long.MaxValue);
    private long _startSequence;
    private long _bytes;
    private int _followers;
    private bool _dirty;
    private IGrainTimer? _write;

    // Completed (and replaced) by every append: the followers' wake-up.
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private List<FunctionLogEntry> Lines => state.State.Lines;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _startSequence = state.State.LastSequence;
        foreach (var line in Lines)
        {
            _bytes += Bytes(line);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _appended.TrySetResult();
        await WriteAsync();
    }

    /// <inheritdoc />
    public async Task AppendAsync(ImmutableArray<FunctionLogEntry> lines)
    {
        if (lines.IsDefaultOrEmpty)
        {
            return;
        }

        foreach (var line in lines)
        {
            var numbered = line with { Sequence = ++state.State.LastSequence };
            Lines.Add(numbered);
            _bytes += Bytes(numbered);
        }

        Trim();
        var appended = _appended;
        _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        appended.TrySetResult();

        _dirty = true;
        var delay = options.Value.WriteDelayMs;
        if (delay == 0)
        {
            await WriteAsync();
        }
        else
        {
            // One write for every batch of the window: under load a function's lines cost a storage write a second at most.
            _write ??= this.RegisterGrainTimer(OnWriteTimerAsync, new GrainTimerCreationOptions(TimeSpan.FromMilliseconds(delay), Timeout.InfiniteTimeSpan));
        }
    }

    /// <inheritdoc />
    public Task<ImmutableArray<FunctionLogEntry>> QueryAsync(FunctionLogQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var limit = Math.Clamp(query.Limit, 1, FunctionLogQuery.MaxLimit);
        var oldest = Oldest();
        var found = ImmutableArray.CreateBuilder<FunctionLogEntry>();
        for (var i = Lines.Count - 1; i >= 0 && found.Count < limit; i--)
        {
            var line = Lines[i];
            if (line.Timestamp >= oldest && query.Matches(line))
            {
                found.Add(line);
            }
        }

        return Task.FromResult(found.ToImmutable());
    }

    /// <inheritdoc />
    public async Task<FunctionLogBatch> WaitAsync(FunctionLogCursor? after, FunctionLogQuery filter, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var from = after is null ? state.State.LastSequence : after.Epoch == _epoch ? after.Sequence : _startSequence;
        var started = time.GetTimestamp();
        _followers++;
        try
        {
            while (true)
            {
                var (lines, last) = After(from, filter);
                if (lines.Length > 0)
                {
                    return new FunctionLogBatch(lines, new FunctionLogCursor(_epoch, last));
                }

                // Nothing that matches: later waits start after what is here now.
                from = last;
                var left = timeout - time.GetElapsedTime(started);
                if (left <= TimeSpan.Zero || cancellationToken.IsCancellationRequested)
                {
                    return new FunctionLogBatch([], new FunctionLogCursor(_epoch, from));
                }

                try
                {
                    await _appended.Task.WaitAsync(left, time, cancellationToken);
                }
                catch (TimeoutException)
                {
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
        finally
        {
            _followers--;
        }
    }

    /// <inheritdoc />
    public Task<FunctionLogStats> GetStatsAsync() =>
        Task.FromResult(new FunctionLogStats(Lines.Count, _bytes, state.State.LastSequence, _followers));

    /// <inheritdoc />
    public async Task ClearAsync()
    {
        if (Lines.Count == 0)
        {
            return;
        }

        Lines.Clear();
        _bytes = 0;
        _dirty = true;
        await WriteAsync();
    }

    // The lines after a sequence that match, oldest first (at most a batch), and the sequence to go on from.
    private (ImmutableArray<FunctionLogEntry> Lines, long Last) After(long sequence, FunctionLogQuery filter)
    {
        var first = Lines.Count;
        while (first > 0 && Lines[first - 1].Sequence > sequence)
        {
            first--;
        }

        var found = ImmutableArray.CreateBuilder<FunctionLogEntry>();
        for (var i = first; i < Lines.Count; i++)
        {
            if (filter.Matches(Lines[i]))
            {
                found.Add(Lines[i]);
                if (found.Count == FunctionLogQuery.MaxLimit)
                {
                    return (found.ToImmutable(), Lines[i].Sequence);
                }
            }
        }

        return (found.ToImmutable(), Math.Max(sequence, state.State.LastSequence));
    }

    // Older lines go first: past the line count, past the bytes, or past the age.
    private void Trim()
    {
        var bounds = options.Value;
        var oldest = Oldest();
        var drop = 0;
        var bytes = _bytes;
        while (drop < Lines.Count && (Lines.Count - drop > bounds.MaxLines || bytes > bounds.MaxBytes || Lines[drop].Timestamp < oldest))
        {
            bytes -= Bytes(Lines[drop]);
            drop++;
        }

        if (drop > 0)
        {
            Lines.RemoveRange(0, drop);
            _bytes = bytes;
        }
    }

    private DateTimeOffset Oldest() => time.GetUtcNow() - TimeSpan.FromHours(options.Value.MaxAgeHours);

    private static long Bytes(FunctionLogEntry line) => Encoding.UTF8.GetByteCount(line.Message);

    private async Task OnWriteTimerAsync(CancellationToken cancellationToken)
    {
        _write?.Dispose();
        _write = null;
        await WriteAsync();
    }

    private async Task WriteAsync()
    {
        if (!_dirty)
        {
            return;
        }

        try
        {
            // Trimmed by age here too, so a log no one writes to any more does not keep old lines in storage.
            Trim();
            _dirty = false;
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            // Still dirty: the next batch or the deactivation tries again.
            _dirty = true;
            LogWriteFailed(this.GetPrimaryKeyString(), ex);
        }
    }

    [LoggerMessage(EventId = 2500, Level = LogLevel.Warning, Message = "Could not store the log of {Function}")]
    private partial void LogWriteFailed(string function, Exception exception);
}
