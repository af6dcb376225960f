using Granary.Functions;
using Granary.Runtime.Python;
using static Granary.Runtime.Tests.Python.PythonRunner;

namespace Granary.Runtime.Tests.Python;

/// <summary>
/// Timeouts, memory limits, crashes and the queue bound of Python functions: a misbehaving function takes down only
/// its own worker process, and the next request gets a fresh one.
/// </summary>
public sealed class PythonLimitsTests(PythonPoolFixture fixture) : IClassFixture<PythonPoolFixture>
{
    private const string Misbehaving = """
        import os, signal, subprocess, sys

        def main(event, context):
            what = event.get("do")
            print("before", what)
            if what == "loop":
                while True:
                    pass
            if what == "memory":
                x = bytearray(512 * 1024 * 1024)
                return {"size": len(x)}
            if what == "allocate":
                x = bytearray(event["mb"] * 1024 * 1024)
                return {"size": len(x), "pid": os.getpid(), "pidns": os.readlink("/proc/self/ns/pid")}
            if what == "exit":
                os._exit(3)
            if what == "segfault":
                os.kill(os.getpid(), signal.SIGSEGV)
            if what == "sigkill":
                os.kill(os.getpid(), signal.SIGKILL)
            if what == "child":
                child = subprocess.Popen(["sleep", "60"])
                print("child", child.pid, os.readlink("/proc/self/ns/pid"))
                while True:
                    pass
            if what == "exit-call":
                sys.exit(2)
            return {"pid": os.getpid(), "pidns": os.readlink("/proc/self/ns/pid")}
        """;

    private PythonFunction CreateMisbehaving(int timeoutSeconds = 10, int memoryLimitMb = 128) =>
        Create(fixture.Pool, Misbehaving, s => s with { TimeoutSeconds = timeoutSeconds, MemoryLimitMb = memoryLimitMb, MaxConcurrency = 1 });

    [Fact]
    public async Task AnInfiniteLoopIsStoppedAt504AndTheNextInvocationGetsAFreshWorker()
    {
        await using var function = CreateMisbehaving(timeoutSeconds: 1);
        var before = (await function.InvokeAsync(Empty())).Pid();

        var looped = await function.InvokeAsync(Json("""{"do":"loop"}"""));
        var after = await function.InvokeAsync(Empty());

        Assert.Equal(504, looped.StatusCode);
        Assert.Equal(InvocationOutcomes.Timeout, looped.Outcome);
        Assert.Equal("Function timed out", looped.JsonBody().GetProperty("title").GetString());
        Assert.Contains("before loop", looped.Messages());
        Assert.InRange(looped.DurationMs, 900, 3000);
        Assert.True(await ProcessGoneAsync(before));
        Assert.Equal(200, after.StatusCode);
        Assert.True(after.Cold);
        Assert.NotEqual(before, after.Pid());
    }

    [Fact]
    public async Task AKymaFunctionTimesOutWith408()
    {
        await using var function = Create(
            fixture.Pool,
            "import time\n\ndef main(event, context):\n    time.sleep(5)\n    return 'late'\n",
            s => s with { TimeoutSeconds = 1, Signature = FunctionSignatures.Kyma });

        var result = await function.InvokeAsync(Empty());

        Assert.Equal(408, result.StatusCode);
        Assert.Equal(InvocationOutcomes.Timeout, result.Outcome);
        Assert.Equal("Request Timeout", result.JsonBody().GetProperty("title").GetString());
    }

    [Fact]
    public async Task ATimeoutEndsTheProcessesTheFunctionStarted()
    {
        await using var function = CreateMisbehaving(timeoutSeconds: 1);

        var looped = await function.InvokeAsync(Json("""{"do":"child"}"""));

        Assert.Equal(504, looped.StatusCode);
        // The child is a process of the worker's PID namespace (its pid is the namespace's): none of them is left.
        var child = Assert.Single(looped.Messages(), m => m.StartsWith("child ", StringComparison.Ordinal)).Split(' ');
        Assert.True(await NamespaceGoneAsync(child[2]), $"child {child[1]} of {child[2]} outlived its worker");
    }

