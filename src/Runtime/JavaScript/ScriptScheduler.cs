using System.Diagnostics;

namespace Granary.Runtime.JavaScript;

/// <summary>
/// Bounds how many isolate threads run script at once at the priority of ordinary work: across the silo and per
/// tenant. An isolate's thread takes a slot before it runs script (loading a module, an invocation, a timer callback,
/// the continuation of a host operation) and gives it back when the script returns to the event loop; without a free
/// slot it waits, blocked, using no CPU. A run that holds its slot longer than a slice is a long runner: its thread is
/// demoted to a lower CPU priority (a nice value, and optionally <c>SCHED_IDLE</c>) and its slot goes to the next
/// waiting run, so a tenant's short work waits at most
/// a slice behind each of its long runners, and long runners only get the CPU nothing else wants. Quick functions
/// running inline on thread-pool threads do not take slots (<see cref="InlineRuns"/> bounds those).
/// </summary>
/// <remarks>
/// The demoted thread gets its priority back when its run ends. Lowering a nice value needs <c>CAP_SYS_NICE</c> or a
/// <c>RLIMIT_NICE</c> that allows it; where the OS refuses, the isolate's loop moves to a fresh thread at the isolate's
/// priority and the demoted thread ends (V8 isolates have no thread affinity), so a demoted thread never runs later work.
/// </remarks>
internal sealed class ScriptScheduler : IDisposable
{
    private readonly Lock _lock = new();
    private readonly int _siloCap;
    private readonly int _tenantCap;
    private readonly long _sliceTicks;
    private readonly int _longRunnerNice;
    private readonly int _threadNice;
    private readonly bool _idleClass;
    private readonly Dictionary<string, TenantSlots> _tenants = new(StringComparer.Ordinal);
    private readonly LinkedList<Runner> _waiting = new();
    private readonly List<Runner> _holders = [];
    private readonly Timer? _monitor;
    private int _running;
    private bool _monitoring;
    private int _restoreRefused;

    /// <summary>Creates a scheduler; a slice of zero turns demotion off (a run keeps its slot until it ends).</summary>
    public ScriptScheduler(int siloCap, int tenantCap, TimeSpan slice, int longRunnerNice, int threadNice, bool idleClass = false)
    {
        _idleClass = idleClass;
        _siloCap = siloCap;
        _tenantCap = tenantCap;
        _sliceTicks = (long)(slice.TotalSeconds * Stopwatch.Frequency);
        _longRunnerNice = longRunnerNice;
        _threadNice = threadNice;
        if (_sliceTicks > 0)
        {
            _monitor = new Timer(static state => ((ScriptScheduler)state!).DemoteLongRunners(), this, Timeout.Infinite, Timeout.Infinite);
        }
    }

    /// <summary>Gets the most runs of one tenant that may hold a slot at once.</summary>
    public int TenantCap => _tenantCap;

    /// <summary>Gets the most runs that may hold a slot at once on the silo.</summary>
    public int SiloCap => _siloCap;

    /// <summary>Gets whether the OS refused to give a demoted thread its priority back (the loop then moves to a new thread).</summary>
    public bool RestoreRefused => Volatile.Read(ref _restoreRefused) != 0;

    /// <summary>Gets how many runs hold a slot now, across the silo.</summary>
    public int Running
    {
        get
        {
            lock (_lock)
            {
                return _running;
            }
        }
    }

    /// <summary>Gets the slot counters of a tenant (made on first use).</summary>
    public TenantSlots Tenant(string tenant)
    {
        lock (_lock)
        {
            if (!_tenants.TryGetValue(tenant, out var slots))
            {
                slots = new TenantSlots(tenant);
                _tenants.Add(tenant, slots);
            }

            return slots;
        }
    }

    /// <summary>
    /// Takes a slot for a run of <paramref name="runner"/>, waiting (blocked) until one is free. Returns false, without a
    /// slot, when <see cref="Runner.Cancelled"/> turns true while it waits (the isolate was interrupted or disposed).
    /// </summary>
    public bool Enter(Runner runner)
    {
        lock (_lock)
        {
            if (_running < _siloCap && runner.Tenant.Running < _tenantCap)
            {
                Grant(runner);
                return true;
            }

            runner.Wake.Reset();
            runner.Node = _waiting.AddLast(runner);
        }

        while (true)
        {
            runner.Wake.Wait();
            lock (_lock)
            {
                if (runner.InRun)
                {
                    return true;
                }

                // Reset before looking at the flag: a canceller sets its flag before it sets the event.
                runner.Wake.Reset();
                if (runner.Cancelled())
                {
                    _waiting.Remove(runner.Node!);
                    runner.Node = null;
                    return false;
                }
            }
        }
    }

