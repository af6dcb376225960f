using System.Diagnostics;
using Granary.Functions;
using Granary.Runtime.Execution;
using Granary.Runtime.Tests.JavaScript;
using Granary.Runtime.Tests.Python;

namespace Granary.Runtime.Tests.Execution;

/// <summary>
/// The caller's cancellation, in the engine both runtimes share: a running call is interrupted as its timeout would
/// interrupt it (even when the code catches everything it can), a queued call leaves the queue at once, a call whose
/// token is already cancelled runs nothing, and a call cancelled while its instance loads leaves the instance to the next.
/// </summary>
public sealed class CancellationTests(IsolatePoolFixture isolates, PythonPoolFixture python)
    : IClassFixture<IsolatePoolFixture>, IClassFixture<PythonPoolFixture>
{
    // Each loop prints first, so that the logs of the cancelled call show the loop had begun when it was stopped.
    public static TheoryData<string, string> Loops => new()
    {
        {
            FunctionRuntimes.NodeJs,
            """
            module.exports = (event) => {
              if (event.loop) { console.log('looping'); while (true) {} }
              return 'fine';
            };
            """
        },
        {
            // An interrupt cannot be caught: V8 terminates the script, whatever try/catch/finally it is in.
            FunctionRuntimes.NodeJs,
            """
            module.exports = (event) => {
              if (event.loop) {
                console.log('looping');
                for (;;) { try { while (true) {} } catch (e) { } finally { } }
              }
              return 'fine';
            };
            """
        },
        {
            FunctionRuntimes.Python,
            """
            def main(event, context):
                if event.get("loop"):
                    print("looping")
                    while True:
                        pass
                return "fine"
            """
        },
        {
            // Nor in Python: the worker's process group is killed, and SIGKILL reaches no except clause.
            FunctionRuntimes.Python,
            """
            def main(event, context):
                if event.get("loop"):
                    print("looping")
                    while True:
                        try:
                            while True:
                                pass
                        except BaseException:
                            pass
                return "fine"
            """
        },
    };

    [Theory]
    [MemberData(nameof(Loops))]
    public async Task ACancelledRunningLoopIsStoppedLongBeforeItsTimeoutAndTheFunctionServesAgain(string runtime, string code)
    {
        await using var function = Create(runtime, code, s => s with { TimeoutSeconds = 60, MaxConcurrency = 1 });
        Assert.Null(await function.WarmUpAsync());
        using var cancellation = new CancellationTokenSource();

        var looping = function.InvokeAsync(InvocationRequest.Json("""{"loop":true}"""), cancellationToken: cancellation.Token);
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        var runningWhenCancelled = !looping.IsCompleted;
        var watch = Stopwatch.StartNew();
        await cancellation.CancelAsync();
        var cancelled = await looping;
        var stoppedIn = watch.Elapsed;
        var after = await function.InvokeAsync(InvocationRequest.Json("{}"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(runningWhenCancelled);
        // Stopped by the cancellation, not by its 60 s timeout. On an idle machine it answers in well under a second (a
        // worker is asked for its log lines, given 200 ms, then ended); with the whole suite running beside it, a Python
        // loop took 1.8 s once (CI), so the bound here is what tells the two apart, not how fast.
        Assert.True(stoppedIn < TimeSpan.FromSeconds(5), $"the cancelled loop answered {stoppedIn} after the cancellation");
        Assert.Equal(499, cancelled.StatusCode);
        Assert.Equal(InvocationOutcomes.Cancelled, cancelled.Outcome);
        Assert.Equal("Client Closed Request", cancelled.JsonBody().GetProperty("title").GetString());
        Assert.Contains("looping", cancelled.Messages());
        Assert.Equal(200, after.StatusCode);
        Assert.Equal("fine", after.Text());
        Assert.True(after.Cold);
    }

    [Theory]
    [MemberData(nameof(EngineRuntimes.All), MemberType = typeof(EngineRuntimes))]
    public async Task ACancelledQueuedCallLeavesTheQueueAtOnceAndItsPlaceIsTakenByTheNext(string runtime)
    {
        var code = runtime == FunctionRuntimes.Python
            ? "import time\n\ndef main(event, context):\n    time.sleep(3)\n    return \"done\"\n"
            : "module.exports = () => new Promise(r => setTimeout(() => r('done'), 3000));";
        await using var function = Create(runtime, code, s => s with { MaxConcurrency = 1 }, new FunctionLimits { MaxQueueLength = 1 });
        Assert.Null(await function.WarmUpAsync());
        using var cancellation = new CancellationTokenSource();

        var running = function.InvokeAsync(InvocationRequest.Json("{}"));
        var queued = function.InvokeAsync(InvocationRequest.Json("{}"), cancellationToken: cancellation.Token);
        var refused = await function.InvokeAsync(InvocationRequest.Json("{}"));
        var inFlightBefore = InFlight(function);
        await cancellation.CancelAsync();
        var inFlightAfter = InFlight(function);
        var cancelled = await queued;
        var third = function.InvokeAsync(InvocationRequest.Json("{}"));
        var runningWhenThirdCame = !running.IsCompleted;
        var results = await Task.WhenAll(running, third);

        Assert.Equal(429, refused.StatusCode);
        Assert.Equal(2, inFlightBefore);
        Assert.Equal(1, inFlightAfter);
        Assert.Equal(499, cancelled.StatusCode);
        Assert.Equal(InvocationOutcomes.Cancelled, cancelled.Outcome);
        Assert.True(runningWhenThirdCame, "the first call ended before the third came, so the third did not need the freed place");
        Assert.All(results, r => Assert.Equal("done", r.Text()));
        Assert.Equal(1, function.Instances);
    }

    [Theory]
    [MemberData(nameof(EngineRuntimes.All), MemberType = typeof(EngineRuntimes))]
    public async Task ACallWhoseTokenIsAlreadyCancelledRunsNothing(string runtime)
    {
        var code = runtime == FunctionRuntimes.Python
            ? "calls = 0\n\ndef main(event, context):\n    global calls\n    calls += 1\n    return \"call %d\" % calls\n"
            : "let calls = 0;\nmodule.exports = () => 'call ' + (++calls);";
        await using var function = Create(runtime, code);

        var cancelled = await function.InvokeAsync(InvocationRequest.Json("{}"), cancellationToken: new CancellationToken(canceled: true));
        var instancesAfterCancelled = function.Instances;
        var first = await function.InvokeAsync(InvocationRequest.Json("{}"));

        Assert.Equal(499, cancelled.StatusCode);
        Assert.Equal(InvocationOutcomes.Cancelled, cancelled.Outcome);
        Assert.Equal(0, instancesAfterCancelled);
        Assert.Equal("call 1", first.Text());
        Assert.True(first.Cold);
    }

    [Theory]
    [MemberData(nameof(EngineRuntimes.All), MemberType = typeof(EngineRuntimes))]
    public async Task ACallCancelledWhileItsInstanceLoadsAnswersAtOnceAndLeavesTheInstanceToTheNext(string runtime)
    {
        var code = runtime == FunctionRuntimes.Python
            ? "import time\ntime.sleep(2)\n\ndef main(event, context):\n    return \"loaded\"\n"
            : "const end = Date.now() + 2000; while (Date.now() < end) {}\nmodule.exports = () => 'loaded';";
        await using var function = Create(runtime, code, s => s with { TimeoutSeconds = 30 });
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var watch = Stopwatch.StartNew();
        var cancelled = await function.InvokeAsync(InvocationRequest.Json("{}"), cancellationToken: cancellation.Token);
        var answeredIn = watch.Elapsed;
        var next = await function.InvokeAsync(InvocationRequest.Json("{}"));

        Assert.Equal(499, cancelled.StatusCode);
        Assert.Equal(InvocationOutcomes.Cancelled, cancelled.Outcome);
        Assert.True(answeredIn < TimeSpan.FromSeconds(1.5), $"the call cancelled while its instance loaded answered after {answeredIn}");
        Assert.Equal("loaded", next.Text());
        Assert.Equal(1, function.Instances);
    }

    private IFunctionExecutor Create(string runtime, string code, Func<FunctionSpec, FunctionSpec>? configure = null, FunctionLimits? limits = null) =>
        EngineRuntimes.Create(isolates, python, runtime, code, configure, limits);

    private static int InFlight(IFunctionExecutor function) => EngineRuntimes.InFlight(function);
}
