using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.Tenants;

/// <summary>
/// Holds every tenant to its invocation quotas across the cluster: at most <see cref="TenantQuotas.MaxConcurrentInvocations"/>
/// of its invocations running or waiting at once, and no more than <see cref="TenantQuotas.InvocationsPerSecond"/>
/// started. Both are kept by the tenant's grain and spent locally. The rate is one token bucket; a silo takes a tenth
/// of a second's worth at a time. The concurrency is a table of slots per silo; a silo asks for what it runs plus a
/// tenth of the quota, admits against that without a grain call, renews it every <see cref="LeaseRenewal"/> and
/// hands back what it does not use. So an invocation costs a grain call only when the local lease runs out.
/// Quotas are read from the tenant grain and refreshed every <see cref="QuotaRefresh"/>.
/// </summary>
public sealed partial class TenantAdmission(IGrainFactory grains, ILocalSiloDetails silo, TimeProvider time, ILogger<TenantAdmission> logger, IHostApplicationLifetime? lifetime = null)
    : IDisposable
{
    /// <summary>How long this silo uses a tenant's quotas before reading them again.</summary>
    public static readonly TimeSpan QuotaRefresh = TimeSpan.FromSeconds(5);

    /// <summary>How often this silo renews (grows, shrinks or returns) the concurrency slots it holds for its tenants.</summary>
    public static readonly TimeSpan LeaseRenewal = TimeSpan.FromSeconds(1);

    // A lease not spent within this time is dropped, so that an idle silo does not hold tokens another needs.
    private static readonly TimeSpan s_leaseLifetime = TimeSpan.FromSeconds(1);

    // How many times a caller that found the slots short asks again when the grain granted all that was asked but
    // other callers on this silo took the slots first; a grant cut short by the grain means the cluster is full.
    private const int SlotAttempts = 4;

    private readonly ConcurrentDictionary<string, TenantLoad> _tenants = new(StringComparer.Ordinal);
    private readonly string _silo = silo.SiloAddress.ToString();
    private readonly Lock _timerGate = new();
    private ITimer? _renewal;
    private int _renewing;

    /// <summary>Gets how many invocations of a tenant run or wait on this silo now.</summary>
    public int InFlight(string tenant) => _tenants.TryGetValue(tenant, out var load) ? Volatile.Read(ref load.InFlight) : 0;

    /// <summary>Gets the counters of a tenant on this silo, for a function activation to keep (one lookup per activation, not per call).</summary>
    public TenantLoad For(string tenant) => _tenants.GetOrAdd(tenant, static t => new TenantLoad(t));

    /// <summary>
    /// Admits one invocation of a tenant's function, or says which quota refuses it. An admitted invocation must be
    /// followed by <see cref="Exit(TenantLoad)"/>.
    /// </summary>
    public ValueTask<Throttle?> EnterAsync(string tenant) => EnterAsync(For(tenant));

    /// <summary>Admits one invocation of the tenant whose counters are <paramref name="load"/>; see <see cref="EnterAsync(string)"/>.</summary>
    public ValueTask<Throttle?> EnterAsync(TenantLoad load)
    {
        ArgumentNullException.ThrowIfNull(load);
        var quotas = load.Quotas;
        if (quotas is null || Stopwatch.GetElapsedTime(load.QuotasAt) > QuotaRefresh)
        {
            var refresh = load.RefreshQuotasAsync(grains, logger);
            if (quotas is null)
            {
                return EnterAfterRefreshAsync(load, refresh);
            }
        }

        return Admit(load, quotas);
    }

    /// <summary>Ends an invocation admitted by <see cref="EnterAsync(string)"/>.</summary>
    public void Exit(string tenant)
    {
        if (_tenants.TryGetValue(tenant, out var load))
        {
            Exit(load);
        }
    }

    /// <summary>Ends an invocation admitted by <see cref="EnterAsync(TenantLoad)"/>.</summary>
    public void Exit(TenantLoad load)
    {
        ArgumentNullException.ThrowIfNull(load);
        if (Interlocked.Decrement(ref load.InFlight) == 0 && load.Quotas?.MaxConcurrentInvocations is { } max && load.SlotsHeld > Chunk(max))
        {
            // A burst ended here: hand back all but a chunk now rather than at the next renewal, so another silo
            // that needs them is not refused for the second until then. Once a burst, not once a call.
            _ = load.StartRenewal(this, Chunk(max));
        }
    }

    /// <summary>Gets how many concurrency slots this silo holds for a tenant (granted by the tenant's grain).</summary>
    public int Slots(string tenant) => _tenants.TryGetValue(tenant, out var load) ? load.SlotsHeld : 0;

    /// <summary>
    /// Renews the concurrency slots this silo holds, once for every tenant holding some: a tenant that admitted an
    /// invocation since the last renewal asks for what it runs plus a tenth of its quota, one that did not asks for
    /// what it runs (so an idle silo hands every slot back). Runs every <see cref="LeaseRenewal"/> once this silo
    /// holds slots; completes when the grains answered.
    /// </summary>
    public Task RenewAsync()
    {
        var calls = new List<Task>();
        foreach (var load in _tenants.Values)
        {
            if (load.Quotas?.MaxConcurrentInvocations is { } max && load.StartRenewal(this, Chunk(max)) is { } call)
            {
                calls.Add(call);
            }
        }

        return Task.WhenAll(calls);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_timerGate)
        {
            _renewal?.Dispose();
        }
    }

    private async ValueTask<Throttle?> EnterAfterRefreshAsync(TenantLoad load, Task refresh)
    {
        await refresh;
        return await Admit(load, load.Quotas ?? new TenantQuotas());
    }

    // The slots a silo asks for beyond what it runs: a tenth of the quota, so a busy silo seldom calls the grain
    // between renewals, and ten busy silos can each hold a share.
    private static int Chunk(int max) => Math.Max(1, max / 10);

    private ValueTask<Throttle?> Admit(TenantLoad load, TenantQuotas quotas)
    {
        if (quotas.MaxConcurrentInvocations is not { } max)
        {
            // No concurrency quota: counted, nothing leased (the path is as it was before the quota was cluster-wide).
            Interlocked.Increment(ref load.InFlight);
        }
        else if (!load.TryEnter(time))
        {
            return EnterWithSlotsAsync(load, quotas, max);
        }

        return AdmitRate(load, quotas);
    }

    private async ValueTask<Throttle?> EnterWithSlotsAsync(TenantLoad load, TenantQuotas quotas, int max)
    {
        Interlocked.Increment(ref load.Waiting);
        var admitted = false;
        for (var attempt = 0; attempt < SlotAttempts && !admitted; attempt++)
        {
            var cutShort = await load.LeaseSlotsAsync(this, Chunk(max));
            admitted = load.TryEnter(time);
            if (cutShort)
            {
                break;
            }
        }

        Interlocked.Decrement(ref load.Waiting);
        if (!admitted && load.Failing && lifetime?.ApplicationStopping.IsCancellationRequested == true)
        {
            // This silo is stopping, and Orleans refuses its calls out: the tenant grain cannot be asked. Its last calls
            // are admitted rather than refused with a 429 that would be false (a rolling restart answered 429 to a tenant
            // running 4 invocations of its 100); the silo is leaving, and what it counts goes with it.
            Interlocked.Increment(ref load.InFlight);
            admitted = true;
        }

        return admitted
            ? await AdmitRate(load, quotas)
            : new Throttle("maxConcurrentInvocations", max, 1,
                $"Tenant '{load.Tenant}' already runs or queues {max} invocations across the cluster; retry when one finishes");
    }

    private ValueTask<Throttle?> AdmitRate(TenantLoad load, TenantQuotas quotas)
    {
        var rate = quotas.InvocationsPerSecond ?? 0;
        if (rate <= 0 || load.TryTakeToken())
        {
            return ValueTask.FromResult<Throttle?>(null);
        }

        return LeaseAsync(load, rate);
    }

    // Asks the tenant grain to set this silo's slots to `wanted`; true when it granted fewer (the cluster is full) or failed.
    private async Task<bool> CallSlotsAsync(TenantLoad load, int wanted)
    {
        // A grant lapses at the grain 3 s after the grain received it; timed from before the call, ours lapses first.
        var sent = time.GetTimestamp();
        Interlocked.Increment(ref load.SlotCalls);
        try
        {
            var lease = await grains.GetGrain<ITenantGrain>(load.Tenant).LeaseConcurrencyAsync(_silo, Volatile.Read(ref load.InFlight), wanted);
            if (load.Granted(lease.Granted, sent))
            {
                LogSlotsRestored(logger, load.Tenant);
            }

            if (lease.Granted > 0)
            {
                StartRenewals();
            }

            return lease.Granted < wanted;
        }
        catch (Exception ex)
        {
            // Logged once per outage: the slots held stay usable until they lapse, then the tenant is throttled.
            if (load.Failed())
            {
                LogSlotsFailed(logger, load.Tenant, ex);
            }

            return true;
        }
    }

    // One timer for the silo, started when it first holds slots; a round still running when the next is due is not doubled.
    private void StartRenewals()
    {
        if (Volatile.Read(ref _renewal) is not null)
        {
            return;
        }

        lock (_timerGate)
        {
            _renewal ??= time.CreateTimer(static state => ((TenantAdmission)state!).Tick(), this, LeaseRenewal, LeaseRenewal);
        }
    }

    private void Tick()
    {
        if (Interlocked.Exchange(ref _renewing, 1) == 1)
        {
            return;
        }

        // RenewAsync does not throw: each call catches and logs its own failure.
        _ = RenewAsync().ContinueWith(static (_, state) => Volatile.Write(ref ((TenantAdmission)state!)._renewing, 0), this, TaskScheduler.Default);
    }

    private async ValueTask<Throttle?> LeaseAsync(TenantLoad load, int rate)
    {
        var lease = await load.LeaseAsync(grains, Math.Max(1, (rate + 9) / 10), logger);
        if (load.TryTakeToken())
        {
            return null;
        }

        Interlocked.Decrement(ref load.InFlight);
        var retryAfter = Math.Max(1, (int)Math.Ceiling((lease?.RetryAfterMs ?? 1000) / 1000.0));
        return new Throttle("invocationsPerSecond", rate, retryAfter, $"Tenant '{load.Tenant}' has used its rate of {rate} invocations per second; retry after {retryAfter} s");
    }

    [LoggerMessage(EventId = 2450, Level = LogLevel.Warning, Message = "Could not read the quotas of tenant {Tenant}; its last known quotas stay in force")]
    private static partial void LogRefreshFailed(ILogger logger, string tenant, Exception exception);

    [LoggerMessage(EventId = 2451, Level = LogLevel.Warning, Message = "Could not lease invocations of tenant {Tenant} from its grain; the call is throttled")]
    private static partial void LogLeaseFailed(ILogger logger, string tenant, Exception exception);

    [LoggerMessage(EventId = 2452, Level = LogLevel.Warning, Message = "Could not lease concurrency slots of tenant {Tenant} from its grain; this silo uses the slots it holds until they lapse, then throttles the tenant")]
    private static partial void LogSlotsFailed(ILogger logger, string tenant, Exception exception);

    [LoggerMessage(EventId = 2453, Level = LogLevel.Information, Message = "Concurrency slots of tenant {Tenant} leased again from its grain")]
    private static partial void LogSlotsRestored(ILogger logger, string tenant);

    /// <summary>A refusal: the quota, its value, when to retry (seconds) and what happened.</summary>
    public sealed record Throttle(string Quota, long Limit, int RetryAfterSeconds, string Detail);

    /// <summary>One tenant's invocations on this silo: in flight, its quotas as last read, its concurrency slots and its lease of the rate.</summary>
    public sealed class TenantLoad(string tenant)
    {
        // The invocations running or waiting now, those waiting for concurrency slots from the tenant grain, the
        // calls made for slots (tests read it), and when the quotas were read (a Stopwatch timestamp).
        internal int InFlight;
        internal int Waiting;
        internal int SlotCalls;
        internal long QuotasAt;
        private readonly Lock _gate = new();
        private Task? _refreshing;
        private Task<InvocationLease?>? _leasing;
        private int _tokens;
        private long _tokensAt;

        // The concurrency slots the tenant grain granted this silo, when the call that got them was sent (a
        // TimeProvider timestamp), whether an invocation was admitted since the last renewal, the call to the grain in
        // flight (one at a time, so grants apply in order), and whether the last call failed.
        private int _slots;
        private long _slotsAt;
        private bool _entered;
        private Task<bool>? _slotCall;
        private bool _slotsFailing;

        /// <summary>Gets the tenant.</summary>
        public string Tenant { get; } = tenant;

        /// <summary>Gets the tenant's quotas as last read, or null before the first read.</summary>
        public TenantQuotas? Quotas { get; private set; }

        internal Task RefreshQuotasAsync(IGrainFactory grains, ILogger logger)
        {
            lock (_gate)
            {
                return _refreshing is { IsCompleted: false } running ? running : _refreshing = RefreshAsync(grains, logger);
            }
        }

        internal int SlotsHeld
        {
            get
            {
                lock (_gate)
                {
                    return _slots;
                }
            }
        }

        // Admits one invocation against the slots held, without a grain call; under the lock, so that a renewal
        // shrinking the slots and an admission never cross. The grant lapses after its lifetime, except while a call
        // to the grain is on its way and the last one did not fail: the grain's silo may be dead and not yet declared
        // so (seconds), and the call answers only then. Waiting for it stopped every invocation of the tenant on every
        // silo until the cluster noticed (its grants died with its silo); using what this silo holds risks at most
        // its own grant twice over while the grain is slow. A call that fails ends that: the grant lapses as it would.
        internal bool TryEnter(TimeProvider time)
        {
            lock (_gate)
            {
                var lapsed = time.GetElapsedTime(_slotsAt) >= ConcurrencyLease.Lifetime && (_slotCall is not { IsCompleted: false } || _slotsFailing);
                if (Volatile.Read(ref InFlight) >= _slots || lapsed)
                {
                    return false;
                }

                Interlocked.Increment(ref InFlight);
                _entered = true;
                return true;
            }
        }

        // Callers that find the slots short at the same time share one call to the tenant grain, which asks for room
        // for every caller waiting (a burst is served by one or two calls, not one per caller) and a chunk more.
        internal Task<bool> LeaseSlotsAsync(TenantAdmission admission, int chunk)
        {
            lock (_gate)
            {
                return _slotCall is { IsCompleted: false } running
                    ? running
                    : _slotCall = admission.CallSlotsAsync(this, Volatile.Read(ref InFlight) + Math.Max(1, Volatile.Read(ref Waiting)) + chunk);
            }
        }

        // A renewal: nothing when the tenant holds nothing here or a call is already on its way. Slots given back are
        // given up here first, so that nothing is admitted against them while the grain already lends them out.
        internal Task<bool>? StartRenewal(TenantAdmission admission, int chunk)
        {
            lock (_gate)
            {
                var inFlight = Volatile.Read(ref InFlight);
                if (_slotCall is { IsCompleted: false } || (_slots == 0 && inFlight == 0))
                {
                    return null;
                }

                var wanted = _entered ? inFlight + chunk : inFlight;
                _entered = false;
                _slots = Math.Min(_slots, wanted);
                return _slotCall = admission.CallSlotsAsync(this, wanted);
            }
        }

        // Whether the last call to the tenant grain failed (and none has answered since).
        internal bool Failing
        {
            get
            {
                lock (_gate)
                {
                    return _slotsFailing;
                }
            }
        }

        // Records a grant; true when it ends an outage.
        internal bool Granted(int slots, long sentAt)
        {
            lock (_gate)
            {
                (_slots, _slotsAt) = (slots, sentAt);
                var restored = _slotsFailing;
                _slotsFailing = false;
                return restored;
            }
        }

        // Records a failed call; true when it starts an outage.
        internal bool Failed()
        {
            lock (_gate)
            {
                var first = !_slotsFailing;
                _slotsFailing = true;
                return first;
            }
        }

        internal bool TryTakeToken()
        {
            lock (_gate)
            {
                if (_tokens > 0 && Stopwatch.GetElapsedTime(_tokensAt) < s_leaseLifetime)
                {
                    _tokens--;
                    return true;
                }

                _tokens = 0;
                return false;
            }
        }

        // Callers that find the lease empty at the same time share one call to the tenant grain.
        internal Task<InvocationLease?> LeaseAsync(IGrainFactory grains, int wanted, ILogger logger)
        {
            lock (_gate)
            {
                return _leasing is { IsCompleted: false } running ? running : _leasing = TakeLeaseAsync(grains, wanted, logger);
            }
        }

        private async Task<InvocationLease?> TakeLeaseAsync(IGrainFactory grains, int wanted, ILogger logger)
        {
            try
            {
                var lease = await grains.GetGrain<ITenantGrain>(Tenant).LeaseInvocationsAsync(wanted);
                lock (_gate)
                {
                    _tokens += lease.Granted;
                    _tokensAt = Stopwatch.GetTimestamp();
                }

                return lease;
            }
            catch (Exception ex)
            {
                LogLeaseFailed(logger, Tenant, ex);
                return null;
            }
        }

        private async Task RefreshAsync(IGrainFactory grains, ILogger logger)
        {
            try
            {
                Quotas = await grains.GetGrain<ITenantGrain>(Tenant).GetQuotasAsync() ?? new TenantQuotas();
                QuotasAt = Stopwatch.GetTimestamp();
            }
            catch (Exception ex)
            {
                LogRefreshFailed(logger, Tenant, ex);
                QuotasAt = Stopwatch.GetTimestamp();
            }
        }
    }
}
