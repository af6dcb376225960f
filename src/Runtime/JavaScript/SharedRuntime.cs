using System.Diagnostics;
using Microsoft.ClearScript;
using Microsoft.ClearScript.V8;

namespace Granary.Runtime.JavaScript;

/// <summary>
/// One V8 runtime (a V8 isolate, in V8's words) and the <see cref="V8Isolate"/>s on it: each of those is a V8 context of
/// its own (own globals, own module, own thread and event loop) for one function, and the runtime is shared by up to
/// <see cref="Capacity"/> functions of one tenant, never across tenants. The bootstrap is compiled once per runtime, so a
/// function on a shared runtime costs its context and its bootstrap objects (about 0.65 MiB) where a runtime of its own
/// costs about 2.2 MiB.
/// </summary>
/// <remarks>
/// <para>
/// V8 runs one thread in a runtime at a time, so the members share one entry lock (<see cref="Entry"/>): whoever runs
/// script holds it, and the runtime knows which member that is. An interrupt (a timeout, a cancelled call) stops only
/// the member that asked for it: V8 stops whatever runs in the runtime, so a member's interrupt reaches V8 only while
/// that member owns the runtime.
/// </para>
/// <para>
/// What members share beyond the lock: the heap limit (the function's memory limit, the same for every member, since
/// runtimes are shared per memory limit) and V8's refusal of all further script once one member breaks it. A member
/// that finds its runtime broken by a neighbour, or held by a neighbour's long run, gives up its invocation before it
/// starts (<see cref="Execution.InstanceUnavailableException"/>) and the function's engine runs it on a new instance.
/// </para>
/// </remarks>
internal sealed class SharedRuntime
{
    private readonly Lock _gate = new();
    private readonly Lock _ownerGate = new();
    private V8Script? _bootstrap;
    private V8Isolate? _owner;
    private V8Isolate? _spare;
    private readonly long _longRunTicks;
    private long _ownerSince;
    private int _members;
    private bool _open;
    private bool _disposed;
    private volatile bool _broken;

    /// <summary>
    /// Creates a runtime for up to <paramref name="capacity"/> members with the limits of <paramref name="settings"/>,
    /// counting its first member (the isolate being made on it); a member's run that holds it longer than
    /// <paramref name="longRun"/> makes its neighbours' invocations move elsewhere.
    /// </summary>
    public SharedRuntime(IsolateSettings settings, int capacity, TimeSpan longRun)
    {
        Capacity = Math.Max(1, capacity);
        LongRun = longRun;
        _longRunTicks = (long)(longRun.TotalSeconds * Stopwatch.Frequency);
        _members = 1;
        MemoryLimitMb = settings.MemoryLimitMb;
        Runtime = new V8Runtime(new V8RuntimeConstraints
        {
            MaxArrayBufferAllocation = (ulong)settings.MemoryLimitMb * 1024 * 1024,
        })
        {
            MaxHeapSize = checked((UIntPtr)((ulong)settings.MemoryLimitMb * 1024 * 1024)),
            HeapSizeSampleInterval = settings.HeapSampleInterval,
            MaxStackUsage = V8Isolate.MaxScriptStackBytes,
        };
    }

    /// <summary>Gets how long a member's run may hold the runtime before its neighbours stop waiting for it.</summary>
    public TimeSpan LongRun { get; }

    /// <summary>Gets the V8 runtime.</summary>
    public V8Runtime Runtime { get; }

    /// <summary>Gets the lock whoever runs script in the runtime holds.</summary>
    public Lock Entry { get; } = new();

    /// <summary>Gets how many functions the runtime may hold.</summary>
    public int Capacity { get; }

    /// <summary>Gets whether more than one function may ever share the runtime (else it needs no owner bookkeeping).</summary>
    public bool IsShared => Capacity > 1;

    /// <summary>Gets the memory limit of every member, in MiB.</summary>
    public int MemoryLimitMb { get; }

    /// <summary>Gets the tenant whose functions may join; null until the runtime is opened to one.</summary>
    public string? Tenant { get; private set; }

    /// <summary>Gets how many members are alive on the runtime.</summary>
    public int Members => Volatile.Read(ref _members);

    /// <summary>Gets whether a member broke the heap limit: V8 refuses all further script in the runtime.</summary>
    public bool IsBroken => _broken;

    /// <summary>Marks the runtime broken (a member's script hit the heap limit): it takes no more members.</summary>
    public void MarkBroken() => _broken = true;

    /// <summary>Lets other functions of <paramref name="tenant"/> join the runtime.</summary>
    public void Open(string tenant)
    {
        lock (_gate)
        {
            Tenant = tenant;
            _open = IsShared && !_disposed && !_broken;
        }
    }

