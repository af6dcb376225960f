using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text;
using Granary.Functions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Logs;

/// <summary>
/// Carries the log lines of this silo's function invocations to the functions' log stores (<see cref="IFunctionLogGrain"/>).
/// An invocation that logged enqueues its lines (cut to the per-invocation cap) and nothing else: no grain call on the
/// hot path, and none at all for an invocation that logs nothing. The first line that finds the queue empty starts one
/// delivery <see cref="FunctionLogOptions.ShipDelayMs"/> later, which sends each function's lines in one call, so a
/// busy function costs one append per function per delay, and a follower sees a line within that delay and a call.
/// One per silo (the invocations of every activation, on the grain's turn or on a gateway's thread, share it); the
/// silo's stop sends what is left while the log grains are still active.
/// </summary>
public sealed partial class FunctionLogShipper(IGrainFactory grains, IOptions<FunctionLogOptions> options, TimeProvider time, ILogger<FunctionLogShipper> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan s_stopBudget = TimeSpan.FromSeconds(5);

    private readonly ConcurrentQueue<(string Key, FunctionLogEntry[] Lines)> _pending = new();
    private int _scheduled;

    /// <summary>
    /// Queues the lines of one invocation for its function's log store. Lines past
    /// <see cref="FunctionLogOptions.MaxLinesPerInvocation"/> or <see cref="FunctionLogOptions.MaxBytesPerInvocation"/>
    /// are not kept; a <c>warn</c> marker line says how many were dropped. Safe on any thread.
    /// </summary>
    public void Add(FunctionId function, ImmutableArray<LogLine> logs, string invocationId, int version, string silo, string? snippet, string? traceId = null)
    {
        if (logs.IsDefaultOrEmpty)
        {
            return;
        }

        _pending.Enqueue((FunctionLogs.Key(function), Cap(logs, invocationId, version, silo, snippet, options.Value, traceId)));
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            // Off the caller's context: a call made on a grain's turn must not tie the delivery to that activation.
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(ShipSoonAsync);
            }
        }
    }

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(FunctionLogShipper), ServiceLifecycleStage.Active, _ => Task.CompletedTask, StopAsync);

    /// <summary>The lines of one invocation as stored: at most the per-invocation cap, then a marker when some were dropped.</summary>
    internal static FunctionLogEntry[] Cap(ImmutableArray<LogLine> logs, string invocationId, int version, string silo, string? snippet, FunctionLogOptions bounds, string? traceId = null)
    {
        var kept = new List<FunctionLogEntry>(Math.Min(logs.Length, bounds.MaxLinesPerInvocation) + 1);
        var budget = (long)bounds.MaxBytesPerInvocation;
        var (droppedLines, droppedBytes) = (0, 0L);
        foreach (var line in logs)
        {
            var bytes = Encoding.UTF8.GetByteCount(line.Message);
            if (droppedLines > 0 || kept.Count >= bounds.MaxLinesPerInvocation || budget <= 0)
            {
                (droppedLines, droppedBytes) = (droppedLines + 1, droppedBytes + bytes);
                continue;
            }

            var message = line.Message;
            if (bytes > budget)
            {
                // The line that crosses the cap keeps what fits (whole characters); the rest counts as dropped.
                message = Prefix(message, (int)budget);
                var keptBytes = Encoding.UTF8.GetByteCount(message);
                (droppedLines, droppedBytes) = (1, bytes - keptBytes);
                bytes = keptBytes;
            }

            budget -= bytes;
            kept.Add(new FunctionLogEntry(0, line.Timestamp, line.Level, message, invocationId, version, silo, snippet, traceId));
        }

        if (droppedLines > 0)
        {
            var last = kept.Count > 0 ? kept[^1].Timestamp : logs[^1].Timestamp;
            kept.Add(new FunctionLogEntry(
                0,
                last,
                "warn",
                $"[granary] log truncated: {droppedBytes} bytes in {droppedLines} line(s) not kept (an invocation keeps at most {bounds.MaxLinesPerInvocation} lines and {bounds.MaxBytesPerInvocation} bytes; Granary:Logs)",
                invocationId,
                version,
                silo,
                snippet,
                traceId));
        }

        return [.. kept];
    }

    // The longest prefix of whole characters that is at most this many UTF-8 bytes.
    private static string Prefix(string message, int maxBytes)
    {
        var (bytes, length) = (0, 0);
        while (length < message.Length)
        {
            var c = message[length];
            var (size, width) = char.IsHighSurrogate(c) && length + 1 < message.Length && char.IsLowSurrogate(message[length + 1])
                ? (4, 2)
                : (c < 0x80 ? 1 : c < 0x800 ? 2 : 3, 1);
            if (bytes + size > maxBytes)
            {
                break;
            }

            (bytes, length) = (bytes + size, length + width);
        }

        return message[..length];
    }

    private async Task ShipSoonAsync()
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(options.Value.ShipDelayMs), time);
        }
        finally
        {
            // Lines queued from here on start the next delivery; those already queued go with this one.
            Volatile.Write(ref _scheduled, 0);
        }

        await ShipAsync();
    }

    private async Task ShipAsync()
    {
        var batches = new Dictionary<string, List<FunctionLogEntry>>(StringComparer.Ordinal);
        while (_pending.TryDequeue(out var item))
        {
            if (!batches.TryGetValue(item.Key, out var lines))
            {
                batches[item.Key] = lines = [];
            }

            lines.AddRange(item.Lines);
        }

        await Task.WhenAll(batches.Select(async batch =>
        {
            try
            {
                await grains.GetGrain<IFunctionLogGrain>(batch.Key).AppendAsync([.. batch.Value]);
            }
            catch (Exception ex)
            {
                // Dropped: logs are best effort; a store that cannot take them must not hold back the silo's memory.
                LogShipFailed(batch.Key, batch.Value.Count, ex);
            }
        }));
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ShipAsync().WaitAsync(s_stopBudget, cancellationToken);
        }
        catch (Exception ex)
        {
            LogStopFailed(ex);
        }
    }

    [LoggerMessage(EventId = 2501, Level = LogLevel.Warning, Message = "Could not deliver {Count} log line(s) of {Function}; they were dropped")]
    private partial void LogShipFailed(string function, int count, Exception exception);

    [LoggerMessage(EventId = 2502, Level = LogLevel.Warning, Message = "Could not deliver the last log lines at shutdown")]
    private partial void LogStopFailed(Exception exception);
}
