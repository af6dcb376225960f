using System.Diagnostics;
using System.Net;
using System.Reflection;
using Granary.Tenants;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Granary.Grains.Tests.Tenants;

/// <summary>
/// The tenant's concurrency quota across silos: two admissions with their own silo identities (on a fake clock, so
/// renewals happen when a test says) or the cluster's own silos, against the real tenant grain.
/// </summary>
[Collection(ClusterGroup.Name)]
public sealed class TenantAdmissionTests(ClusterFixture fixture) : IDisposable
{
    private readonly FakeTimeProvider _clock = new();
    private readonly List<TenantAdmission> _admissions = [];

    [Fact]
    public async Task TwoSilosNeverAdmitMoreThanTheLimitTogether()
    {
        var tenant = await CreateTenantAsync(10);
        var (a, b) = (Admission(1), Admission(2));

        var entered = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => (i % 2 == 0 ? a : b).EnterAsync(tenant).AsTask()));

        var admitted = entered.Count(t => t is null);
        Assert.Equal(10, admitted);
        Assert.Equal(admitted, a.InFlight(tenant) + b.InFlight(tenant));
        Assert.All(entered.OfType<TenantAdmission.Throttle>(), t => Assert.Equal(
            $"Tenant '{tenant}' already runs or queues 10 invocations across the cluster; retry when one finishes", t.Detail));
        Assert.True(a.Slots(tenant) + b.Slots(tenant) <= 10, $"The silos hold {a.Slots(tenant)} + {b.Slots(tenant)} slots of 10.");
    }

    [Fact]
    public async Task ASiloWhoseBurstEndsHandsAllButAChunkBackAtOnceAndTheRestAtTheNextRenewal()
    {
        var tenant = await CreateTenantAsync(20);
        var (a, b) = (Admission(1), Admission(2));
        var first = await EnterAsync(a, tenant, 20);
        var refusedWhileBusy = await b.EnterAsync(tenant);

        // The last call of the burst ends: all but a chunk (2 of 20) go back without waiting for a renewal.
        Exit(a, tenant, 20);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (a.Slots(tenant) != 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The idle silo still holds {a.Slots(tenant)} slots.");
            await Task.Delay(10);
        }

        // The next renewal hands back the chunk. The hand-back above may still be on its way (its slots are given up
        // before the call), and a renewal skips a tenant whose call is: the one after it renews (CI, under load).
        var whileChunkHeld = await EnterAsync(b, tenant, 20);
        await a.RenewAsync();
        for (var renewals = 1; a.Slots(tenant) != 0; renewals++)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The idle silo still holds {a.Slots(tenant)} slots after {renewals} renewal(s).");
            await Task.Delay(10);
            await a.RenewAsync();
        }

        var heldAfterRenewal = a.Slots(tenant);
        var afterRenewal = await EnterAsync(b, tenant, 2);

        Assert.Equal(20, first);
        Assert.Equal("maxConcurrentInvocations", refusedWhileBusy?.Quota);
        Assert.Equal(18, whileChunkHeld);
        Assert.Equal(0, heldAfterRenewal);
        Assert.Equal(2, afterRenewal);
        Assert.Equal("maxConcurrentInvocations", (await a.EnterAsync(tenant))?.Quota);
    }

    [Fact]
    public async Task ABusySiloKeepsWhatItRunsAndAChunkAcrossRenewals()
    {
        var tenant = await CreateTenantAsync(20);
        var a = Admission(1);
        Assert.Equal(5, await EnterAsync(a, tenant, 5));

        await a.RenewAsync();
        var busy = a.Slots(tenant);
        await a.RenewAsync();
        var idleButRunning = a.Slots(tenant);

        Assert.Equal(5 + 2, busy);
        Assert.Equal(5, idleButRunning);
        Assert.Equal(15, (await fixture.Client.GetGrain<ITenantGrain>(tenant).LeaseConcurrencyAsync("probe", 0, 20)).Granted);
    }

    [Fact]
    public async Task TheSilosOwnRenewalsReturnAnIdleSilosSlotsToTheOther()
    {
        var tenant = await CreateTenantAsync(4);
        var a = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<TenantAdmission>();
        var b = fixture.Cluster.Silos[1].ServiceProvider.GetRequiredService<TenantAdmission>();
        Assert.Equal(4, await EnterAsync(a, tenant, 4));
        Assert.Equal("maxConcurrentInvocations", (await b.EnterAsync(tenant))?.Quota);

        Exit(a, tenant, 4);
        var idle = Stopwatch.StartNew();
        while (a.Slots(tenant) > 0)
        {
            Assert.True(idle.Elapsed < TimeSpan.FromSeconds(10), $"Silo a still holds {a.Slots(tenant)} slots after 10 s idle.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        // The slots came back by renewal (a renews every second), not by lapsing (3 s without renewal).
        Assert.True(idle.Elapsed < ConcurrencyLease.Lifetime, $"Silo a handed its slots back after {idle.Elapsed}.");
        Assert.Equal(4, await EnterAsync(b, tenant, 4));
        Exit(b, tenant, 4);
    }

    [Fact]
    public async Task AGrantNeverRenewedGoesBackToThePoolAfterItsLifetime()
    {
        var tenant = await CreateTenantAsync(4);
        var grain = fixture.Client.GetGrain<ITenantGrain>(tenant);
        var taken = await grain.LeaseConcurrencyAsync("gone", 0, 4);
        var since = Stopwatch.StartNew();

        var refused = await grain.LeaseConcurrencyAsync("other", 0, 4);
        while ((await grain.LeaseConcurrencyAsync("other", 0, 4)).Granted == 0)
        {
            Assert.True(since.Elapsed < TimeSpan.FromSeconds(10), "The grant of a silo that never renewed did not lapse within 10 s.");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Equal(new ConcurrencyLease(4, 4), taken);
        Assert.Equal(new ConcurrencyLease(0, 4), refused);
        Assert.True(since.Elapsed >= ConcurrencyLease.Lifetime - TimeSpan.FromMilliseconds(100), $"The grant lapsed after {since.Elapsed}.");
    }

    [Fact]
    public async Task ATenantWithoutAConcurrencyQuotaNeverAsksItsGrainForSlots()
    {
        // A tenant that does not exist has no quotas: its invocations are counted, never leased.
        var tenant = $"ghost-{Guid.NewGuid():N}";
        var a = Admission(1);

        var admitted = await EnterAsync(a, tenant, 50);

        Assert.Equal(50, admitted);
        Assert.Equal(50, a.InFlight(tenant));
        Assert.Equal(0, a.For(tenant).SlotCalls);
        Assert.Equal(0, a.Slots(tenant));
        Exit(a, tenant, 50);
    }

    [Fact]
    public async Task AdmissionsWithinTheSlotsHeldCostNoGrainCall()
    {
        var tenant = await CreateTenantAsync(100);
        var a = Admission(1);

        Assert.Equal(1, await EnterAsync(a, tenant, 1));
        Assert.Equal(10, await EnterAsync(a, tenant, 10));
        var (callsWithinTheFirstGrant, firstGrant) = (a.For(tenant).SlotCalls, a.Slots(tenant));
        Assert.Equal(1, await EnterAsync(a, tenant, 1));

        Assert.Equal((1, 11), (callsWithinTheFirstGrant, firstGrant));
        Assert.Equal((2, 22), (a.For(tenant).SlotCalls, a.Slots(tenant)));
    }

    [Fact]
    public async Task AnUnreachableTenantGrainLeavesTheGrantInForceUntilItLapsesThenThrottlesAndWarnsOnce()
    {
        var tenant = await CreateTenantAsync(4);
        var grains = Unreachable.Around(fixture.Client);
        var log = new Warnings();
        var a = new TenantAdmission(grains, new FakeSilo(1), _clock, log);
        _admissions.Add(a);
        Assert.Equal(2, await EnterAsync(a, tenant, 2));

        Unreachable.Down = true;
        a.Exit(tenant);
        var withinTheGrant = await a.EnterAsync(tenant);
        await a.RenewAsync();
        var beyondTheGrant = await a.EnterAsync(tenant);
        Exit(a, tenant, 2);
        _clock.Advance(ConcurrencyLease.Lifetime);
        var afterItLapsed = await a.EnterAsync(tenant);
        var warnings = log.Count;
        Unreachable.Down = false;
        var afterward = await a.EnterAsync(tenant);

        Assert.Null(withinTheGrant);
        Assert.Equal("maxConcurrentInvocations", beyondTheGrant?.Quota);
        Assert.Equal("maxConcurrentInvocations", afterItLapsed?.Quota);
        Assert.Equal(1, warnings);
        Assert.Null(afterward);
    }

    // A tenant grain whose silo died answers nothing until the cluster declares the silo dead (seconds). While the call
    // to it is on its way, the silo keeps admitting within the slots it holds, past their lifetime: waiting for that
    // call stopped every invocation of the tenant (a killed silo in the cluster tests, 3.6 s). Once it fails, the
    // grant lapses as before.
    [Fact]
    public async Task ACallToAnUnansweringTenantGrainDoesNotHoldUpAdmissionsWithinTheGrant()
    {
        var tenant = await CreateTenantAsync(4);
        var grains = Unreachable.Around(fixture.Client);
        var a = new TenantAdmission(grains, new FakeSilo(1), _clock, NullLogger<TenantAdmission>.Instance);
        _admissions.Add(a);
        Assert.Equal(2, await EnterAsync(a, tenant, 2));

        Unreachable.Hang();
        a.Exit(tenant);
        var renewal = a.RenewAsync();
        _clock.Advance(ConcurrencyLease.Lifetime);
        var whileItWaits = a.EnterAsync(tenant);
        var completedAtOnce = whileItWaits.IsCompleted;
        var beyondTheGrant = a.EnterAsync(tenant);
        var beyondWaited = !beyondTheGrant.IsCompleted;
        Unreachable.Release(down: true);
        await renewal;
        var afterTheFailure = await beyondTheGrant;
        Exit(a, tenant, 2);
        var lapsed = await a.EnterAsync(tenant);
        Unreachable.Down = false;
        var afterward = await a.EnterAsync(tenant);

        Assert.True(completedAtOnce, "an admission within the grant waited for the unanswered call to the tenant grain");
        Assert.Null(await whileItWaits);
        Assert.True(beyondWaited, "an admission beyond the grant did not wait for the grain");
        Assert.Equal("maxConcurrentInvocations", afterTheFailure?.Quota);
        Assert.Equal("maxConcurrentInvocations", lapsed?.Quota);
        Assert.Null(afterward);
    }

    // A stopping silo's calls out are refused by Orleans ("the local host is shutting down"), so it cannot lease slots;
    // its last invocations (a rolling restart drains them) are admitted, not answered with a false 429. A silo that is
    // not stopping still throttles when the grain cannot be asked.
    [Fact]
    public async Task AStoppingSiloThatCannotAskTheTenantGrainAdmitsItsLastCallsRatherThanThrottling()
    {
        var tenant = await CreateTenantAsync(4);
        var grains = Unreachable.Around(fixture.Client);
        using var stopping = new Lifetime();
        var a = new TenantAdmission(grains, new FakeSilo(1), _clock, NullLogger<TenantAdmission>.Instance, stopping);
        using var notStopping = new Lifetime();
        var b = new TenantAdmission(grains, new FakeSilo(2), _clock, NullLogger<TenantAdmission>.Instance, notStopping);
        _admissions.Add(a);
        _admissions.Add(b);

        // One invocation running on each (an exit would start a renewal that could still be on its way below, and a
        // grant does not lapse while a call is).
        Assert.Equal(1, await EnterAsync(a, tenant, 1));
        Assert.Equal(1, await EnterAsync(b, tenant, 1));

        Unreachable.Down = true;
        _clock.Advance(ConcurrencyLease.Lifetime);
        var running = await b.EnterAsync(tenant);
        stopping.Stop();
        var draining = await EnterAsync(a, tenant, 2);
        Unreachable.Down = false;

        Assert.Equal("maxConcurrentInvocations", running?.Quota);
        Assert.Equal(2, draining);
        Assert.Equal(3, a.InFlight(tenant));
    }

    public void Dispose()
    {
        foreach (var admission in _admissions)
        {
            admission.Dispose();
        }
    }

    private static void Exit(TenantAdmission admission, string tenant, int count)
    {
        for (var i = 0; i < count; i++)
        {
            admission.Exit(tenant);
        }
    }

    // Enters one at a time and counts the invocations admitted.
    private static async Task<int> EnterAsync(TenantAdmission admission, string tenant, int count)
    {
        var admitted = 0;
        for (var i = 0; i < count; i++)
        {
            admitted += await admission.EnterAsync(tenant) is null ? 1 : 0;
        }

        return admitted;
    }

    private async Task<string> CreateTenantAsync(int maxConcurrentInvocations)
    {
        var tenant = $"quota-{Guid.NewGuid():N}";
        await fixture.Client.GetGrain<ITenantGrain>(tenant).PutAsync(new TenantQuotas { MaxConcurrentInvocations = maxConcurrentInvocations });
        return tenant;
    }

    private TenantAdmission Admission(int silo)
    {
        var admission = new TenantAdmission(fixture.Client, new FakeSilo(silo), _clock, NullLogger<TenantAdmission>.Instance);
        _admissions.Add(admission);
        return admission;
    }

    // A grain factory whose tenant grains throw while Down (one test sets it; the collection runs its tests one at a time).
    public class Unreachable : DispatchProxy
    {
        private object _target = null!;

        private static TaskCompletionSource? s_held;

        public static bool Down { get; set; }

        // Calls to tenant grains wait, unanswered, until Release.
        public static void Hang() => s_held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Answers the waiting calls: with the grain's failure when down (its silo was declared dead), else as the grain does.
        public static void Release(bool down)
        {
            Down = down;
            var held = s_held;
            s_held = null;
            held?.SetResult();
        }

        public static IGrainFactory Around(IGrainFactory grains)
        {
            var proxy = Create<IGrainFactory, Unreachable>();
            ((Unreachable)(object)proxy)._target = grains;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (_target is ITenantGrain && s_held is { } held)
            {
                return typeof(Unreachable).GetMethod(nameof(AfterAsync), BindingFlags.NonPublic | BindingFlags.Static)!
                    .MakeGenericMethod(targetMethod!.ReturnType.GetGenericArguments()[0]).Invoke(null, [held.Task, _target, targetMethod, args]);
            }

            if (_target is ITenantGrain && Down)
            {
                throw new TimeoutException("The tenant grain is unreachable (test).");
            }

            var result = targetMethod!.Invoke(_target, args);
            if (result is ITenantGrain tenant)
            {
                var proxy = Create<ITenantGrain, Unreachable>();
                ((Unreachable)(object)proxy)._target = tenant;
                return proxy;
            }

            return result;
        }

        private static async Task<T> AfterAsync<T>(Task held, object target, MethodInfo method, object?[]? args)
        {
            await held;
            return Down ? throw new TimeoutException("The tenant grain is unreachable (test).") : await (Task<T>)method.Invoke(target, args)!;
        }
    }

    // Counts the warnings that slots could not be leased.
    private sealed class Warnings : ILogger<TenantAdmission>
    {
        public int Count { get; private set; }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning && eventId.Id == 2452)
            {
                Count++;
            }
        }
    }

    private sealed class FakeSilo(int port) : ILocalSiloDetails
    {
        public string Name => $"fake-{port}";

        public string ClusterId => "test";

        public string DnsHostName => "localhost";

        public SiloAddress SiloAddress { get; } = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), port);

        public SiloAddress GatewayAddress => SiloAddress;
    }

    private sealed class Lifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void Stop() => _stopping.Cancel();

        public void StopApplication() => Stop();

        public void Dispose() => _stopping.Dispose();
    }
}