    /// <summary>
    /// Ends a run started by <see cref="Enter"/>: gives back its slot (a demoted run gave it back already) and restores
    /// a demoted thread's priority. Returns false when the OS refused to restore it (the loop must leave the thread).
    /// Called on the runner's own thread.
    /// </summary>
    public bool Exit(Runner runner)
    {
        bool demoted;
        lock (_lock)
        {
            if (!runner.InRun)
            {
                return true;
            }

            runner.InRun = false;
            demoted = runner.Demoted;
            runner.Demoted = false;
            if (!demoted)
            {
                _holders.Remove(runner);
                Free(runner.Tenant);
            }
        }

        if (!demoted)
        {
            return true;
        }

        // On this very thread: its own priority.
        if (_idleClass ? ThreadNice.TrySetOrdinary(_threadNice) : ThreadNice.TrySet(_threadNice))
        {
            return true;
        }

        Volatile.Write(ref _restoreRefused, 1);
        return false;
    }

    /// <inheritdoc />
    public void Dispose() => _monitor?.Dispose();

    // Under the lock.
    private void Grant(Runner runner)
    {
        runner.InRun = true;
        runner.Demoted = false;
        runner.Since = Stopwatch.GetTimestamp();
        runner.Tenant.Running++;
        runner.Tenant.Most = Math.Max(runner.Tenant.Most, runner.Tenant.Running);
        _running++;
        _holders.Add(runner);
        if (_monitor is not null && !_monitoring)
        {
            _monitoring = true;
            var tick = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, _sliceTicks * TimeSpan.TicksPerSecond / Stopwatch.Frequency / 2));
            SetMonitor(tick);
        }
    }

    // Under the lock: a slot came free; hand it to the oldest waiting run whose tenant has room.
    private void Free(TenantSlots tenant)
    {
        tenant.Running--;
        _running--;
        for (var node = _waiting.First; node is not null && _running < _siloCap;)
        {
            var next = node.Next;
            var waiter = node.Value;
            if (waiter.Tenant.Running < _tenantCap)
            {
                _waiting.Remove(node);
                waiter.Node = null;
                Grant(waiter);
                waiter.Wake.Set();
            }

            node = next;
        }
    }

    private void SetMonitor(TimeSpan tick)
    {
        try
        {
            _monitor!.Change(tick, tick);
        }
        catch (ObjectDisposedException)
        {
            // The silo is shutting down (the pool disposed the scheduler) while isolates finish their last runs.
        }
    }

    private void DemoteLongRunners()
    {
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            for (var i = _holders.Count - 1; i >= 0; i--)
            {
                var holder = _holders[i];
                if (now - holder.Since < _sliceTicks)
                {
                    continue;
                }

                // Under the lock, so the run cannot end (and restore its priority) between the decision and the call.
                ThreadNice.TrySetFor(holder.ThreadId, _longRunnerNice);
                if (_idleClass)
                {
                    ThreadNice.TrySetIdleClassFor(holder.ThreadId);
                }

                holder.Demoted = true;
                holder.Tenant.Demotions++;
                _holders.RemoveAt(i);
                Free(holder.Tenant);
            }

            if (_holders.Count == 0 && _monitoring)
            {
                _monitoring = false;
                SetMonitor(Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>One tenant's counters, read under the scheduler's lock or as a snapshot.</summary>
    internal sealed class TenantSlots(string name)
    {
        /// <summary>Gets the tenant.</summary>
        public string Name { get; } = name;

        /// <summary>Gets or sets how many of the tenant's runs hold a slot now.</summary>
        public int Running { get; set; }

        /// <summary>Gets or sets the most of the tenant's runs that held a slot at once.</summary>
        public int Most { get; set; }

        /// <summary>Gets or sets how many of the tenant's runs were demoted as long runners.</summary>
        public int Demotions { get; set; }
    }

    /// <summary>An isolate's thread as the scheduler knows it.</summary>
    internal sealed class Runner(TenantSlots tenant, int threadId, Func<bool> cancelled)
    {
        /// <summary>Gets the tenant whose slots the runner takes.</summary>
        public TenantSlots Tenant { get; } = tenant;

        /// <summary>Gets or sets the OS thread id (Linux tid) of the isolate's thread; set by a new thread the loop moved to.</summary>
        public int ThreadId
        {
            get => Volatile.Read(ref _threadId);
            set => Volatile.Write(ref _threadId, value);
        }

        private int _threadId = threadId;

        /// <summary>Gets the check that ends a wait for a slot (the isolate was interrupted or disposed).</summary>
        public Func<bool> Cancelled { get; } = cancelled;

        /// <summary>Gets the event a waiting runner blocks on: set when it is granted a slot or cancelled.</summary>
        public ManualResetEventSlim Wake { get; } = new(false, spinCount: 0);

        public LinkedListNode<Runner>? Node { get; set; }

        public bool InRun { get; set; }

        public bool Demoted { get; set; }

        public long Since { get; set; }
    }
}
