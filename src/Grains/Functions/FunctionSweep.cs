using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Functions;

/// <summary>
/// The one timer that looks after every function activation on this silo, in place of a timer per activation.
/// Every <see cref="Period"/> it reads each activation's due time (<see cref="LocalFunctions"/>; a comparison, no call)
/// and calls on the few whose time has come, on their own scheduler: to deactivate one that has been idle for its
/// function's <c>idleTimeoutSeconds</c> (scale to zero), to report its status and records to the definition grain,
/// or to release isolates a burst left unused. When more than <see cref="FunctionLimits.MaxActiveFunctions"/> are
/// active it deactivates the least recently used beyond the limit (the Custom Code service's
/// <c>FUNCTIONS_WORKERS_MAX_LRU</c>), and when their isolates and workers take more memory than
/// <see cref="FunctionLimits.WarmMemoryBudgetMb"/> it deactivates the least recently used that serve no call until they
/// fit. Orleans' own activation collection cannot do this: its age limit is per grain
/// class, at least a minute, while a function's idle timeout is its own and can be one second.
/// </summary>
public sealed partial class FunctionSweep(LocalFunctions local, IOptions<FunctionLimits> limits, ILogger<FunctionSweep> logger)
    : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>How often the sweep runs: the precision of idle deactivation.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);

    private readonly CancellationTokenSource _stop = new();
    private long? _budget;
    private Task? _loop;

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);

        // Stops with the silo's Active stage, before grains deactivate at shutdown.
        lifecycle.Subscribe(nameof(FunctionSweep), ServiceLifecycleStage.Active, Start, StopAsync);
    }

    /// <summary>
    /// Sweeps once now (the timer does so every <see cref="Period"/>) and returns when the calls it made on activations
    /// have finished. A failed call is logged, never thrown.
    /// </summary>
    public Task SweepAsync() => Task.WhenAll(Sweep());

    /// <inheritdoc />
    public void Dispose() => _stop.Dispose();

    private Task Start(CancellationToken cancellationToken)
    {
        _loop = RunAsync(_stop.Token);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        if (_loop is { } loop)
        {
            await loop;
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Period, local.Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    // Not awaited: one slow call (a report to an unreachable definition grain) must not hold up the
                    // rest. Each call logs its own failure, and an activation gets no second call while one runs
                    // (a later pass, or SweepAsync, waits for the running one instead).
                    Sweep();
                }
                catch (Exception ex)
                {
                    LogSweepFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The silo is stopping.
        }
    }

    // One pass over the activations: O(activations) comparisons, and a call only on those that are due.
    private List<Task> Sweep()
    {
        var now = local.Clock.GetTimestamp();
        var visits = new List<Task>();
        var live = 0;
        foreach (var (_, activation) in local.Entries)
        {
            if (activation.Evicted)
            {
                continue;
            }

            live++;
            if (activation.IsDue(now))
            {
                visits.Add(activation.VisitOnce(() => VisitAsync(activation, evict: false)));
            }
        }

        var max = limits.Value.MaxActiveFunctions;
        if (live > max)
        {
            // Sorting only happens past the limit, when the sweep has something to evict.
            var victims = local.Entries
                .Select(e => e.Value)
                .Where(a => !a.Evicted)
                .OrderBy(a => a.LastUsed)
                .Take(live - max)
                .ToList();
            foreach (var activation in victims)
            {
                activation.Evicted = true;
                LogEvicted(activation.Id.Key, activation.Shard, max);
                visits.Add(VisitAsync(activation, evict: true));
            }
        }

        EvictOverBudget(visits);
        return visits;
    }

    // The memory-aware bound: while the activations' isolates and workers take more than the budget, the least recently
    // used go, except one serving a call (evicting it frees nothing until the call ends) and the most recently used
    // (a function larger than the whole budget still runs; it would otherwise evict itself on every pass).
    private void EvictOverBudget(List<Task> visits)
    {
        var budget = _budget ??= limits.Value.WarmMemoryBudgetBytes();
        long total = 0;
        foreach (var (_, activation) in local.Entries)
        {
            total += activation.Evicted ? 0 : activation.MemoryBytes;
        }

        if (total <= budget)
        {
            return;
        }

        // Past the budget only: a list of the live activations, sorted by last use.
        var live = local.Entries.Select(e => e.Value).Where(a => !a.Evicted).Select(a => (Activation: a, Bytes: a.MemoryBytes)).ToList();

        foreach (var (activation, bytes) in live.OrderBy(a => a.Activation.LastUsed).SkipLast(1))
        {
            if (total <= budget)
            {
                break;
            }

            if (bytes == 0 || activation.InFlight > 0)
            {
                continue;
            }

            activation.Evicted = true;
            total -= bytes;
            LogEvictedForMemory(activation.Id.Key, activation.Shard, bytes >> 20, budget >> 20);
            visits.Add(VisitAsync(activation, evict: true));
        }
    }

    private async Task VisitAsync(LocalFunctions.Activation activation, bool evict)
    {
        try
        {
            // On the activation's own scheduler, as its requests run: the grain checks and acts in one turn, so no
            // request can start between its "idle" check and its deactivation.
            var visit = new Task<Task>(() => activation.Visit(evict));
            activation.Context.Scheduler.QueueTask(visit);
            await await visit;
        }
        catch (Exception ex)
        {
            LogVisitFailed(activation.Id.Key, activation.Shard, ex);
        }
    }

    [LoggerMessage(EventId = 2150, Level = LogLevel.Information, Message = "Function {Function} (shard {Shard}) deactivated: least recently used of more than {Max} on this silo")]
    private partial void LogEvicted(string function, int shard, int max);

    [LoggerMessage(EventId = 2153, Level = LogLevel.Information, Message = "Function {Function} (shard {Shard}, {MemoryMb} MiB) deactivated: least recently used while warm functions took more than the silo's budget of {BudgetMb} MiB")]
    private partial void LogEvictedForMemory(string function, int shard, long memoryMb, long budgetMb);

    [LoggerMessage(EventId = 2151, Level = LogLevel.Warning, Message = "The function sweep's call on {Function} (shard {Shard}) failed")]
    private partial void LogVisitFailed(string function, int shard, Exception exception);

    [LoggerMessage(EventId = 2152, Level = LogLevel.Error, Message = "A pass of the function sweep failed")]
    private partial void LogSweepFailed(Exception exception);
}
