using System.Diagnostics;

namespace Granary.Runtime.JavaScript;

/// <summary>
/// Bounds how many isolate threads run script at once at the priority of ordinary work: across the silo and per
/// tenant. An isolate's thread takes a slot before it runs script (loading a module, an invocation, a timer callback,
/// the continuation of a host operation) and gives it back when the script returns to the event loop; without a free
/// slot it waits, blocked, using no CPU. A run that holds its slot longer than a slice is a long runner: its thread is
/// demoted (a nice value, and the idle cpu group of <see cref="LongRunnerGroup"/> or else <c>SCHED_IDLE</c>) and its
/// slot goes to the next waiting run, so a tenant's short work waits at most a slice behind each of its long runners,
/// and long runners only get the CPU nothing else wants. Quick functions
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
    private readonly LongRunnerGroup? _group;
    private readonly ulong _processCpus;
    private readonly ulong _longRunnerCpus;
    private readonly int _siloCap;
    private readonly int _tenantCap;
    private readonly long _sliceTicks;
    private readonly long _sliceNs;
    private readonly int _longRunnerNice;
    private readonly int _threadNice;
    private readonly bool _idleClass;
    private readonly Dictionary<string, TenantSlots> _tenants = new(StringComparer.Ordinal);
    private readonly LinkedList<Runner> _waiting = new();
    private readonly List<Runner> _holders = [];
    private readonly List<Runner> _startedDemoted = [];
    private readonly Timer? _monitor;
    private int _running;
    private bool _monitoring;
    private int _restoreRefused;

    /// <summary>
    /// Creates a scheduler; a slice of zero turns demotion off (a run keeps its slot until it ends). Demoted runs go to
    /// <paramref name="group"/> when there is one (else to the <c>SCHED_IDLE</c> class when <paramref name="idleClass"/>),
    /// and off the first of the process's CPUs when <paramref name="spareFirstCpu"/> and it has two or more.
    /// </summary>
    public ScriptScheduler(int siloCap, int tenantCap, TimeSpan slice, int longRunnerNice, int threadNice, bool idleClass = false, LongRunnerGroup? group = null, bool spareFirstCpu = false)
    {
        _idleClass = idleClass;
        _group = group;
        _processCpus = ThreadNice.GetAffinity();
        _longRunnerCpus = spareFirstCpu && ulong.PopCount(_processCpus) >= 2 ? _processCpus & (_processCpus - 1) : 0;
        _siloCap = siloCap;
        _tenantCap = tenantCap;
        _sliceTicks = (long)(slice.TotalSeconds * Stopwatch.Frequency);
        _sliceNs = slice.Ticks * 100;
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

    /// <summary>Gets the CPUs (bit n is CPU n) demoted runs are kept to; 0 when they may run on any.</summary>
    public ulong LongRunnerCpus => _longRunnerCpus;

    /// <summary>Gets the cpu group demoted runs go to, or null when they use the <c>SCHED_IDLE</c> class instead.</summary>
    public LongRunnerGroup? Group => _group;

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
    public bool Enter(Runner runner) => Enter(runner, startDemoted: false);

    /// <summary>
    /// Takes a slot as <see cref="Enter(Runner)"/>; with <paramref name="startDemoted"/> (an invocation), a run of a
    /// function whose last run was a long runner starts demoted instead. Making an isolate, loading its module and host
    /// work on it (taking logs after a timeout, completing operations) never do: they are bounded work that must not
    /// wait for idle CPU (on a busy machine the replacement of an isolate that spun to its timeout never finished loading).
    /// </summary>
    public bool Enter(Runner runner, bool startDemoted)
    {
        // Not where a demoted thread cannot get its priority back: every such run would move the loop to a new thread.
        if (startDemoted && _sliceTicks > 0 && runner.History is { LastRunWasLong: true } && !RestoreRefused)
        {
            return EnterDemoted(runner);
        }

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
    /// Ends a run started by <see cref="Enter(Runner)"/>: gives back its slot (a demoted run gave it back already) and restores
    /// a demoted thread's priority. Returns false when the OS refused to restore it (the loop must leave the thread).
    /// Called on the runner's own thread. <paramref name="judged"/> says whether the run counts for the function's
    /// <see cref="RunHistory"/> (invocations do; making the isolate, loading the module and timers do not).
    /// </summary>
    public bool Exit(Runner runner, bool judged = true)
    {
        bool demoted;
        bool restore;
        lock (_lock)
        {
            if (!runner.InRun)
            {
                return true;
            }

            runner.InRun = false;
            demoted = runner.Demoted;
            restore = demoted || runner.Raised;
            runner.Demoted = false;
            runner.Raised = false;
            if (runner.StartedDemoted)
            {
                runner.StartedDemoted = false;
                _startedDemoted.Remove(runner);
            }

            if (judged && runner.History is { } history)
            {
                history.LastRunWasLong = demoted && Stopwatch.GetTimestamp() - runner.Since >= _sliceTicks && RanASlice(runner);
            }

            if (!demoted)
            {
                _holders.Remove(runner);
                Free(runner.Tenant);
            }
        }

        if (!restore)
        {
            return true;
        }

        if (Restore(runner))
        {
            return true;
        }

        Volatile.Write(ref _restoreRefused, 1);
        return false;
    }

    /// <summary>
    /// Gives the thread of a run being stopped (a timeout) the process's priority, from another thread, until the run
    /// ends: the thread must get the CPU to see the interrupt and hand over the function's logs (collected within a
    /// short wait). Demoted, in the idle group on a busy machine it got none; at the isolates' nice 10 under the suite's
    /// load it got too little, and the timed-out call lost its log lines. Back to the process's group and CPUs, class
    /// and nice value where the OS allows it; <see cref="Exit"/> puts the isolate's nice value back on its own thread.
    /// </summary>
    public void Release(Runner runner)
    {
        lock (_lock)
        {
            if (runner.InRun)
            {
                Raise(runner, 0);
            }
        }
    }

    /// <summary>
    /// Sends a thread that holds no slot where long runners run, for good: the calling isolate thread's teardown, which
    /// nobody waits for. The thread ends after it (it never leaves the group; the kernel drops an ended thread from it).
    /// </summary>
    public void Retire(int threadId) => EnterIdle(threadId);

    /// <inheritdoc />
    public void Dispose()
    {
        _monitor?.Dispose();
        _group?.Dispose();
    }

    // A run of a function whose last run was a long runner starts demoted, without a slot: in steady state a function
    // that spins until its timeout never runs at ordinary priority, even for a slice. (At ordinary or isolate priority
    // it would hold a core for a whole scheduler tick when a request's thread wakes.) If the run ends within a slice,
    // the function's next run takes a slot again.
    //
    // A run that started demoted but gets no CPU there (a busy machine leaves the idle group nothing) is not spinning:
    // it may be a short run of a function that once spun, or another snippet of a workspace whose neighbour did. Once
    // it has waited a slice and run less than half of one, the monitor gives it a slot when one is free (PromoteStarved),
    // once per run; if it then runs a slice, it is demoted as any run is.
    private bool EnterDemoted(Runner runner)
    {
        lock (_lock)
        {
            runner.InRun = true;
            runner.Since = Stopwatch.GetTimestamp();
            runner.CpuSince = ThreadNice.CpuTimeNs(runner.ThreadId);
            Demote(runner);
            if (runner.CpuSince >= 0)
            {
                runner.StartedDemoted = true;
                _startedDemoted.Add(runner);
                StartMonitor();
            }
        }

        return true;
    }

    // Under the lock (so a run cannot end, and restore its thread, between the decision and the calls): the run's thread
    // goes where long runners run, the idle cpu group (else the SCHED_IDLE class) off the first CPU (see LongRunnerGroup
    // for why both), at the long-runner nice value. Raising a nice value or moving to SCHED_IDLE needs no privilege.
    private void Demote(Runner runner)
    {
        runner.InGroup = EnterIdle(runner.ThreadId);
        ThreadNice.TrySetFor(runner.ThreadId, _longRunnerNice);
        runner.Demoted = true;
        runner.Tenant.Demotions++;
    }

    // On the runner's own thread, when its demoted run ends: back to the process's group and CPUs, and to the isolate's
    // priority; false when the OS refuses the priority.
    private bool Restore(Runner runner)
    {
        LeaveIdle(runner);
        return _idleClass ? ThreadNice.TrySetOrdinary(_threadNice) : ThreadNice.TrySet(_threadNice);
    }

    // Where long runners run: the idle cpu group (else the SCHED_IDLE class), off the first CPU. Returns whether the
    // thread went into the group.
    private bool EnterIdle(int threadId)
    {
        var inGroup = _group is not null && _group.Enter(threadId);
        if (!inGroup && _idleClass)
        {
            ThreadNice.TrySetIdleClassFor(threadId);
        }

        if (_longRunnerCpus != 0)
        {
            ThreadNice.TrySetAffinity(threadId, _longRunnerCpus);
        }

        return inGroup;
    }

    // Back to the process's cpu group and CPUs (the class and nice value are the caller's: they depend on the thread).
    private void LeaveIdle(Runner runner)
    {
        if (runner.InGroup)
        {
            _group!.Leave(runner.ThreadId);
            runner.InGroup = false;
        }

        if (_longRunnerCpus != 0)
        {
            ThreadNice.TrySetAffinity(runner.ThreadId, _processCpus);
        }
    }

    // Under the lock.
    private void Grant(Runner runner)
    {
        runner.InRun = true;
        runner.Demoted = false;
        runner.Since = Stopwatch.GetTimestamp();
        runner.CpuSince = ThreadNice.CpuTimeNs(runner.ThreadId);
        runner.Tenant.Running++;
        runner.Tenant.Most = Math.Max(runner.Tenant.Most, runner.Tenant.Running);
        _running++;
        _holders.Add(runner);
        StartMonitor();
    }

    // Under the lock.
    private void StartMonitor()
    {
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
                if (now - holder.Since < _sliceTicks || !RanASlice(holder))
                {
                    continue;
                }

                Demote(holder);
                _holders.RemoveAt(i);
                Free(holder.Tenant);
            }

            PromoteStarved(now);
            if (_holders.Count == 0 && _startedDemoted.Count == 0 && _monitoring)
            {
                _monitoring = false;
                SetMonitor(Timeout.InfiniteTimeSpan);
            }
        }
    }

    // Under the lock: see EnterDemoted.
    private void PromoteStarved(long now)
    {
        for (var i = 0; i < _startedDemoted.Count && _running < _siloCap;)
        {
            var runner = _startedDemoted[i];
            if (now - runner.Since < _sliceTicks || runner.Tenant.Running >= _tenantCap || Ran(runner) >= _sliceNs / 2)
            {
                i++;
                continue;
            }

            _startedDemoted.RemoveAt(i);
            runner.StartedDemoted = false;
            Raise(runner, _threadNice);
            Grant(runner);
        }
    }

    // Under the lock, from another thread than the runner's: out of where long runners run (if it is there), at
    // `nice` (else the isolate's nice value) where the OS allows it. The runner's own thread puts the isolate's
    // priority back when the run ends (Exit).
    private void Raise(Runner runner, int nice)
    {
        if (runner.Demoted)
        {
            LeaveIdle(runner);
            if (_idleClass)
            {
                ThreadNice.TrySetOrdinaryFor(runner.ThreadId);
            }
        }

        if (!ThreadNice.TrySetFor(runner.ThreadId, nice) && nice != _threadNice)
        {
            ThreadNice.TrySetFor(runner.ThreadId, _threadNice);
        }

        runner.Raised = true;
    }

    // How long a run's thread has been on a CPU since its run took its slot (or started demoted), in ns; long.MaxValue
    // when its CPU clock cannot be read.
    private static long Ran(Runner runner)
    {
        var cpu = runner.CpuSince < 0 ? -1 : ThreadNice.CpuTimeNs(runner.ThreadId);
        return cpu < 0 ? long.MaxValue : cpu - runner.CpuSince;
    }

    // A run is long when its thread has been on a CPU for a slice, not when a slice has passed: on a busy machine a
    // run that waits for the CPU is not the one taking it, and demoting it (to the idle group, which the busy machine
    // leaves nothing) made ten concurrent cold starts of a function that sleeps 1 s take 10 s. By the wall clock where
    // the thread's CPU clock cannot be read.
    private bool RanASlice(Runner holder) => Ran(holder) >= _sliceNs;

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

    /// <summary>
    /// A function's record as a long runner, shared by its isolates: whether its last run held a slot past the slice
    /// (then its next run starts demoted; see <see cref="Enter(Runner, bool)"/>).
    /// </summary>
    internal sealed class RunHistory
    {
        private volatile bool _lastRunWasLong;
        private volatile bool _ownRuntime;

        /// <summary>
        /// Gets or sets whether the function's isolates get V8 runtimes of their own (it broke the memory limit it shared
        /// with other functions on one runtime).
        /// </summary>
        public bool OwnRuntime
        {
            get => _ownRuntime;
            set => _ownRuntime = value;
        }

        /// <summary>Gets or sets whether the function's last run was a long runner.</summary>
        public bool LastRunWasLong
        {
            get => _lastRunWasLong;
            set => _lastRunWasLong = value;
        }
    }

    /// <summary>An isolate's thread as the scheduler knows it.</summary>
    internal sealed class Runner(TenantSlots tenant, int threadId, Func<bool> cancelled)
    {
        /// <summary>Gets or sets the long-run record of the function whose code the isolate runs (null: none kept).</summary>
        public RunHistory? History { get; set; }

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

        /// <summary>Gets or sets whether the run started demoted and still waits to be judged starved (see PromoteStarved).</summary>
        public bool StartedDemoted { get; set; }

        /// <summary>
        /// Gets or sets whether another thread raised the run's thread (a starved run given a slot, or a run being
        /// stopped): its own thread puts the isolate's priority back when the run ends.
        /// </summary>
        public bool Raised { get; set; }

        public bool InGroup { get; set; }

        public long Since { get; set; }

        /// <summary>Gets or sets the thread's CPU time, in ns, when its run took its slot; -1 when unknown.</summary>
        public long CpuSince { get; set; } = -1;
    }
}