    [Fact]
    public async Task AMemoryBombFailsWithMemoryLimitExceededAndTheNextInvocationWorks()
    {
        await using var function = CreateMisbehaving();
        var before = (await function.InvokeAsync(Empty())).Pid();

        var bomb = await function.InvokeAsync(Json("""{"do":"memory"}"""));
        var after = await function.InvokeAsync(Empty());

        Assert.Equal(500, bomb.StatusCode);
        Assert.True(bomb.Outcome == InvocationOutcomes.MemoryLimit, $"outcome {bomb.Outcome}: {bomb.Text()}");
        Assert.Equal("Memory limit exceeded", bomb.JsonBody().GetProperty("title").GetString());
        Assert.Contains("128 MiB", bomb.JsonBody().GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("before memory", bomb.Messages());
        Assert.True(await ProcessGoneAsync(before));
        Assert.Equal(200, after.StatusCode);
        Assert.NotEqual(before, after.Pid());
    }

    [Fact]
    public async Task AFunctionMayUseAboutItsMemoryLimitButNotMuchMore()
    {
        await using var function = CreateMisbehaving(memoryLimitMb: 128);

        var within = await function.InvokeAsync(Json("""{"do":"allocate","mb":120}"""));
        var beyond = await function.InvokeAsync(Json("""{"do":"allocate","mb":160}"""));

        Assert.Equal(200, within.StatusCode);
        Assert.Equal(InvocationOutcomes.MemoryLimit, beyond.Outcome);
    }

    [Fact]
    public async Task AModuleThatOutgrowsItsMemoryLimitWhileLoadingIsALoadError()
    {
        var error = await PythonFunction.ValidateAsync(
            Definition("BIG = bytearray(256 * 1024 * 1024)\n\ndef main(event, context):\n    return 1\n", s => s with { MemoryLimitMb = 64 }),
            fixture.Pool,
            Limits);

        Assert.NotNull(error);
        Assert.Equal(CodeErrorKinds.Load, error.Kind);
        Assert.Contains("64 MiB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExitAnswers500NamingTheExitCodeAndTheNextInvocationWorks()
    {
        await using var function = CreateMisbehaving();
        var before = (await function.InvokeAsync(Empty())).Pid();

        var crashed = await function.InvokeAsync(Json("""{"do":"exit"}"""));
        var after = await function.InvokeAsync(Empty());

        Assert.Equal(500, crashed.StatusCode);
        Assert.Equal(InvocationOutcomes.Error, crashed.Outcome);
        Assert.Equal("Worker crashed", crashed.JsonBody().GetProperty("title").GetString());
        Assert.Contains("exit code 3", crashed.JsonBody().GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(200, after.StatusCode);
        Assert.NotEqual(before, after.Pid());
    }

    [Fact]
    public async Task ASegfaultAnswers500NamingSIGSEGVAndTheNextInvocationWorks()
    {
        await using var function = CreateMisbehaving();

        var crashed = await function.InvokeAsync(Json("""{"do":"segfault"}"""));
        var after = await function.InvokeAsync(Empty());

        Assert.Equal(500, crashed.StatusCode);
        Assert.Equal("Worker crashed", crashed.JsonBody().GetProperty("title").GetString());
        Assert.Contains("SIGSEGV", crashed.JsonBody().GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(200, after.StatusCode);
    }

    [Fact]
    public async Task AKilledWorkerAnswers500NamingSIGKILL()
    {
        await using var function = CreateMisbehaving();

        var crashed = await function.InvokeAsync(Json("""{"do":"sigkill"}"""));
        var after = await function.InvokeAsync(Empty());

        Assert.Equal(500, crashed.StatusCode);
        Assert.Contains("SIGKILL", crashed.JsonBody().GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(200, after.StatusCode);
    }

    [Fact]
    public async Task AWorkerThatDiesWhileIdleIsReplacedWithoutFailingTheNextRequest()
    {
        await using var function = CreateMisbehaving();
        var before = (await function.InvokeAsync(Empty())).Pid();

        using (var process = System.Diagnostics.Process.GetProcessById(before))
        {
            process.Kill();
        }

        Assert.True(await ProcessGoneAsync(before));
        await Task.Delay(300);
        var after = await function.InvokeAsync(Empty());

        Assert.Equal(200, after.StatusCode);
        Assert.NotEqual(before, after.Pid());
    }

    [Fact]
    public async Task SysExitInTheHandlerIsAnErrorNotACrash()
    {
        await using var function = CreateMisbehaving();
        var before = (await function.InvokeAsync(Empty())).Pid();

        var exited = await function.InvokeAsync(Json("""{"do":"exit-call"}"""));
        var after = await function.InvokeAsync(Empty());

        Assert.Equal(500, exited.StatusCode);
        Assert.Equal(InvocationOutcomes.Error, exited.Outcome);
        Assert.StartsWith("SystemExit", exited.Error, StringComparison.Ordinal);
        Assert.Equal(before, after.Pid());
    }

    [Fact]
    public async Task InvocationsBeyondMaxConcurrencyAndTheQueueAreRefusedWith429()
    {
        await using var function = Create(
            fixture.Pool,
            "import time\n\ndef main(event, context):\n    time.sleep(0.5)\n    return {}\n",
            s => s with { MaxConcurrency = 1, TimeoutSeconds = 10 },
            new FunctionLimits { MaxQueueLength = 1 });
        Assert.Null(await function.WarmUpAsync());

        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => function.InvokeAsync(Empty())));

        Assert.Equal(2, results.Count(r => r.StatusCode == 200));
        var refused = Assert.Single(results, r => r.StatusCode == 429);
        Assert.Equal(InvocationOutcomes.Throttled, refused.Outcome);
    }

    [Fact]
    public async Task ALoadThatNeverEndsIsALoadErrorAtTheTimeout()
    {
        var error = await PythonFunction.ValidateAsync(
            Definition("while True:\n    pass\n", s => s with { TimeoutSeconds = 1 }),
            fixture.Pool,
            Limits);

        Assert.NotNull(error);
        Assert.Equal(CodeErrorKinds.Load, error.Kind);
        Assert.Contains("timeout of 1 s", error.Message, StringComparison.Ordinal);
    }
}
