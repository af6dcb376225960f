using Granary.Functions;
using Granary.Runtime.JavaScript;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.JavaScript;

/// <summary>
/// Functions of one tenant on one V8 runtime (<see cref="JavaScriptRuntimeOptions.FunctionsPerRuntime"/>): each keeps its
/// own context, an interrupt stops only its own function, and a neighbour that holds the runtime with a long run or breaks
/// its heap limit moves the others' invocations to new isolates instead of failing them.
/// </summary>
public sealed class SharedRuntimeTests : IDisposable
{
    private readonly IsolatePool _pool = new(
        Options.Create(new JavaScriptRuntimeOptions { WarmIsolates = 2, FunctionsPerRuntime = 4 }),
        NullLogger<IsolatePool>.Instance);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _pool.Dispose();

    [Fact]
    public async Task FunctionsOfOneTenantShareARuntimeEachWithGlobalsOfItsOwn()
    {
        await using var writer = Create(_pool, """
            globalThis.secret = 'writer';
            String.prototype.shout = function () { return this.toUpperCase(); };
            module.exports = () => 'written';
            """, tenant: "t-share");
        await using var reader = Create(_pool, """
            module.exports = () => JSON.stringify([typeof globalThis.secret, typeof ''.shout]);
            """, tenant: "t-share");
        Assert.Null(await writer.WarmUpAsync());
        Assert.Null(await reader.WarmUpAsync());

        Assert.Equal("written", (await writer.InvokeAsync(Request())).Text());
        var read = await reader.InvokeAsync(Request());

        Assert.Same(Isolate(writer).Runtime, Isolate(reader).Runtime);
        Assert.Equal("[\"undefined\",\"undefined\"]", read.Text());
    }

    [Fact]
    public async Task FunctionsOfDifferentTenantsNeverShareARuntime()
    {
        await using var first = Create(_pool, "module.exports = () => 'one';", tenant: "t-one");
        await using var second = Create(_pool, "module.exports = () => 'two';", tenant: "t-two");
        Assert.Null(await first.WarmUpAsync());
        Assert.Null(await second.WarmUpAsync());

        Assert.NotSame(Isolate(first).Runtime, Isolate(second).Runtime);
        Assert.Equal("t-one", Isolate(first).Runtime.Tenant);
        Assert.Equal("t-two", Isolate(second).Runtime.Tenant);
    }

