using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Granary.Runtime.JavaScript;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.JavaScript;

/// <summary>Runs alone: its checks read the CPU time of isolate threads, which other tests' isolates would add to.</summary>
[CollectionDefinition(nameof(V8SandboxAlone), DisableParallelization = true)]
public sealed class V8SandboxAlone;

/// <summary>
/// The sandbox's limits hold for every allocation and every run of script (issue 11, items 5 and 7): timers end with
/// their isolate and cannot spin after the response beyond the function's timeout, memory V8 allocates outside the
/// ArrayBuffer allocator is not available, ClearScript's internals are out of the function's scope, and one tenant's
/// spinning functions hold at most its share of isolate threads.
/// </summary>
[Collection(nameof(V8SandboxAlone))]
public sealed class V8SandboxTests(IsolatePoolFixture fixture) : IClassFixture<IsolatePoolFixture>
{
    // An interval whose callback computes for 20 ms every 10 ms: a core's worth of work, forever.
    private const string BusyInterval = """
        let started = false;
        module.exports = () => {
          if (!started) { started = true; setInterval(() => { const end = Date.now() + 20; while (Date.now() < end) {} }, 10); }
          return 'started';
        };
        """;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnIntervalEndsWhenItsFunctionIsDeleted()
    {
        var function = Create(fixture.Pool, BusyInterval, s => s with { TimeoutSeconds = 60 });
        Assert.Equal("started", (await function.InvokeAsync(Request())).Text());
        var thread = Assert.Single(function.IdleIsolateThreadIds());

        await function.DisposeAsync();

        Assert.True(await ThreadEndsAsync(thread, TimeSpan.FromSeconds(10)), "the isolate's thread still runs 10 s after the function was deleted");
    }

    [Fact]
    public async Task AnIntervalEndsWhenItsIsolateIsDiscardedAfterATimeout()
    {
        await using var function = Create(fixture.Pool, """
            let started = false;
            module.exports = (event) => {
              if (event.spin) { for (;;) {} }
              if (!started) { started = true; setInterval(() => { const end = Date.now() + 20; while (Date.now() < end) {} }, 10); }
              return 'started';
            };
            """, s => s with { TimeoutSeconds = 3, MaxConcurrency = 1 });
        Assert.Equal("started", (await function.InvokeAsync(Json("{}"))).Text());
        var thread = Assert.Single(function.IdleIsolateThreadIds());

        var spun = await function.InvokeAsync(Json("{\"spin\":true}"));

        Assert.Equal(504, spun.StatusCode);
        Assert.True(await ThreadEndsAsync(thread, TimeSpan.FromSeconds(10)), "the isolate's thread still runs 10 s after its isolate was discarded");
    }

    // Dispose interrupts a callback that never returns, and the loop does not run another.
    [Fact]
    public async Task ATimerCallbackThatNeverReturnsEndsWhenItsFunctionIsDeleted()
    {
        var function = Create(fixture.Pool, "module.exports = () => { setTimeout(() => { for (;;) {} }, 0); return 'spinning'; };", s => s with { TimeoutSeconds = 60 });
        Assert.Equal("spinning", (await function.InvokeAsync(Request())).Text());
        var thread = Assert.Single(function.IdleIsolateThreadIds());

        await function.DisposeAsync();

        Assert.True(await ThreadEndsAsync(thread, TimeSpan.FromSeconds(10)), "the isolate's thread still runs 10 s after the function was deleted");
    }

