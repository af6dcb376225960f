using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;

namespace Granary.Functions;

/// <summary>Invokes a loaded activation on the caller's thread; null (now or as the result) sends the caller through the grain.</summary>
internal delegate Task<InvocationResponse?>? LocalInvoker(InvocationRequest request, CancellationToken cancellationToken);

/// <summary>
/// The function activations on this silo, each with when it last served a request and when it next needs the silo's
/// <see cref="FunctionSweep"/>: so that one sweep can look after all of them (idle deactivation, reports, isolate
/// trimming, the <see cref="FunctionLimits.MaxActiveFunctions"/> and <see cref="FunctionLimits.WarmMemoryBudgetMb"/> bounds), and so that a stopping silo can hand in
/// their records first.
/// </summary>
public sealed class LocalFunctions([FromKeyedServices(LocalFunctions.ClockKey)] TimeProvider clock)
{
    /// <summary>
    /// The service key of the clock the sweep and the activations' use times read. Unless one is registered under this
    /// key it is the silo's <see cref="TimeProvider"/>; tests register a fake one to move idle time on by hand.
    /// </summary>
    public const string ClockKey = "granary-function-sweep";

    private readonly ConcurrentDictionary<(FunctionId Id, int Shard), Activation> _active = new();

    /// <summary>Gets the functions with at least one activation on this silo.</summary>
    public IReadOnlyCollection<FunctionId> Active => [.. _active.Keys.Select(k => k.Id).Distinct()];

    /// <summary>Gets the number of function activations on this silo.</summary>
    public int Count => _active.Count;

    /// <summary>Gets the calls the activations on this silo serve now (running or queued), for the metrics.</summary>
    public int InFlight => _active.Values.Sum(static a => a.InFlight);

    /// <summary>Gets the clock that use times and due times are read from.</summary>
    internal TimeProvider Clock => clock;

    internal IEnumerable<KeyValuePair<(FunctionId Id, int Shard), Activation>> Entries => _active;

    /// <summary>
    /// Registers an activation. <paramref name="visit"/> runs on the activation's own scheduler when the sweep
    /// calls on it: with true to evict it (least recently used beyond the limit), with false when its due time came.
    /// </summary>
    /// <remarks><paramref name="memory"/> tells what the activation's isolates or workers cost now (read by the sweep, from its thread).</remarks>
    internal Activation Add(FunctionId id, int shard, IGrainContext context, Func<bool, Task> visit, LocalInvoker? invoker = null, Func<long>? memory = null)
    {
        var activation = new Activation(id, shard, context, clock, visit, invoker, memory);
        _active[(id, shard)] = activation;
        return activation;
    }

    /// <summary>
    /// Invokes instance <paramref name="shard"/> of a function whose activation is on this silo and loaded, on the
    /// caller's thread and without a grain call: the warm path of a gateway that shares the silo's process. Returns null
    /// when the grain must be called instead (not here, not loaded yet, going away); the returned task's null result
    /// means the same, and that the function did not run.
    /// </summary>
    public Task<InvocationResponse?>? TryInvoke(FunctionId id, int shard, InvocationRequest request, CancellationToken cancellationToken) =>
        _active.TryGetValue((id, shard), out var activation) && activation.Invoker is { } invoker ? invoker(request, cancellationToken) : null;

    internal void Remove(Activation activation) => _active.TryRemove(KeyValuePair.Create((activation.Id, activation.Shard), activation));

    /// <summary>
    /// One function activation on this silo. Its grain writes the times (on its own scheduler); the sweep reads them
    /// from its timer's thread, hence the volatile accesses.
    /// </summary>
    internal sealed class Activation(FunctionId id, int shard, IGrainContext context, TimeProvider clock, Func<bool, Task> visit, LocalInvoker? invoker, Func<long>? memory = null)
    {
        private readonly Lock _visitGate = new();
        private long _lastUsed = clock.GetTimestamp();
        private int _inFlight;
        private long _dueAt = long.MaxValue;
        private Task? _visit;

        public FunctionId Id { get; } = id;

        public int Shard { get; } = shard;

        public IGrainContext Context { get; } = context;

        public Func<bool, Task> Visit { get; } = visit;

        /// <summary>Gets how this silo's gateway invokes the activation without a grain call (see <see cref="TryInvoke"/>).</summary>
        public LocalInvoker? Invoker { get; } = invoker;

        /// <summary>Gets when the activation last started or finished serving a request (a timestamp of the sweep's clock).</summary>
        public long LastUsed => Volatile.Read(ref _lastUsed);

        public bool Evicted { get; set; }

        public TimeSpan SinceLastUse => clock.GetElapsedTime(LastUsed);

        /// <summary>Gets how many calls the activation is serving now (the memory budget never evicts one that serves any).</summary>
        public int InFlight => Volatile.Read(ref _inFlight);

        /// <summary>Gets what the activation's isolates or workers cost the silo's memory now, in bytes.</summary>
        public long MemoryBytes => memory?.Invoke() ?? 0;

        public void Touch() => Volatile.Write(ref _lastUsed, clock.GetTimestamp());

        // Written by the activation's calls, on its turns or on the gateway's threads (TryInvoke); read by the sweep.
        public void Enter()
        {
            Interlocked.Increment(ref _inFlight);
            Touch();
        }

        public void Leave() => Interlocked.Decrement(ref _inFlight);

        /// <summary>Asks the sweep to call on the activation once <paramref name="delay"/> has passed; never, if infinite.</summary>
        public void VisitIn(TimeSpan delay) => Volatile.Write(
            ref _dueAt,
            delay == Timeout.InfiniteTimeSpan ? long.MaxValue : clock.GetTimestamp() + (long)(Math.Max(0, delay.TotalSeconds) * clock.TimestampFrequency));

        /// <summary>
        /// Brings the next visit to at most <paramref name="delay"/> from now, never later than it was: for a call that
        /// ended outside the activation's turns, whose due time may race one the grain sets (an early visit asks again).
        /// </summary>
        public void VisitWithin(TimeSpan delay)
        {
            if (delay == Timeout.InfiniteTimeSpan)
            {
                return;
            }

            var due = clock.GetTimestamp() + (long)(Math.Max(0, delay.TotalSeconds) * clock.TimestampFrequency);
            var current = Volatile.Read(ref _dueAt);
            while (due < current)
            {
                var seen = Interlocked.CompareExchange(ref _dueAt, due, current);
                if (seen == current)
                {
                    return;
                }

                current = seen;
            }
        }

        public bool IsDue(long now) => Volatile.Read(ref _dueAt) <= now;

        /// <summary>Starts a visit with <paramref name="start"/>, unless one is still running: returns that one then.</summary>
        public Task VisitOnce(Func<Task> start)
        {
            lock (_visitGate)
            {
                return _visit is { IsCompleted: false } running ? running : _visit = start();
            }
        }
    }
}
