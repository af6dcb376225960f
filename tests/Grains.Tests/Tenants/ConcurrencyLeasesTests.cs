using Granary.Tenants;
using Microsoft.Extensions.Time.Testing;

namespace Granary.Grains.Tests.Tenants;

/// <summary>The tenant grain's table of concurrency slots per silo: the quota shared out, given back and lapsing.</summary>
public sealed class ConcurrencyLeasesTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void TwoSilosAreNeverGrantedMoreThanTheLimitTogether()
    {
        var leases = new ConcurrencyLeases(_clock);

        var first = leases.Lease("a", 0, 8, 10);
        var second = leases.Lease("b", 0, 8, 10);
        var firstAgain = leases.Lease("a", 8, 8, 10);
        var secondAgain = leases.Lease("b", 0, 5, 10);

        Assert.Equal((8, 2, 8, 2), (first, second, firstAgain, secondAgain));
        Assert.Equal(10, leases.Held);
    }

    [Fact]
    public void AskingForLessGivesSlotsBackAndAskingForNoneLeavesNoEntry()
    {
        var leases = new ConcurrencyLeases(_clock);
        leases.Lease("a", 0, 10, 10);

        var shrunk = leases.Lease("a", 2, 2, 10);
        var other = leases.Lease("b", 0, 10, 10);
        var idle = leases.Lease("a", 0, 0, 10);

        Assert.Equal((2, 8, 0), (shrunk, other, idle));
        Assert.Equal(1, leases.Silos);
        Assert.Equal(10, leases.Lease("b", 0, 10, 10));
    }

    [Fact]
    public void AGrantNotRenewedWithinItsLifetimeGoesBackToThePool()
    {
        var leases = new ConcurrencyLeases(_clock);
        leases.Lease("a", 0, 10, 10);

        _clock.Advance(ConcurrencyLease.Lifetime - TimeSpan.FromMilliseconds(1));
        var beforeExpiry = leases.Lease("b", 0, 10, 10);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var afterExpiry = leases.Lease("b", 0, 10, 10);

        Assert.Equal((0, 10), (beforeExpiry, afterExpiry));
        Assert.Equal(1, leases.Silos);
    }

    [Fact]
    public void ARenewedGrantKeepsItsSlots()
    {
        var leases = new ConcurrencyLeases(_clock);
        leases.Lease("a", 0, 10, 10);

        _clock.Advance(TimeSpan.FromSeconds(2));
        var renewed = leases.Lease("a", 5, 10, 10);
        _clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(10, renewed);
        Assert.Equal(0, leases.Lease("b", 0, 10, 10));
    }

    [Fact]
    public void AGrantIsNeverFewerThanTheInvocationsTheSiloRunsSoTheOthersSeeThem()
    {
        var leases = new ConcurrencyLeases(_clock);
        leases.Lease("a", 0, 10, 10);

        // As after a new activation of the tenant grain: silo b still runs 3 it was granted before.
        var running = leases.Lease("b", 3, 5, 10);
        var shrunkQuota = leases.Lease("a", 10, 11, 4);

        Assert.Equal((3, 10), (running, shrunkQuota));
        Assert.Equal(0, leases.Lease("c", 0, 1, 10));
    }
}