    // A 10 ms interval whose callback takes 50 ms is late every time: it fires once and waits its delay again from the
    // end of the callback, as in browsers and Node, instead of firing back to back to catch up. Load only makes the
    // gaps longer and the runs fewer.
    [Fact]
    public async Task ALateIntervalCoalescesInsteadOfCatchingUp()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => new Promise((resolve) => {
              let runs = 0, minGap = 1e9, lastEnd = 0;
              const t = setInterval(() => {
                const start = performance.now();
                if (lastEnd) minGap = Math.min(minGap, start - lastEnd);
                runs++;
                while (performance.now() - start < 50) {}
                lastEnd = performance.now();
              }, 10);
              setTimeout(() => { clearInterval(t); resolve({ runs, minGap }); }, 1000);
            });
            """, configure: s => s with { TimeoutSeconds = 30 });

        var json = result.JsonBody();
        Assert.True(json.GetProperty("minGap").GetDouble() >= 9, $"an interval fired {json.GetProperty("minGap").GetDouble():F1} ms after its previous run ended");
        Assert.InRange(json.GetProperty("runs").GetInt32(), 1, 17);
    }

    // After the response, timers may compute for as long as the function's timeout (per invocation); then the isolate
    // is interrupted and discarded, and the next invocation gets a fresh one.
    [Fact]
    public async Task WorkOfTimersAfterTheResponseIsBoundedByTheTimeout()
    {
        await using var function = Create(fixture.Pool, BusyInterval, s => s with { TimeoutSeconds = 1, MaxConcurrency = 1 });
        Assert.Equal("started", (await function.InvokeAsync(Request())).Text());
        var thread = Assert.Single(function.IdleIsolateThreadIds());

        var ended = await ThreadEndsAsync(thread, TimeSpan.FromSeconds(15));
        var next = await function.InvokeAsync(Request());

        Assert.True(ended, "an isolate whose timers computed past the function's timeout after its response still runs");
        Assert.Equal("started", next.Text());
        Assert.True(next.Cold);
    }

    [Fact]
    public async Task ATimerCallbackThatNeverReturnsAfterTheResponseIsInterruptedAtTheTimeout()
    {
        await using var function = Create(fixture.Pool, "module.exports = () => { setTimeout(() => { for (;;) {} }, 0); return 'spinning'; };", s => s with { TimeoutSeconds = 1 });
        Assert.Equal("spinning", (await function.InvokeAsync(Request())).Text());
        var thread = Assert.Single(function.IdleIsolateThreadIds());

        Assert.True(await ThreadEndsAsync(thread, TimeSpan.FromSeconds(15)), "a callback spinning after the response outlived the function's timeout");
        Assert.Equal(0, function.Instances);
    }

    [Fact]
    public async Task AMemoryBombInATimerAfterTheResponseEndsItsIsolate()
    {
        await using var function = Create(fixture.Pool, """
            module.exports = () => { setTimeout(() => { const a = []; for (;;) a.push(new Array(1000000).fill('x')); }, 0); return 'armed'; };
            """, s => s with { TimeoutSeconds = 60, MemoryLimitMb = 64 });
        Assert.Equal("armed", (await function.InvokeAsync(Request())).Text());
        var thread = Assert.Single(function.IdleIsolateThreadIds());

        Assert.True(await ThreadEndsAsync(thread, TimeSpan.FromSeconds(15)), "an isolate past its memory limit in a timer still runs");
        Assert.Equal(0, function.Instances);
        Assert.Equal("armed", (await function.InvokeAsync(Request())).Text());
    }

    // V8 allocates a WebAssembly.Memory outside the allocator that memoryLimitMb bounds (measured: 1.3 GiB taken by a
    // 128 MiB function), so WebAssembly is not available at all.
    [Fact]
    public async Task WebAssemblyMemoryCannotTakeTheHostsMemory()
    {
        var before = ResidentMiB();
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => {
              const memory = new WebAssembly.Memory({ initial: 4096 });
              for (let i = 0; i < 4; i++) memory.grow(4096);
              new Uint8Array(memory.buffer).fill(1);
              return memory.buffer.byteLength;
            };
            """, configure: s => s with { MemoryLimitMb = 128 });
        var grown = ResidentMiB() - before;

        Assert.Equal(500, result.StatusCode);
        Assert.Contains("WebAssembly is not available in Granary's isolates: its memory cannot be bounded by memoryLimitMb", result.Error, StringComparison.Ordinal);
        Assert.True(grown < 512, $"the process grew by {grown} MiB");
    }

    [Fact]
    public async Task TheOriginalWebAssemblyCannotBeRecovered()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => {
              const tries = {
                memory: () => new WebAssembly.Memory({ initial: 1 }),
                compile: () => WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])),
                validate: () => WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])),
                module: () => new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])),
                viaFunction: () => new (Function('return WebAssembly')()).Memory({ initial: 1 }),
                viaGlobal: () => new globalThis.WebAssembly.Memory({ initial: 1 }),
                afterDelete: () => { delete globalThis.WebAssembly; return new WebAssembly.Memory({ initial: 1 }); },
                afterAssign: () => { try { globalThis.WebAssembly = { Memory: Object }; } catch (e) {} return new WebAssembly.Memory({ initial: 1 }); },
                viaPrototype: () => { const p = Object.getPrototypeOf(WebAssembly); if (p === null) throw new Error('no prototype'); return new p.constructor.Memory({ initial: 1 }); },
              };
              const out = {};
              for (const [name, attempt] of Object.entries(tries)) {
                try { out[name] = 'ran: ' + String(attempt()); } catch (e) { out[name] = e.message; }
              }
              return out;
            };
            """);

        var unavailable = "WebAssembly is not available in Granary's isolates: its memory cannot be bounded by memoryLimitMb";
        foreach (var attempt in result.JsonBody().EnumerateObject())
        {
            Assert.True(attempt.Value.GetString() is { } message && (message == unavailable || message == "no prototype"), $"{attempt.Name}: {attempt.Value}");
        }
    }

    // A resizable ArrayBuffer or growable SharedArrayBuffer reserves its maximum outside the allocator (measured: 2 GiB
    // committed by a 128 MiB function), so they are refused however the constructor is reached.
    [Fact]
    public async Task ResizableBuffersAreRefusedAndFixedOnesStillWork()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => {
              const big = { maxByteLength: 2 ** 31 };
              let reads = 0;
              const sneaky = { get maxByteLength() { return reads++ === 0 ? undefined : 2 ** 31; } };
              const tries = {
                arrayBuffer: () => new ArrayBuffer(0, big),
                shared: () => new SharedArrayBuffer(0, big),
                viaPrototype: () => new (new Uint8Array(1).buffer.constructor)(0, big),
                viaReflect: () => Reflect.construct(ArrayBuffer, [0, big]),
                subclass: () => { class B extends ArrayBuffer { constructor() { super(0, big); } } return new B(); },
                getter: () => { const b = new ArrayBuffer(0, sneaky); return b.resizable ? 'resizable' : 'fixed'; },
              };
              const out = {};
              for (const [name, attempt] of Object.entries(tries)) {
                try { const b = attempt(); out[name] = typeof b === 'string' ? b : 'made, resizable: ' + (b.resizable ?? b.growable); } catch (e) { out[name] = e.message; }
              }
              class Sub extends ArrayBuffer {}
              out.fixed = [new ArrayBuffer(8).byteLength, new Uint8Array(4).buffer instanceof ArrayBuffer, new Sub(4) instanceof Sub,
                new SharedArrayBuffer(8).byteLength, new Uint8Array(3).buffer.slice(1).byteLength, Buffer.from('abc').toString('hex'),
                ArrayBuffer.isView(new DataView(new ArrayBuffer(2)))];
              return out;
            };
            """);

        var json = result.JsonBody();
        var refused = "Resizable ArrayBuffers are not available in Granary's isolates: their memory cannot be bounded by memoryLimitMb";
        foreach (var name in new[] { "arrayBuffer", "shared", "viaPrototype", "viaReflect", "subclass" })
        {
            Assert.Equal(refused, json.GetProperty(name).GetString());
        }

        Assert.Equal("fixed", json.GetProperty("getter").GetString());
        Assert.Equal("[8,true,true,8,2,\"616263\",true]", json.GetProperty("fixed").GetRawText());
    }

    [Fact]
    public async Task ABufferBeyondTheMemoryLimitFailsClearly()
    {
        var before = ResidentMiB();
        var plain = await RunAsync(fixture.Pool, "module.exports = () => new Uint8Array(new ArrayBuffer(512 * 1024 * 1024)).fill(1).length;", configure: s => s with { MemoryLimitMb = 128 });
        var shared = await RunAsync(fixture.Pool, "module.exports = () => new Uint8Array(new SharedArrayBuffer(512 * 1024 * 1024)).fill(1).length;", configure: s => s with { MemoryLimitMb = 128 });
        var grown = ResidentMiB() - before;

        Assert.All([plain, shared], r =>
        {
            Assert.Equal(500, r.StatusCode);
            Assert.Contains("RangeError: Array buffer allocation failed", r.Error, StringComparison.Ordinal);
        });
        Assert.True(grown < 256, $"the process grew by {grown} MiB");
    }

    // ClearScript defines EngineInternal on the global object as a non-configurable property, so no script can delete
    // it; the module wrapper shadows the name, and the bootstrap took what it needs before any user code ran.
    [Fact]
    public async Task EngineInternalIsNotInTheFunctionsScope()
    {
        var result = await RunAsync(fixture.Pool, """
            const atLoad = typeof EngineInternal;
            module.exports = () => [atLoad, typeof EngineInternal, eval('typeof EngineInternal'), (() => typeof EngineInternal)()];
            """);

        Assert.Equal("[\"undefined\",\"undefined\",\"undefined\",\"undefined\"]", result.Text());
    }

    // Tenant "noisy" runs three functions that compute for a second each; with a cap of one isolate thread per tenant
    // (and no demotion) they never run script at once, and tenant "quiet" is served meanwhile.
    [Fact]
    public async Task OneTenantsSpinningFunctionsNeverRunMoreThanItsCapAtOnce()
    {
        using var pool = new IsolatePool(
            Options.Create(new JavaScriptRuntimeOptions { WarmIsolates = 2, MaxRunningScripts = 4, MaxRunningScriptsPerTenant = 1, ScriptSliceMs = 0 }),
            NullLogger<IsolatePool>.Instance);
        var noisy = Enumerable.Range(0, 3)
            .Select(_ => Create(pool, "module.exports = () => { const end = Date.now() + 1000; while (Date.now() < end) {} return 'done'; };", s => s with { TimeoutSeconds = 30 }, tenant: "noisy"))
            .ToList();
        await using var quiet = Create(pool, "module.exports = () => 'ok';", tenant: "quiet");
        try
        {
            var spins = noisy.Select(f => Task.Run(() => f.InvokeAsync(Request()), Cancel)).ToList();
            var served = await quiet.InvokeAsync(Request());
            var spinsStillRunning = spins.Count(s => !s.IsCompleted);
            var results = await Task.WhenAll(spins);

            Assert.Equal("ok", served.Text());
            Assert.True(spinsStillRunning > 0, "tenant quiet was served only after all of tenant noisy's functions finished");
            Assert.All(results, r => Assert.Equal("done", r.Text()));
            Assert.Equal(1, pool.Scheduler.Tenant("noisy").Most);
            Assert.Equal(0, pool.Scheduler.Running);
        }
        finally
        {
            foreach (var function in noisy)
            {
                await function.DisposeAsync();
            }
        }
    }

    // A run that holds its slot past the slice is demoted to the long-runner priority (nice and SCHED_IDLE) and gives its
    // slot away, so the tenant's other work runs beside it rather than after it; the thread gets its priority back when
    // the run ends.
    [Fact]
    public async Task ALongRunnerIsDemotedAndItsTenantsOtherWorkRunsBesideIt()
    {
        using var pool = new IsolatePool(
            // Runtimes of their own: on a shared one the quick function's call would move to a new isolate instead, and the
            // long runner leave with its thread (SharedRuntimeTests); this is about the long runner's thread.
            Options.Create(new JavaScriptRuntimeOptions { WarmIsolates = 2, MaxRunningScriptsPerTenant = 1, ScriptSliceMs = 50, LongRunnerNice = 17, IsolateThreadNice = 10, FunctionsPerRuntime = 1 }),
            NullLogger<IsolatePool>.Instance);
        await using var slow = Create(pool, "module.exports = () => { const end = Date.now() + 3000; while (Date.now() < end) {} return 'done'; };", s => s with { TimeoutSeconds = 30 }, tenant: "solo");
        await using var quick = Create(pool, "module.exports = () => 'quick';", tenant: "solo");
        await quick.WarmUpAsync();

        var spin = Task.Run(() => slow.InvokeAsync(Request()), Cancel);
        var demoted = await IsolateThreadWithNiceAsync(17, TimeSpan.FromSeconds(10));
        var policy = demoted is { } thread ? Policy(thread) : null;
        var inGroup = demoted is { } member && InLongRunnerGroup(pool, member);
        var cpus = demoted is { } pinned ? AllowedCpus(pinned) : null;
        var served = await quick.InvokeAsync(Request());
        var spinRunning = !spin.IsCompleted;
        var done = await spin;

        Assert.NotNull(demoted);
        if (pool.Scheduler.Group is not null)
        {
            // The idle cpu group of long runners (cgroup v1, as root), at the long-runner nice value.
            Assert.True(inGroup, $"the demoted thread is not in {pool.Scheduler.Group.Directory}");
            Assert.Equal(SchedOther, policy);
        }
        else
        {
            Assert.Equal(SchedIdle, policy);
        }

        if (pool.Scheduler.LongRunnerCpus != 0)
        {
            // Kept off the first of the process's CPUs.
            Assert.DoesNotContain(System.Numerics.BitOperations.TrailingZeroCount(ThreadNice.GetAffinity()), cpus ?? []);
        }

        Assert.Equal("quick", served.Text());
        Assert.True(spinRunning, "the tenant's quick function ran only after its long runner finished");
        Assert.Equal("done", done.Text());
        Assert.True(pool.Scheduler.Tenant("solo").Demotions >= 1);
        if (pool.Scheduler.RestoreRefused)
        {
            // Without the privilege to restore a priority, the loop moved to a fresh thread (see the next test).
            Assert.True(await ThreadEndsAsync(demoted.Value, TimeSpan.FromSeconds(5)));
        }
        else
        {
            // The result is handed over just before the run returns to the loop and restores the priority.
            Assert.True(await ThreadHasNiceAsync(demoted.Value, 10, TimeSpan.FromSeconds(5)), $"the thread's nice is still {Nice(demoted.Value)}");
            Assert.Equal(SchedOther, Policy(demoted.Value));
            Assert.False(InLongRunnerGroup(pool, demoted.Value), "the thread stayed in the long runners' group");
            Assert.Equal(ThreadNice.GetAffinity(), Mask(AllowedCpus(demoted.Value) ?? []));
        }
    }

    // A function whose last run was a long runner starts its next run demoted, without a slot (a spinner never runs at
    // ordinary priority again, not even for a slice); a run that ends within the slice gives the function its slot back.
    [Fact]
    public async Task AFunctionWhoseLastRunWasLongStartsItsNextRunDemotedUntilARunIsShort()
    {
        using var pool = new IsolatePool(
            Options.Create(new JavaScriptRuntimeOptions { WarmIsolates = 0, MaxRunningScriptsPerTenant = 1, ScriptSliceMs = 100, LongRunnerNice = 17, IsolateThreadNice = 10 }),
            NullLogger<IsolatePool>.Instance);

        // Long runners are judged by CPU time: the first run spins 30 slices of wall time, so it is long even with a
        // small share of a loaded machine; the later runs spin a tenth of a slice.
        await using var function = Create(pool, """
            let calls = 0;
            module.exports = () => { const end = Date.now() + (++calls === 1 ? 3000 : 10); while (Date.now() < end) {} return 'call ' + calls; };
            """, s => s with { TimeoutSeconds = 30, MaxConcurrency = 1 }, tenant: "history");
        var tenant = pool.Scheduler.Tenant("history");

        // Made and loaded first: the first isolate of a process (code not yet compiled) can take a slice to make.
        Assert.Null(await function.WarmUpAsync());
        var made = tenant.Demotions;
        var first = await function.InvokeAsync(Request());
        var afterLong = tenant.Demotions - made;
        var next = await function.InvokeAsync(Request());
        var afterNext = tenant.Demotions - made;
        var third = await function.InvokeAsync(Request());

        Assert.Equal(["call 1", "call 2", "call 3"], [first.Text(), next.Text(), third.Text()]);
        Assert.Equal(1, afterLong);
        Assert.Equal(2, afterNext);
        Assert.Equal(2, tenant.Demotions - made);
    }

    // A run that starts demoted (its function's last run spun) but gets no CPU in the idle group, because the machine is
    // busy, is not spinning: once it has waited a slice it gets a slot. Without that, a quick call of a function that
    // once timed out, or of a snippet whose workspace neighbour did, waited for the machine to be idle and timed out.
    [Fact]
    public async Task ARunThatStartsDemotedButGetsNoCpuIsGivenASlot()
    {
        using var pool = new IsolatePool(
            Options.Create(new JavaScriptRuntimeOptions { WarmIsolates = 0, MaxRunningScriptsPerTenant = 1, ScriptSliceMs = 200, LongRunnerNice = 17, IsolateThreadNice = 0 }),
            NullLogger<IsolatePool>.Instance);

        // The quick run computes for well under a slice (~85 ms here), which the idle group's share of a busy machine
        // (a few per mille) stretched to 19 s. The spin is long enough to run a slice of CPU on a machine at load 25.
        // Its thread runs at nice 0 once promoted: at the isolates' usual nice 10, a loaded machine's share (the whole
        // suite running) stretches it past the test's 10 s as well.
        await using var function = Create(pool, """
            module.exports = (event) => {
              if (event.spin) { const end = Date.now() + 4000; while (Date.now() < end) {} return 'spun'; }
              let x = 0; for (let i = 0; i < 2e7; i++) { x = (x + i) % 1000003; } return 'quick ' + x;
            };
            """, s => s with { TimeoutSeconds = 60, MaxConcurrency = 1 }, tenant: "starved");
        Assert.Equal("spun", (await function.InvokeAsync(Json("{\"spin\":true}"))).Text());
        Assert.True(await EventuallyAsync(() => function.LastRunWasLong), "the spinning run did not become the function's long-runner record");

        // Ordinary-priority spinners on every CPU, for up to 10 s: the idle group gets next to nothing while they run.
        using var busy = new CancellationTokenSource();
        var hogs = Enumerable.Range(0, Environment.ProcessorCount + 1).Select(_ => new Thread(() => { while (!busy.IsCancellationRequested) { } }) { IsBackground = true }).ToList();
        hogs.ForEach(h => h.Start());
        var took = Stopwatch.StartNew();
        var quick = function.InvokeAsync(Json("{}"));
        var finished = await Task.WhenAny(quick, Task.Delay(TimeSpan.FromSeconds(10))) == quick;
        took.Stop();
        busy.Cancel();
        hogs.ForEach(h => h.Join());

        TestContext.Current.TestOutputHelper?.WriteLine($"the quick run took {took.ElapsedMilliseconds} ms beside the spinners");
        Assert.True(finished, "the quick run waited for the machine to be idle");
        Assert.StartsWith("quick ", (await quick).Text(), StringComparison.Ordinal);
        Assert.Equal(0, pool.Scheduler.Running);
    }

    // Where the OS will not raise a demoted thread's priority again (no CAP_SYS_NICE, RLIMIT_NICE 0: an unprivileged
    // container), the isolate's loop moves to a fresh thread at the isolate's priority when the long run ends, and the
    // function keeps its isolate and module state. The isolate's thread is made by a thread that dropped CAP_SYS_NICE
    // (capabilities are per thread and inherited), so the test does not depend on the user it runs as.
    [Fact]
    public async Task ADemotedThreadThatCannotGetItsPriorityBackHandsItsLoopToAFreshThread()
    {
        using var pool = new IsolatePool(
            Options.Create(new JavaScriptRuntimeOptions { WarmIsolates = 0, MaxRunningScriptsPerTenant = 1, ScriptSliceMs = 50, LongRunnerNice = 17, IsolateThreadNice = 10, LongRunnerGroup = false }),
            NullLogger<IsolatePool>.Instance);
        await using var function = Create(pool, """
            let calls = 0;
            module.exports = () => { if (++calls === 1) { const end = Date.now() + 1500; while (Date.now() < end) {} } return 'call ' + calls; };
            """, s => s with { TimeoutSeconds = 30, MaxConcurrency = 1 });
        Assert.True(Rlimit.NiceCeiling() > 10, "RLIMIT_NICE lets this process lower nice values back to 10; the test needs a lower limit");
        var warm = RunWithoutSysNice(function.WarmUpAsync);
        Assert.Null(await warm);
        var first = Assert.Single(function.IdleIsolateThreadIds());

        var one = await function.InvokeAsync(Request());
        var moved = await ThreadEndsAsync(first, TimeSpan.FromSeconds(5));
        var two = await function.InvokeAsync(Request());
        var next = Assert.Single(function.IdleIsolateThreadIds());

        Assert.Equal("call 1", one.Text());
        Assert.True(pool.Scheduler.RestoreRefused);
        Assert.True(moved, "the demoted thread still runs the isolate's loop");
        Assert.Equal("call 2", two.Text());
        Assert.False(two.Cold);
        Assert.NotEqual(first, next);
        Assert.Equal(10, Nice(next));
    }

    // Runs start on a new thread without CAP_SYS_NICE, so that threads it makes cannot lower nice values either.
    private static Task<T> RunWithoutSysNice<T>(Func<Task<T>> start)
    {
        Task<T>? task = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Capabilities.Drop(Capabilities.SysNice);
                task = start();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.Start();
        thread.Join();
        return failure is null ? task! : Task.FromException<T>(failure);
    }

    private static long ResidentMiB() =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;

    // The stat fields after the command name: [11] utime and [12] stime in clock ticks, [16] nice, [38] policy.
    private static string[]? Stat(int thread)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/self/task/{thread}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    // A run is a long runner by the CPU it takes, not by the time it holds its slot: a run off the CPU (here blocked in
    // Atomics.wait; on a busy machine, waiting for a core) for many slices keeps its priority and its slot, and its
    // function's next run starts at ordinary priority. Demoting such runs to the idle group on a loaded machine made
    // ten concurrent cold starts of a 1 s function take 10 s.
    [Fact]
    public async Task ARunThatWaitsOffTheCpuIsNotALongRunner()
    {
        using var pool = new IsolatePool(
            Options.Create(new JavaScriptRuntimeOptions { WarmIsolates = 0, MaxRunningScriptsPerTenant = 1, ScriptSliceMs = 50, LongRunnerNice = 17, IsolateThreadNice = 10 }),
            NullLogger<IsolatePool>.Instance);
        await using var blocked = Create(pool, """
            module.exports = (event) => {
              const cell = new Int32Array(new SharedArrayBuffer(4));
              if (event.spin) { const end = Date.now() + 1500; while (Date.now() < end) {} return 'spun'; }
              return Atomics.wait(cell, 0, 0, 300);
            };
            """, s => s with { TimeoutSeconds = 30, MaxConcurrency = 1 }, tenant: "waits");
        var tenant = pool.Scheduler.Tenant("waits");

        var started = Stopwatch.StartNew();
        var waited = await blocked.InvokeAsync(Json("{}"));
        var took = started.Elapsed;
        var demotionsAfterWait = tenant.Demotions;
        var recordAfterWait = blocked.LastRunWasLong;
        var spun = await blocked.InvokeAsync(Json("{\"spin\":true}"));

        Assert.Equal("timed-out", waited.Text());
        Assert.True(took >= TimeSpan.FromMilliseconds(290), $"the wait took {took}");
        Assert.Equal(0, demotionsAfterWait);
        Assert.False(recordAfterWait, "a run that waited off the CPU became the function's long-runner record");

        // The same function's run that takes the CPU (for 30 slices of wall time: long by CPU on a loaded machine too) is demoted.
        Assert.Equal("spun", spun.Text());
        Assert.Equal(1, tenant.Demotions);
    }

    // Only invocations make a function's long-runner record: making and loading its next isolate after an invocation
    // that spun until its timeout (short runs, at ordinary priority) leaves the record as it is; a quick invocation clears it.
    [Fact]
    public async Task LoadingAModuleLeavesTheLongRunnerRecordToInvocations()
    {
        using var pool = new IsolatePool(
            Options.Create(new JavaScriptRuntimeOptions { WarmIsolates = 0, MaxRunningScriptsPerTenant = 1, ScriptSliceMs = 50, LongRunnerNice = 17, IsolateThreadNice = 10 }),
            NullLogger<IsolatePool>.Instance);
        await using var function = Create(pool, """
            module.exports = (event) => { if (event.spin) { for (;;) {} } return 'quick'; };
            """, s => s with { TimeoutSeconds = 2, MaxConcurrency = 1 }, tenant: "respawn");
        Assert.Null(await function.WarmUpAsync());

        // The spinning run's end is recorded when its thread sees the interrupt, just after the 504 is handed over.
        var spun = await function.InvokeAsync(Json("{\"spin\":true}"));
        var afterSpin = await EventuallyAsync(() => function.LastRunWasLong);
        var loaded = await function.WarmUpAsync();
        var afterLoad = function.LastRunWasLong;
        var quick = await function.InvokeAsync(Json("{}"));

        Assert.Equal(504, spun.StatusCode);
        Assert.True(afterSpin);
        Assert.Null(loaded);
        Assert.True(afterLoad, "loading the next isolate's module cleared the record of the invocation that spun");
        Assert.Equal("quick", quick.Text());
        Assert.False(quick.Cold);

        // The result is handed over just before the run returns to the loop, where its end is recorded.
        Assert.True(await EventuallyAsync(() => !function.LastRunWasLong), "a quick invocation left the record of a long runner");
    }

    // Whether the condition holds within the time given (5 s by default), looked at every pollMs.
    private static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan? within = null, int pollMs = 10)
    {
        var until = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(5));
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                return false;
            }

            await Task.Delay(pollMs, Cancel);
        }

        return true;
    }

    private const int SchedOther = 0;
    private const int SchedIdle = 5;

    private static bool InLongRunnerGroup(IsolatePool pool, int thread) =>
        pool.Scheduler.Group is { } group && File.ReadAllLines(Path.Combine(group.Directory, "tasks")).Contains(thread.ToString(CultureInfo.InvariantCulture));

    // The CPUs a thread may run on, from a line such as "Cpus_allowed_list: 0-1,3".
    private static List<int>? AllowedCpus(int thread)
    {
        try
        {
            var list = File.ReadLines($"/proc/self/task/{thread}/status").First(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))["Cpus_allowed_list:".Length..].Trim();
            return [.. list.Split(',').SelectMany(Range)];
        }
        catch (IOException)
        {
            return null;
        }

        static IEnumerable<int> Range(string part) => part.Split('-') is [var from, var to]
            ? Enumerable.Range(int.Parse(from, CultureInfo.InvariantCulture), int.Parse(to, CultureInfo.InvariantCulture) - int.Parse(from, CultureInfo.InvariantCulture) + 1)
            : [int.Parse(part, CultureInfo.InvariantCulture)];
    }

    private static ulong Mask(IEnumerable<int> cpus) => cpus.Aggregate(0UL, (mask, cpu) => mask | (1UL << cpu));

    // Field 41 of stat, the scheduling policy.
    private static int? Policy(int thread) => Stat(thread) is { } f ? int.Parse(f[38], CultureInfo.InvariantCulture) : null;

    private static int? Nice(int thread) => Stat(thread) is { } f ? int.Parse(f[16], CultureInfo.InvariantCulture) : null;

    private static Dictionary<int, long> IsolateThreadTicks()
    {
        var ticks = new Dictionary<int, long>();
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            var thread = int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture);
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).Trim() == "granary-v8" && Stat(thread) is { } f)
                {
                    ticks[thread] = long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // The thread ended while we looked.
            }
        }

        return ticks;
    }

    private static Task<bool> ThreadEndsAsync(int thread, TimeSpan within) =>
        EventuallyAsync(() => !Directory.Exists($"/proc/self/task/{thread}"), within, pollMs: 50);

    private static Task<bool> ThreadHasNiceAsync(int thread, int nice, TimeSpan within) =>
        EventuallyAsync(() => Nice(thread) == nice, within);

    private static async Task<int?> IsolateThreadWithNiceAsync(int nice, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (DateTime.UtcNow < until)
        {
            foreach (var thread in IsolateThreadTicks().Keys)
            {
                if (Nice(thread) == nice)
                {
                    return thread;
                }
            }

            await Task.Delay(10, Cancel);
        }

        return null;
    }
}