    [Fact]
    public async Task ARuntimeTakesNoMoreFunctionsThanItsCapacity()
    {
        var functions = Enumerable.Range(0, 5).Select(i => Create(_pool, $"module.exports = () => {i};", tenant: "t-capacity")).ToList();
        try
        {
            foreach (var function in functions)
            {
                Assert.Null(await function.WarmUpAsync());
            }

            // A runtime's members include the spare it keeps ready for the tenant's next function.
            var runtimes = functions.Select(f => Isolate(f).Runtime).ToList();
            Assert.All(runtimes, runtime => Assert.InRange(runtime.Members, 1, 4));
            Assert.All(runtimes.GroupBy(runtime => runtime), group => Assert.InRange(group.Count(), 1, 4));
            Assert.InRange(runtimes.Distinct().Count(), 2, 3);
        }
        finally
        {
            foreach (var function in functions)
            {
                await function.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ATimeoutStopsOnlyItsOwnFunctionWhileANeighbourRuns()
    {
        // The waiting function times out while its neighbour computes on the runtime: V8 would stop whatever runs there.
        await using var waiting = Create(_pool, "module.exports = async () => { await new Promise(r => setTimeout(r, 5000)); return 'late'; };", s => s with { TimeoutSeconds = 1 }, tenant: "t-interrupt");
        await using var computing = Create(_pool, "module.exports = () => { const end = Date.now() + 2000; while (Date.now() < end) {} return 'computed'; };", s => s with { TimeoutSeconds = 20 }, tenant: "t-interrupt");
        Assert.Null(await waiting.WarmUpAsync());
        Assert.Null(await computing.WarmUpAsync());
        Assert.Same(Isolate(waiting).Runtime, Isolate(computing).Runtime);

        var timedOut = waiting.InvokeAsync(Request());
        await Task.Delay(200, Cancel);
        var computed = computing.InvokeAsync(Request());

        Assert.Equal(504, (await timedOut).StatusCode);
        var result = await computed;
        Assert.Equal(200, result.StatusCode);
        Assert.Equal("computed", result.Text());
    }

    [Fact]
    public async Task ANeighboursLongRunMovesTheNextInvocationToANewIsolateAndTheLongRunnerLeaves()
    {
        await using var quick = Create(_pool, "let calls = 0; module.exports = () => 'call ' + ++calls;", tenant: "t-long");
        await using var slow = Create(_pool, "module.exports = () => { const end = Date.now() + 3000; while (Date.now() < end) {} return 'done'; };", s => s with { TimeoutSeconds = 20 }, tenant: "t-long");
        Assert.Null(await quick.WarmUpAsync());
        Assert.Null(await slow.WarmUpAsync());
        Assert.Equal("call 1", (await quick.InvokeAsync(Request())).Text());
        Assert.Same(Isolate(quick).Runtime, Isolate(slow).Runtime);

        var spinning = slow.InvokeAsync(Request());
        await Task.Delay(300, Cancel);
        var moved = await quick.InvokeAsync(Request());
        var slowStillRunning = !spinning.IsCompleted;
        var done = await spinning;

        Assert.True(slowStillRunning, "the neighbour's invocation waited for the long run to end");
        Assert.Equal(200, moved.StatusCode);
        Assert.True(moved.Cold);
        Assert.Equal("call 1", moved.Text());
        Assert.Equal("done", done.Text());
        Assert.True(slow.HasOwnRuntime);
        Assert.Empty(slow.IdleIsolates());
    }

    [Fact]
    public async Task ANeighbourBreakingTheMemoryLimitLeavesTheOthersServingFromNewIsolates()
    {
        await using var steady = Create(_pool, "let calls = 0; module.exports = () => 'call ' + ++calls;", s => s with { MemoryLimitMb = 64 }, tenant: "t-memory");
        await using var bomb = Create(_pool, """
            module.exports = () => { const a = []; while (true) { a.push(new Array(1000000).fill('test')); } };
            """, s => s with { MemoryLimitMb = 64, TimeoutSeconds = 60 }, tenant: "t-memory");
        Assert.Null(await steady.WarmUpAsync());
        Assert.Null(await bomb.WarmUpAsync());
        Assert.Equal("call 1", (await steady.InvokeAsync(Request())).Text());
        Assert.Same(Isolate(steady).Runtime, Isolate(bomb).Runtime);

        var exploded = await bomb.InvokeAsync(Request());
        var after = await steady.InvokeAsync(Request());

        Assert.Equal(InvocationOutcomes.MemoryLimit, exploded.Outcome);
        Assert.Equal(200, after.StatusCode);
        Assert.True(after.Cold);
        Assert.True(bomb.HasOwnRuntime);
        Assert.False(steady.HasOwnRuntime);
    }

    [Fact]
    public async Task OneRuntimeHoldsLessMemoryThanARuntimePerFunction()
    {
        using var solo = new IsolatePool(Options.Create(new JavaScriptRuntimeOptions { WarmIsolates = 0, FunctionsPerRuntime = 1 }), NullLogger<IsolatePool>.Instance);
        using var shared = new IsolatePool(Options.Create(new JavaScriptRuntimeOptions { WarmIsolates = 0, FunctionsPerRuntime = 8 }), NullLogger<IsolatePool>.Instance);

        var soloBytes = await HeapOfEightAsync(solo);
        var sharedBytes = await HeapOfEightAsync(shared);

        // V8's own measure of the heaps, not RSS (which adds each runtime's native tables): measured 7.2 against 13.4 MiB.
        Assert.True(sharedBytes < soloBytes * 7 / 10, $"8 functions on one runtime hold {sharedBytes >> 10} KiB of V8 heap, on runtimes of their own {soloBytes >> 10} KiB");
    }

    private static async Task<long> HeapOfEightAsync(IsolatePool pool)
    {
        var functions = Enumerable.Range(0, 8).Select(i => Create(pool, $"module.exports = () => {i};", tenant: "t-heap")).ToList();
        try
        {
            foreach (var function in functions)
            {
                Assert.Null(await function.WarmUpAsync());
            }

            return functions.Select(f => Isolate(f).Runtime).Distinct().Sum(runtime => (long)runtime.Runtime.GetHeapInfo().TotalPhysicalSize);
        }
        finally
        {
            foreach (var function in functions)
            {
                await function.DisposeAsync();
            }
        }
    }

    private static V8Isolate Isolate(JavaScriptFunction function) => Assert.Single(function.IdleIsolates());
}
