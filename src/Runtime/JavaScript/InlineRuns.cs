namespace Granary.Runtime.JavaScript;

/// <summary>
/// Bounds how many invocations run inline on thread-pool threads at once, across every function of the silo.
/// A quick function runs inline (it saves two thread hand-offs), but a function that proved quick may still spin
/// until its timeout; without a bound, a tenant's spinning functions could hold every pool thread and stall every
/// other tenant's requests behind them. Beyond the bound an invocation runs on its isolate's own thread, and the
/// pool's minimum is raised by the bound so that it always has threads to spare for everything else.
/// </summary>
internal sealed class InlineRuns
{
    private readonly int _max;
    private int _running;

    public InlineRuns(int max)
    {
        _max = max;
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(workers + max, io);
    }

    /// <summary>Gets how many invocations run inline now.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Takes a place to run inline; false when every place is taken.</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _running) <= _max)
        {
            return true;
        }

        Interlocked.Decrement(ref _running);
        return false;
    }

    /// <summary>Gives back a place taken by <see cref="TryEnter"/>.</summary>
    public void Exit() => Interlocked.Decrement(ref _running);
}
