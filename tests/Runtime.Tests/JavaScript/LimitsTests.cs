using System.Diagnostics;
using Granary.Functions;
using Granary.Runtime.JavaScript;
using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.JavaScript;

/// <summary>Timeouts, memory limits, load errors and concurrency: a misbehaving function never takes the host down.</summary>
public sealed class LimitsTests(IsolatePoolFixture fixture) : IClassFixture<IsolatePoolFixture>
{
    [Fact]
    public async Task AnInfiniteLoopIsInterruptedAt504AndTheFunctionServesAgain()
    {
        await using var function = Create(fixture.Pool, """
            module.exports = (event) => {
              console.log('before loop');
              if (event.loop) { while (true) {} }
              return 'fine';
            };
            """, s => s with { TimeoutSeconds = 3, MaxConcurrency = 1 });

        // Warm, so that the timeout is the loop's, not a cold start's on a loaded machine. 3 s, not 1: the call after the
        // loop is a cold start on an isolate made at long-runner priority (a spinner's penalty), which under the whole
        // suite's load took longer than a second (CI).
        Assert.Null(await function.WarmUpAsync());
        var looped = await function.InvokeAsync(Json("{\"loop\":true}"));
        var after = await function.InvokeAsync(Json("{\"loop\":false}"));

        Assert.Equal(504, looped.StatusCode);
        Assert.Equal(InvocationOutcomes.Timeout, looped.Outcome);
        Assert.Equal("Function timed out", looped.JsonBody().GetProperty("title").GetString());
        Assert.Contains("before loop", looped.Messages());
        Assert.Equal("fine", after.Text());
        Assert.True(after.Cold);
    }

    [Fact]
    public async Task APromiseThatNeverSettlesTimesOut()
    {
        var result = await RunAsync(fixture.Pool, "module.exports = () => new Promise(() => {});", configure: s => s with { TimeoutSeconds = 1 });

        Assert.Equal(504, result.StatusCode);
        Assert.Equal(InvocationOutcomes.Timeout, result.Outcome);
    }

    [Fact]
    public async Task AKymaFunctionTimesOutWith408()
    {
        var result = await RunAsync(
            fixture.Pool,
            "module.exports = { main: () => new Promise(r => setTimeout(r, 5000)) };",
            configure: s => s with { TimeoutSeconds = 1, Signature = FunctionSignatures.Kyma });

        Assert.Equal(408, result.StatusCode);
        Assert.Equal("Request Timeout", result.JsonBody().GetProperty("title").GetString());
    }