    /// <summary>
    /// Takes a place for a new member of <paramref name="tenant"/>, when the runtime is open to it, has room, is not broken
    /// and is not held by a long run.
    /// </summary>
    public bool TryJoin(string tenant)
    {
        lock (_gate)
        {
            if (!Accepts(tenant) || _members >= Capacity)
            {
                return false;
            }

            _members++;
            return true;
        }
    }

    /// <summary>Gets whether the runtime can take no more members (full, broken or closed).</summary>
    public bool IsClosed
    {
        get
        {
            lock (_gate)
            {
                return !_open || _broken || _disposed || _members >= Capacity;
            }
        }
    }

    /// <summary>
    /// Keeps <paramref name="spare"/> (a member made ahead of need, bootstrap already run) for the next function that joins;
    /// false when the runtime already has one or closed meanwhile (the caller disposes it).
    /// </summary>
    public bool TryKeepSpare(V8Isolate spare)
    {
        lock (_gate)
        {
            if (_spare is not null || !_open || _broken || _disposed)
            {
                return false;
            }

            _spare = spare;
            return true;
        }
    }

    /// <summary>Takes the spare member for a function of <paramref name="tenant"/>, when the runtime is open to it and has one.</summary>
    public V8Isolate? TakeSpare(string tenant)
    {
        lock (_gate)
        {
            if (_spare is not { } spare || !Accepts(tenant))
            {
                return null;
            }

            _spare = null;
            return spare;
        }
    }

    /// <summary>Takes the spare member out of a runtime that closed (the caller disposes it), or null.</summary>
    public V8Isolate? TakeLeftoverSpare()
    {
        lock (_gate)
        {
            var spare = _spare;
            _spare = null;
            return spare;
        }
    }

    /// <summary>
    /// Gives up a member's place; the last one out disposes the runtime and gets true. On the member's thread, holding
    /// <see cref="Entry"/>.
    /// </summary>
    public bool Leave()
    {
        lock (_gate)
        {
            if (--_members > 0)
            {
                return false;
            }

            _open = false;
            _disposed = true;
        }

        _bootstrap?.Dispose();
        Runtime.Dispose();
        return true;
    }

    /// <summary>Runs the bootstrap in a member's new engine: compiled once per runtime. Holding <see cref="Entry"/>.</summary>
    public ScriptObject EvaluateBootstrap(V8ScriptEngine engine) =>
        (ScriptObject)engine.Evaluate(_bootstrap ??= Bootstrap.Compile(Runtime));

    /// <summary>Records that <paramref name="member"/> now runs script (holding <see cref="Entry"/>).</summary>
    public void EnterScript(V8Isolate member)
    {
        lock (_ownerGate)
        {
            _owner = member;
            _ownerSince = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>Records that the member running script has returned from it.</summary>
    public void ExitScript()
    {
        lock (_ownerGate)
        {
            _owner = null;
        }
    }

    /// <summary>
    /// Interrupts <paramref name="engine"/>'s script only while <paramref name="member"/> owns the runtime: V8 would stop
    /// whichever member runs. A member whose script is not running has nothing to interrupt.
    /// </summary>
    public void Interrupt(V8Isolate member, V8ScriptEngine engine)
    {
        if (!IsShared)
        {
            engine.Interrupt();
            return;
        }

        lock (_ownerGate)
        {
            if (_owner == member)
            {
                engine.Interrupt();
            }
        }
    }

    /// <summary>Retires the member that holds the runtime now, if it is not <paramref name="waiting"/> and held it for a long run.</summary>
    public void RetireLongRunner(V8Isolate waiting)
    {
        lock (_ownerGate)
        {
            if (_owner is { } owner && owner != waiting && Stopwatch.GetTimestamp() - _ownerSince >= _longRunTicks)
            {
                owner.Retire();
            }
        }
    }

    // Under _gate: open to the tenant's functions, healthy, and not held by an invocation's long run. A member's
    // bootstrap or module load (a spare being made, a neighbour's cold start) is bounded work, not a long run: on a
    // loaded machine it outlasted the long-run time and sent a joining function to a runtime of its own.
    private bool Accepts(string tenant) =>
        _open && !_broken && !_disposed && string.Equals(Tenant, tenant, StringComparison.Ordinal) && !IsHeldLong();

    private bool IsHeldLong()
    {
        lock (_ownerGate)
        {
            return _owner is { Invocation: not 0 } && Stopwatch.GetTimestamp() - _ownerSince > _longRunTicks;
        }
    }
}
