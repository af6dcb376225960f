using System.Globalization;
using static Granary.Runtime.Tests.Python.PythonRunner;

namespace Granary.Runtime.Tests.Python;

/// <summary>
/// Python long runners, as JavaScript's: an invocation that runs on a CPU for a slice (50 ms) moves, with its sandbox,
/// to an idle cpu group until it ends, and its function's next invocation starts there; an invocation that waits off
/// the CPU is not one. The functions spin by the wall clock for many slices, so that they are long by CPU time even
/// with a small share of a loaded machine.
/// </summary>
public sealed class PythonLongRunnerTests(PythonPoolFixture fixture) : IClassFixture<PythonPoolFixture>
{
    private const string Runner = """
        import os, time

        def main(event, context):
            what = event.get("do")
            if what == "spin":
                end = time.time() + event["ms"] / 1000
                while time.time() < end:
                    pass
            if what == "sleep":
                time.sleep(event["ms"] / 1000)
            return {"pid": os.getpid(), "pidns": os.readlink("/proc/self/ns/pid")}
        """;

    [Fact]
    public async Task ASpinningInvocationRunsInTheIdleGroupAndItsFunctionsNextStartsThere()
    {
        await using var function = Create(fixture.Pool, Runner, s => s with { TimeoutSeconds = 30, MaxConcurrency = 1 });
        var worker = (await function.InvokeAsync(Json("{}"))).Pid();
        Assert.False(InIdleGroup(worker), "a worker starts in the idle group");

        var spin = function.InvokeAsync(Json("""{"do":"spin","ms":3000}"""));
        var demoted = await EventuallyAsync(() => InIdleGroup(worker), spin);
        var spun = await spin;
        var afterSpin = InIdleGroup(worker);
        var recordAfterSpin = function.LastRunWasLong;

        var next = function.InvokeAsync(Json("""{"do":"sleep","ms":1000}"""));
        var nextStartedIdle = await EventuallyAsync(() => InIdleGroup(worker), next);
        await next;
        var recordAfterSleep = function.LastRunWasLong;

        var third = function.InvokeAsync(Json("""{"do":"sleep","ms":1000}"""));
        var thirdIdle = await EventuallyAsync(() => InIdleGroup(worker), third);
        Assert.Equal(worker, (await third).Pid());

        Assert.Equal(worker, spun.Pid());
        Assert.True(demoted, "the spinning invocation's worker never went to the idle group");
        Assert.False(afterSpin, "the worker stayed in the idle group after its long invocation ended");
        Assert.True(recordAfterSpin);
        Assert.True(nextStartedIdle, "the invocation after a long runner did not start in the idle group");
        Assert.False(recordAfterSleep, "an invocation that slept became the function's long-runner record");
        Assert.False(thirdIdle, "an invocation after one that slept started in the idle group");
    }

    // The cpu cgroup of a host process: the idle group "long" of the workers' cpu group (cgroup v1), or its own group
    // marked cpu.idle (cgroup v2).
    private static bool InIdleGroup(int pid)
    {
        var lines = File.ReadAllLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cgroup");
        if (lines.FirstOrDefault(l => l.Split(':') is [_, var controllers, _] && controllers.Split(',').Contains("cpu")) is { } v1)
        {
            return v1.EndsWith("/long", StringComparison.Ordinal);
        }

        var path = lines.Single(l => l.StartsWith("0::", StringComparison.Ordinal))[3..];
        var idle = Path.Combine("/sys/fs/cgroup" + path, "cpu.idle");
        if (!File.Exists(idle))
        {
            throw new InvalidOperationException($"{idle} is missing: Python long runners need the cpu controller (cgroup v1 cpu, or v2 with cpu enabled for the silo's cgroup).");
        }

        return File.ReadAllText(idle).Trim() == "1";
    }

    // Whether the condition held at some point while the invocation ran.
    private static async Task<bool> EventuallyAsync(Func<bool> condition, Task running)
    {
        while (!running.IsCompleted)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        return false;
    }
}