    [Fact]
    public async Task AMemoryBombFailsWithAClearErrorAndTheFunctionServesAgain()
    {
        await using var function = Create(fixture.Pool, """
            module.exports = (event) => {
              if (event.bomb) { const a = []; while (true) { a.push(new Array(1000000).fill('test')); } }
              return 'alive';
            };
            """, s => s with { MemoryLimitMb = 64, MaxConcurrency = 1, TimeoutSeconds = 60 });

        var bomb = await function.InvokeAsync(Json("{\"bomb\":true}"));
        var after = await function.InvokeAsync(Json("{\"bomb\":false}"));

        Assert.Equal(500, bomb.StatusCode);
        Assert.Equal(InvocationOutcomes.MemoryLimit, bomb.Outcome);
        Assert.Equal("Memory limit exceeded", bomb.JsonBody().GetProperty("title").GetString());
        Assert.Contains("64 MiB", bomb.JsonBody().GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("alive", after.Text());
    }

    [Fact]
    public async Task ArrayBufferAllocationsAreBoundedByTheMemoryLimit()
    {
        var result = await RunAsync(fixture.Pool, """
            module.exports = () => { const keep = []; for (let i = 0; i < 100; i++) keep.push(new ArrayBuffer(16 * 1024 * 1024)); return keep.length; };
            """, configure: s => s with { MemoryLimitMb = 64 });

        Assert.Equal(500, result.StatusCode);
        Assert.Equal(InvocationOutcomes.Error, result.Outcome);
        Assert.Contains("RangeError", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnboundedRecursionIsARangeErrorNotACrash()
    {
        var result = await RunAsync(fixture.Pool, "function f(n) { return f(n + 1) + 1; }\nmodule.exports = () => f(0);");

        Assert.Equal(500, result.StatusCode);
        Assert.Equal("{\"error\":\"Maximum call stack size exceeded\"}", result.Text());
    }

    [Fact]
    public async Task CodeThatDoesNotCompileIsRefusedWithLineAndColumn()
    {
        var error = await JavaScriptFunction.ValidateAsync(Definition("const a = 1;\nconst b = ;\nmodule.exports = () => a + b;"), fixture.Pool, Limits);

        Assert.NotNull(error);
        Assert.Equal(CodeErrorKinds.Compile, error.Kind);
        Assert.StartsWith("SyntaxError:", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Line);
        Assert.NotNull(error.Column);
    }

    [Fact]
    public async Task ASyntaxErrorOnTheFirstLineReportsTheUsersColumn()
    {
        var error = await JavaScriptFunction.ValidateAsync(Definition("module.exports = ) => 1;"), fixture.Pool, Limits);

        Assert.NotNull(error);
        Assert.Equal(1, error.Line);
        Assert.Equal(18, error.Column);
    }

    [Fact]
    public async Task CodeThatEndsTooEarlyIsReportedWhereTheUsersCodeEnds()
    {
        var error = await JavaScriptFunction.ValidateAsync(Definition("const a = 1;\nmodule.exports = ("), fixture.Pool, Limits);

        Assert.NotNull(error);
        Assert.Equal("SyntaxError: Unexpected end of input", error.Message);
        Assert.Equal(2, error.Line);
        Assert.Equal(19, error.Column);
    }

    [Fact]
    public async Task AModuleThatThrowsWhileLoadingIsRefusedWithItsLine()
    {
        var error = await JavaScriptFunction.ValidateAsync(Definition("const x = 1;\nthrow new TypeError('config missing');\nmodule.exports = () => x;"), fixture.Pool, Limits);

        Assert.NotNull(error);
        Assert.Equal(CodeErrorKinds.Load, error.Kind);
        Assert.Equal("TypeError: config missing", error.Message);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public async Task AModuleWithoutTheHandlerIsRefused()
    {
        var error = await JavaScriptFunction.ValidateAsync(Definition("module.exports = { other: () => 1 };"), fixture.Pool, Limits);

        Assert.NotNull(error);
        Assert.Equal(CodeErrorKinds.Handler, error.Kind);
        Assert.Contains("'main'", error.Message, StringComparison.Ordinal);
        Assert.Contains("[other]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AModuleThatLoopsWhileLoadingIsStoppedAtTheTimeout()
    {
        var watch = Stopwatch.StartNew();
        var error = await JavaScriptFunction.ValidateAsync(Definition("while (true) {}", s => s with { TimeoutSeconds = 1 }), fixture.Pool, Limits);

        Assert.NotNull(error);
        Assert.Equal(CodeErrorKinds.Load, error.Kind);
        Assert.Contains("timeout of 1 s", error.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"validation took {watch.Elapsed}");
    }

    [Fact]
    public async Task InvocationsBeyondMaxConcurrencyQueueAndReportTheirWait()
    {
        await using var function = Create(fixture.Pool, "module.exports = () => new Promise(r => setTimeout(() => r('done'), 300));", s => s with { MaxConcurrency = 2 });

        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => function.InvokeAsync(Request())));

        Assert.All(results, r => Assert.Equal("done", r.Text()));
        Assert.Equal(2, results.Count(r => r.Cold));
        Assert.Single(results, r => r.WaitMs >= 200);
        Assert.Equal(2, function.Instances);
    }

    [Fact]
    public async Task APastTheQueueBoundRequestGets429()
    {
        await using var function = Create(
            fixture.Pool,
            "module.exports = () => new Promise(r => setTimeout(() => r('done'), 500));",
            s => s with { MaxConcurrency = 1 },
            new FunctionLimits { MaxQueueLength = 1 });

        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => function.InvokeAsync(Request())));

        Assert.Equal(2, results.Count(r => r.StatusCode == 200));
        var throttled = Assert.Single(results, r => r.StatusCode == 429);
        Assert.Equal(InvocationOutcomes.Throttled, throttled.Outcome);
        Assert.Equal("1", throttled.Header("Retry-After"));
    }

    [Fact]
    public async Task ConcurrentSlowInvocationsRunInParallel()
    {
        await using var function = Create(fixture.Pool, "module.exports = () => new Promise(r => setTimeout(() => r('ok'), 1000));");
        await function.WarmUpAsync();

        var watch = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => function.InvokeAsync(Request())));

        Assert.All(results, r => Assert.Equal("ok", r.Text()));
        // One at a time they take 10 s, two at a time 5 s; side by side about 1 s, and 2.3 s once with the whole suite
        // beside them (CI: the isolates they scale up to are made under that load).
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"ten one-second invocations took {watch.Elapsed}");
    }

    [Fact]
    public async Task AFunctionRunsInlineOnlyOnceItProvedQuickAndNeverWhenItHoldsTheThread()
    {
        await using var quick = Create(fixture.Pool, "module.exports = () => 'quick';");
        await using var slow = Create(fixture.Pool, "module.exports = () => { const end = Date.now() + 1100; while (Date.now() < end) {} return 'slow'; };", s => s with { TimeoutSeconds = 5 });

        await quick.InvokeAsync(Request());
        await quick.InvokeAsync(Request());
        var beforeProof = quick.RunsInline;
        await quick.InvokeAsync(Request());
        var first = await slow.InvokeAsync(Request());
        var second = await slow.InvokeAsync(Request());

        Assert.False(beforeProof);
        Assert.True(quick.RunsInline);
        Assert.False(slow.RunsInline);
        Assert.Equal("slow", first.Text());
        Assert.Equal("slow", second.Text());
    }

    // A function that was quick until it ran inline, then spun, leaves the thread pool for good: it never gets a
    // thread-pool thread again however quick it is afterwards.
    [Fact]
    public async Task AFunctionThatSpunInlineNeverRunsInlineAgain()
    {
        await using var function = Create(fixture.Pool, """
            let calls = 0;
            module.exports = () => {
              calls++;
              if (calls === 4) { const end = Date.now() + 1100; while (Date.now() < end) {} }
              return 'call ' + calls;
            };
            """, s => s with { TimeoutSeconds = 5 });

        for (var i = 0; i < 3; i++)
        {
            await function.InvokeAsync(Request());
        }

        var promoted = function.RunsInline;
        var spun = await function.InvokeAsync(Request());
        for (var i = 0; i < 4; i++)
        {
            await function.InvokeAsync(Request());
        }

        Assert.True(promoted);
        Assert.Equal("call 4", spun.Text());
        Assert.False(function.RunsInline);
    }

    // However many proven-quick functions start spinning at once, no more than MaxInlineRuns of them hold a
    // thread-pool thread; the others run on their isolates' threads, and every call completes.
    [Fact]
    public async Task NoMoreThanTheBoundOfInvocationsRunInlineAtOnce()
    {
        using var pool = new IsolatePool(
            // Each function on a V8 runtime of its own: three of one tenant spinning at once on a shared runtime would take
            // turns (SharedRuntimeTests), and this is about the bound on inline runs.
            Microsoft.Extensions.Options.Options.Create(new JavaScriptRuntimeOptions { WarmIsolates = 2, MaxInlineRuns = 1, FunctionsPerRuntime = 1 }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<IsolatePool>.Instance);
        var functions = Enumerable.Range(0, 3).Select(i => Create(pool, """
            let calls = 0;
            module.exports = () => {
              if (++calls > 3) { const end = Date.now() + 400; while (Date.now() < end) {} }
              return 'call ' + calls;
            };
            """, s => s with { TimeoutSeconds = 5 })).ToList();
        try
        {
            foreach (var function in functions)
            {
                for (var i = 0; i < 3; i++)
                {
                    await function.InvokeAsync(Request());
                }
            }

            Assert.All(functions, f => Assert.True(f.RunsInline));
            var spins = functions.Select(f => Task.Run(() => f.InvokeAsync(Request()), TestContext.Current.CancellationToken)).ToList();
            var most = 0;
            while (!spins.All(s => s.IsCompleted))
            {
                most = Math.Max(most, pool.InlineRunsNow);
                await Task.Delay(5, TestContext.Current.CancellationToken);
            }

            Assert.Equal(1, most);
            Assert.All(await Task.WhenAll(spins), r => Assert.Equal("call 4", r.Text()));
        }
        finally
        {
            foreach (var function in functions)
            {
                await function.DisposeAsync();
            }
        }
    }

    // Functions that are not (yet) quick run on their isolates' threads, below the priority of the threads that
    // serve requests, so a tenant's computing functions cannot take the CPU from everyone else's requests: from the end
    // of the cold start's first run on.
    [Fact]
    public async Task IsolateThreadsRunAtTheConfiguredLowerPriorityAfterTheirFirstRun()
    {
        using var pool = new IsolatePool(
            Microsoft.Extensions.Options.Options.Create(new JavaScriptRuntimeOptions { WarmIsolates = 1, IsolateThreadNice = 7 }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<IsolatePool>.Instance);
        await using var function = Create(pool, "module.exports = () => 'ran';");

        Assert.Equal("ran", (await function.InvokeAsync(Request())).Text());

        var thread = Assert.Single(function.IdleIsolateThreadIds());
        Assert.Equal(7, NiceOf(thread));
    }

    // A cold start waits on the pool isolate's thread for the module's load and the first run: until then it keeps the
    // process's priority (a run that outruns its slice is still demoted, as every run).
    [Fact]
    public async Task AWarmIsolateWaitsForItsFirstFunctionAtTheProcessPriority()
    {
        using var pool = new IsolatePool(
            Microsoft.Extensions.Options.Options.Create(new JavaScriptRuntimeOptions { WarmIsolates = 1, IsolateThreadNice = 7 }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<IsolatePool>.Instance);
        await using var function = Create(pool, "module.exports = () => 'ran';");
        var process = NiceOf(Environment.ProcessId);

        Assert.Null(await function.WarmUpAsync());

        var thread = Assert.Single(function.IdleIsolateThreadIds());
        Assert.Equal(process, NiceOf(thread));
    }

    private static int NiceOf(int thread) =>
        int.Parse(File.ReadAllText($"/proc/self/task/{thread}/stat") is var stat ? stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16] : "", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task IsolatesLeftOverFromABurstAreTrimmedDownToOne()
    {
        await using var function = Create(fixture.Pool, "module.exports = () => new Promise(r => setTimeout(() => r('done'), 200));");
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => function.InvokeAsync(Request())));
        Assert.Equal(4, function.Instances);

        var trimmedEarly = function.TrimIdle(TimeSpan.FromMinutes(1));
        var trimmed = function.TrimIdle(TimeSpan.Zero);

        Assert.Equal(0, trimmedEarly);
        Assert.Equal(3, trimmed);
        Assert.Equal(1, function.Instances);
        Assert.Equal("done", (await function.InvokeAsync(Request())).Text());
    }

    [Fact]
    public async Task AReplacedVersionRefusesNewInvocations()
    {
        var function = Create(fixture.Pool, "module.exports = () => 1;");
        await function.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => function.InvokeAsync(Request()));
    }
}
