using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Granary.Tenants;

/// <summary>
/// Holds every tenant to its invocation quotas on this silo: at most <see cref="TenantQuotas.MaxConcurrentInvocations"/>
/// of its invocations running or waiting here at once, and no more than <see cref="TenantQuotas.InvocationsPerSecond"/>
/// started across the cluster. The rate is one token bucket in the tenant's grain; a silo takes a tenth of a second's
/// worth at a time and spends it locally, so an invocation costs a grain call only when the local lease runs out.
/// Quotas are read from the tenant grain and refreshed every <see cref="QuotaRefresh"/>.
/// </summary>
public sealed partial class TenantAdmission(IGrainFactory grains, ILogger<TenantAdmission> logger)
{
    /// <summary>How long this silo uses a tenant's quotas before reading them again.</summary>
    public static readonly TimeSpan QuotaRefresh = TimeSpan.FromSeconds(5);

    // A lease not spent within this time is dropped, so that an idle silo does not hold tokens another needs.
    private static readonly TimeSpan s_leaseLifetime = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, TenantLoad> _tenants = new(StringComparer.Ordinal);

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
    public static void Exit(TenantLoad load)
    {
        ArgumentNullException.ThrowIfNull(load);
        Interlocked.Decrement(ref load.InFlight);
    }

    private async ValueTask<Throttle?> EnterAfterRefreshAsync(TenantLoad load, Task refresh)
    {
        await refresh;
        return await Admit(load, load.Quotas ?? new TenantQuotas());
    }

    private ValueTask<Throttle?> Admit(TenantLoad load, TenantQuotas quotas)
    {
        var max = quotas.MaxConcurrentInvocations ?? int.MaxValue;
        if (Interlocked.Increment(ref load.InFlight) > max)
        {
            Interlocked.Decrement(ref load.InFlight);
            return ValueTask.FromResult<Throttle?>(new Throttle("maxConcurrentInvocations", max, 1,
                $"Tenant '{load.Tenant}' already runs or queues {max} invocations on this silo; retry when one finishes"));
        }

        var rate = quotas.InvocationsPerSecond ?? 0;
        if (rate <= 0 || load.TryTakeToken())
        {
            return ValueTask.FromResult<Throttle?>(null);
        }

        return LeaseAsync(load, rate);
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

    /// <summary>A refusal: the quota, its value, when to retry (seconds) and what happened.</summary>
    public sealed record Throttle(string Quota, long Limit, int RetryAfterSeconds, string Detail);

    /// <summary>One tenant's invocations on this silo: in flight, its quotas as last read, and its lease of the rate.</summary>
    public sealed class TenantLoad(string tenant)
    {
        // The invocations running or waiting now, and when the quotas were read (a Stopwatch timestamp).
        internal int InFlight;
        internal long QuotasAt;
        private readonly Lock _gate = new();
        private Task? _refreshing;
        private Task<InvocationLease?>? _leasing;
        private int _tokens;
        private long _tokensAt;

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
