namespace Granary.Tenants;

/// <summary>
/// The tenant grain's table of concurrency slots: which silo holds how many of the tenant's
/// <see cref="TenantQuotas.MaxConcurrentInvocations"/>, and when it last said so. In memory only: a silo renews its
/// grant every second, so a new activation of the tenant grain has the table back within a second, and a grant that
/// is not renewed within <see cref="ConcurrencyLease.Lifetime"/> (its silo stopped) goes back to the pool.
/// </summary>
internal sealed class ConcurrencyLeases(TimeProvider time)
{
    private readonly Dictionary<string, Grant> _silos = new(StringComparer.Ordinal);

    /// <summary>Gets how many slots the unexpired grants hold together.</summary>
    public int Held
    {
        get
        {
            Expire(null);
            return _silos.Values.Sum(g => g.Slots);
        }
    }

    /// <summary>Gets how many silos hold an unexpired grant.</summary>
    public int Silos
    {
        get
        {
            Expire(null);
            return _silos.Count;
        }
    }

    /// <summary>
    /// Replaces the grant of <paramref name="silo"/> with up to <paramref name="wanted"/> slots, at most what the
    /// other silos leave of <paramref name="limit"/> and never fewer than <paramref name="inUse"/>; returns the grant.
    /// </summary>
    public int Lease(string silo, int inUse, int wanted, int limit)
    {
        var others = Expire(silo);
        var granted = Math.Max(Math.Max(inUse, 0), Math.Min(wanted, limit - others));
        if (granted > 0)
        {
            _silos[silo] = new Grant(granted, time.GetTimestamp());
        }
        else
        {
            _silos.Remove(silo);
        }

        return granted;
    }

    /// <summary>Forgets every grant (the tenant has no concurrency quota any more, or no longer exists).</summary>
    public void Clear() => _silos.Clear();

    // Drops the expired grants and sums the others, leaving out the silo asking.
    private int Expire(string? asking)
    {
        var now = time.GetTimestamp();
        var sum = 0;
        foreach (var (silo, grant) in _silos)
        {
            if (time.GetElapsedTime(grant.At, now) >= ConcurrencyLease.Lifetime)
            {
                _silos.Remove(silo);
            }
            else if (silo != asking)
            {
                sum += grant.Slots;
            }
        }

        return sum;
    }

    private readonly record struct Grant(int Slots, long At);
}