/// <summary>Drops capabilities of the calling thread (Linux keeps them per thread; threads it makes inherit them).</summary>
internal static partial class Capabilities
{
    public const int SysNice = 23;

    private const uint Version3 = 0x20080522;

    public static void Drop(int capability)
    {
        var header = new Header { Version = Version3, Pid = 0 };
        var data = new Data[2];
        if (CapGet(ref header, data) != 0)
        {
            throw new InvalidOperationException($"capget failed: {Marshal.GetLastPInvokeError()}");
        }

        var mask = ~(1u << capability);
        data[0].Effective &= mask;
        data[0].Permitted &= mask;
        data[0].Inheritable &= mask;
        if (CapSet(ref header, data) != 0)
        {
            throw new InvalidOperationException($"capset failed: {Marshal.GetLastPInvokeError()}");
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Header
    {
        public uint Version;
        public int Pid;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Data
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code enabled for the assembly; these calls are blittable.
    [DllImport("libc", EntryPoint = "capget", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int CapGet(ref Header header, [In, Out] Data[] data);

    [DllImport("libc", EntryPoint = "capset", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int CapSet(ref Header header, [In] Data[] data);
#pragma warning restore SYSLIB1054
}

/// <summary>Reads the process's RLIMIT_NICE.</summary>
internal static class Rlimit
{
    private const int Nice = 13;

    /// <summary>Gets the lowest nice value the process may set without CAP_SYS_NICE: 20 minus the soft limit.</summary>
    public static long NiceCeiling()
    {
        var limit = new Limit();
        return GetRlimit(Nice, ref limit) == 0 ? 20 - (long)limit.Current : 20;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Limit
    {
        public ulong Current;
        public ulong Maximum;
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code enabled for the assembly; this call is blittable.
    [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int GetRlimit(int resource, ref Limit limit);
#pragma warning restore SYSLIB1054
}
