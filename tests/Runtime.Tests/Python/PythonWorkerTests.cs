using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Granary.Functions;
using Granary.Runtime.Python;
using Granary.Runtime.Signatures.CustomCode;
using Granary.Runtime.Workers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Granary.Runtime.Tests.Python.PythonRunner;

namespace Granary.Runtime.Tests.Python;

/// <summary>
/// Python functions in real CPython worker processes: the round trip, captured output, isolation of environment and
/// working directory, load errors, concurrency across workers, and the lifetime of the processes.
/// </summary>
public sealed class PythonWorkerTests(PythonPoolFixture fixture) : IClassFixture<PythonPoolFixture>
{
    private const string Hello = """
        import os

        def main(event, context):
            return {"hello": event.get("name", "world"), "pid": os.getpid(), "pidns": os.readlink("/proc/self/ns/pid")}
        """;

    // Each invocation waits until `n` invocations run at once: they must be in `n` different workers. Sandboxed
    // workers share no file system, so they meet at the fixture's loopback server (through their egress proxy).
    private const string Barrier = """
        import os, urllib.request

        def main(event, context):
            urllib.request.urlopen("http://127.0.0.1:%d/barrier?key=%s&n=%d" % (event["port"], event["key"], event["n"]), timeout=30).read()
            return {"pid": os.getpid(), "pidns": os.readlink("/proc/self/ns/pid")}
        """;

    private async Task<List<int>> RunTogetherAsync(PythonFunction function, int n)
    {
        var request = Json(JsonSerializer.Serialize(new { port = fixture.Server.Port, key = Guid.NewGuid().ToString("N"), n }));
        var results = await Task.WhenAll(Enumerable.Range(0, n).Select(_ => function.InvokeAsync(request)));
        Assert.All(results, r => Assert.Equal(200, r.StatusCode));
        return [.. results.Select(r => r.Pid()).Distinct()];
    }

    [Fact]
    public async Task AHelloFunctionAnswersWithItsJson()
    {
        await using var function = Create(fixture.Pool, Hello);

        var result = await function.InvokeAsync(Json("""{"name":"py"}"""));

        Assert.Equal(200, result.StatusCode);
        Assert.Equal(InvocationOutcomes.Ok, result.Outcome);
        Assert.Equal("py", result.JsonBody().GetProperty("hello").GetString());
        Assert.True(result.Cold);
        Assert.NotEqual(Environment.ProcessId, result.Pid());
    }

    // Workers run below the silo's request threads (Granary:Python:WorkerNice, 10 by default) and in the silo's own
    // session: the kernel schedules each session as one group, so a worker in a session of its own would take a whole
    // share of the CPU against the silo whatever its nice value. What the function starts inherits both.
    [Fact]
    public async Task AWorkerAndWhatItStartsRunAtALowerPriorityInTheSilosSession()
    {
        await using var function = Create(fixture.Pool, """
            import os, subprocess

            def main(event, context):
                child = subprocess.run(["/bin/sh", "-c", "cut -d' ' -f6,19 /proc/self/stat"], capture_output=True, text=True).stdout.split()
                return {"nice": os.nice(0), "session": os.getsid(0), "group": os.getpgid(0), "pid": os.getpid(), "pidns": os.readlink("/proc/self/ns/pid"),
                        "childSession": int(child[0]), "childNice": int(child[1])}
            """);

        var result = (await function.InvokeAsync(Empty())).JsonBody();

        Assert.Equal(10, result.GetProperty("nice").GetInt32());
        Assert.Equal(10, result.GetProperty("childNice").GetInt32());

        // In its PID namespace the worker sees the silo's session as 0 (its leader is outside); the host sees it.
        var hostPid = HostPid(result);
        Assert.Equal(SessionOf(Environment.ProcessId), SessionOf(hostPid));
        Assert.Equal(result.GetProperty("session").GetInt32(), result.GetProperty("childSession").GetInt32());
        Assert.Equal(result.GetProperty("pid").GetInt32(), result.GetProperty("group").GetInt32());

        static int SessionOf(int pid)
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[3], CultureInfo.InvariantCulture);
        }
    }

    [Fact]
    public async Task PrintStderrLoggingAndFileDescriptorWritesAreCapturedPerInvocation()
    {
        await using var function = Create(fixture.Pool, """
            import logging, os, sys

            def main(event, context):
                n = event["n"]
                print("printed", n)
                print("to stderr", n, file=sys.stderr)
                sys.stdout.write("partial ")
                sys.stdout.write("line %d\n" % n)
                logging.debug("debug %d", n)
                logging.info("info %d", n)
                logging.warning("warning %d", n)
                logging.error("error %d", n)
                logging.critical("critical %d", n)
                os.write(1, b"fd one %d\n" % n)
                os.write(2, b"fd two %d\n" % n)
                # A fake frame header on fd 1 must not reach the protocol.
                os.write(1, b"\x00\x00\x00\x05junk\n")
                return {"n": n}
            """);

        var first = await function.InvokeAsync(Json("""{"n":1}"""));
        var second = await function.InvokeAsync(Json("""{"n":2}"""));

        Assert.Equal(1, first.JsonBody().GetProperty("n").GetInt32());
        Assert.Equal(2, second.JsonBody().GetProperty("n").GetInt32());
        var lines = first.Logs.Select(l => (l.Level, l.Message)).ToList();
        Assert.Contains(("log", "printed 1"), lines);
        Assert.Contains(("error", "to stderr 1"), lines);
        Assert.Contains(("log", "partial line 1"), lines);
        Assert.Contains(("info", "info 1"), lines);
        Assert.Contains(("warn", "warning 1"), lines);
        Assert.Contains(("error", "error 1"), lines);
        Assert.Contains(("error", "critical 1"), lines);
        Assert.Contains(("log", "fd one 1"), lines);
        Assert.Contains(("error", "fd two 1"), lines);
        Assert.DoesNotContain(lines, l => l.Message.Contains("debug", StringComparison.Ordinal));
        Assert.DoesNotContain(second.Messages(), m => m.EndsWith(" 1", StringComparison.Ordinal));
        Assert.Contains("printed 2", second.Messages());
        Assert.Contains("fd two 2", second.Messages());
        Assert.All(first.Logs, l => Assert.InRange(l.Timestamp, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1)));
    }

    [Fact]
    public async Task TheFunctionSeesItsOwnEnvironmentAndNothingOfTheHosts()
    {
        var hostVariables = Environment.GetEnvironmentVariables().Keys.Cast<string>().ToList();
        Assert.Contains("PATH", hostVariables);
        await using var function = Create(fixture.Pool, """
            import os

            def main(event, context):
                return {"env": dict(os.environ)}
            """, s => s with { Env = s.Env.Add("GREETING", "hej").Add("API_URL", "http://example") });

        var env = (await function.InvokeAsync(Empty())).JsonBody().GetProperty("env");

        // Besides its own env, a sandboxed function gets the proxy variables of its egress relay.
        string[] proxies = ["ALL_PROXY", "HTTPS_PROXY", "HTTP_PROXY", "all_proxy", "http_proxy", "https_proxy"];
        var names = env.EnumerateObject().Select(p => p.Name).Where(n => !proxies.Contains(n)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["API_URL", "GREETING"], names);
        Assert.All(proxies, p => Assert.StartsWith("http://127.0.0.1:", env.GetProperty(p).GetString(), StringComparison.Ordinal));
        Assert.Equal("hej", env.GetProperty("GREETING").GetString());
        Assert.DoesNotContain(names, hostVariables.Contains);
    }

    [Fact]
    public async Task TheWorkingDirectoryIsPrivateAndRemovedWithTheFunction()
    {
        var function = Create(fixture.Pool, """
            import os, stat, tempfile

            def main(event, context):
                with open("scratch.txt", "w") as f:
                    f.write("mine")
                fd, temp = tempfile.mkstemp()
                os.close(fd)
                cwd = os.getcwd()
                return {"cwd": cwd, "mode": stat.S_IMODE(os.stat(cwd).st_mode), "owner": os.stat(cwd).st_uid, "uid": os.getuid(),
                        "temp": temp, "files": sorted(os.listdir(cwd)), "pidns": os.readlink("/proc/self/ns/pid")}
            """);
        string pidns;
        try
        {
            var body = (await function.InvokeAsync(Empty())).JsonBody();
            var cwd = body.GetProperty("cwd").GetString()!;
            pidns = body.GetProperty("pidns").GetString()!;

            // The function's directory is a tmpfs of its sandbox (nothing of it is on the host's disk), its own.
            Assert.Equal("/function", cwd);
            Assert.Equal(Convert.ToInt32("700", 8), body.GetProperty("mode").GetInt32());
            Assert.Equal(body.GetProperty("uid").GetInt32(), body.GetProperty("owner").GetInt32());
            Assert.StartsWith(cwd + "/", body.GetProperty("temp").GetString(), StringComparison.Ordinal);
            Assert.Contains("scratch.txt", body.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
            Assert.False(File.Exists(Path.Combine(cwd, "scratch.txt")));
        }
        finally
        {
            await function.DisposeAsync();
        }

        // With its last process the sandbox and its tmpfs are gone.
        Assert.True(await NamespaceGoneAsync(pidns));
    }

    [Fact]
    public async Task ASyntaxErrorIsReportedAtValidationWithLineAndColumn()
    {
        var error = await PythonFunction.ValidateAsync(Definition("def main(event, context):\n    x = 1 +\n    return x\n"), fixture.Pool, Limits);

        Assert.NotNull(error);
        Assert.Equal(CodeErrorKinds.Compile, error.Kind);
        Assert.StartsWith("SyntaxError: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Line);
        Assert.Equal(12, error.Column);
    }

    [Fact]
    public async Task AnIndentationErrorIsACompileErrorWithItsLine()
    {
        var error = await PythonFunction.ValidateAsync(Definition("def main(event, context):\nreturn 1\n"), fixture.Pool, Limits);

        Assert.NotNull(error);
        Assert.Equal(CodeErrorKinds.Compile, error.Kind);
        Assert.StartsWith("IndentationError: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public async Task AnExceptionWhileLoadingIsALoadErrorWithItsLine()
    {
        var error = await PythonFunction.ValidateAsync(Definition("import os\n\nCONFIG = {}\nURL = CONFIG['url']\n\ndef main(event, context):\n    return 1\n"), fixture.Pool, Limits);

        Assert.NotNull(error);
        Assert.Equal(CodeErrorKinds.Load, error.Kind);
        Assert.Equal("KeyError: 'url'", error.Message);
        Assert.Equal(4, error.Line);
    }

    [Fact]
    public async Task AMissingHandlerIsAHandlerError()
    {
        var error = await PythonFunction.ValidateAsync(Definition("def other(event, context):\n    return 1\n"), fixture.Pool, Limits);

        Assert.NotNull(error);
        Assert.Equal(CodeErrorKinds.Handler, error.Kind);
        Assert.Contains("main", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidationLoadsInAScratchWorkerAndEndsIt()
    {
        // The module reports its PID namespace to the fixture's server while it loads.
        var key = Guid.NewGuid().ToString("N");
        var code = $"import os, urllib.request\n\nurllib.request.urlopen('http://127.0.0.1:{fixture.Server.Port}/report?key={key}&value=' + os.readlink('/proc/self/ns/pid')).read()\n\ndef main(event, context):\n    return 1\n";

        Assert.Null(await PythonFunction.ValidateAsync(Definition(code), fixture.Pool, Limits));

        var pidns = Assert.Single(fixture.Server.Reported(key));
        Assert.True(await NamespaceGoneAsync(pidns), $"scratch worker of {pidns} is still running");
    }

    [Fact]
    public async Task ARuntimeExceptionAnswers500WithItsTypeAndMessageAndTheTracebackInTheLogs()
    {
        await using var function = Create(fixture.Pool, """
            def check(value):
                if value < 0:
                    raise ValueError("negative: %d" % value)
                return value

            def main(event, context):
                return {"value": check(event["value"])}
            """);

        var failed = await function.InvokeAsync(Json("""{"value":-1}"""));
        var fine = await function.InvokeAsync(Json("""{"value":1}"""));

        Assert.Equal(500, failed.StatusCode);
        Assert.Equal(InvocationOutcomes.Error, failed.Outcome);
        Assert.Equal("ValueError: negative: -1", failed.Error);
        var traceback = Assert.Single(failed.Logs, l => l.Level == "error" && l.Message.StartsWith("Traceback", StringComparison.Ordinal));
        Assert.Contains("line 3, in check", traceback.Message, StringComparison.Ordinal);
        Assert.Contains("ValueError: negative: -1", traceback.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("granary_", traceback.Message, StringComparison.Ordinal);
        Assert.Equal(1, fine.JsonBody().GetProperty("value").GetInt32());
    }

    [Fact]
    public async Task AColdStartTakesAWarmWorkerAndOnlyLoadsTheCode()
    {
        await fixture.Pool.WarmUpAsync(TestContext.Current.CancellationToken);
        await using var function = Create(fixture.Pool, Hello);

        var cold = await function.InvokeAsync(Empty());
        var warm = await function.InvokeAsync(Empty());

        Assert.True(cold.Cold);
        Assert.False(warm.Cold);
        Assert.Equal(cold.Pid(), warm.Pid());
        Assert.InRange(cold.InitMs, 0, 1000);
    }

    [Fact]
    public async Task InvocationsRunInParallelUpToMaxConcurrencyInSeparateWorkers()
    {
        await using var function = Create(fixture.Pool, """
            import os, time

            def main(event, context):
                start = time.time()
                time.sleep(0.5)
                return {"pid": os.getpid(), "pidns": os.readlink("/proc/self/ns/pid"), "start": start, "end": time.time()}
            """, s => s with { MaxConcurrency = 4, TimeoutSeconds = 30 });
        Assert.Null(await function.WarmUpAsync());

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => function.InvokeAsync(Empty())));

        // Four workers are started for the queue; which of them serve the eight calls depends on how long a spawn takes
        // against the 0.5 s a call takes (on a loaded machine a worker that came free first took a queued call from the
        // last one to start): at least two, never more than four, each in its own process.
        Assert.All(results, r => Assert.Equal(200, r.StatusCode));
        Assert.InRange(results.Select(r => r.Pid()).Distinct().Count(), 2, 4);
        Assert.Equal(4, function.Instances);

        // When each call ran: side by side (one at a time would never overlap), never more than four at once.
        var runs = results.Select(r => JsonDocument.Parse(r.Text()).RootElement).Select(r => (r.GetProperty("start").GetDouble(), r.GetProperty("end").GetDouble()));
        Assert.InRange(MostAtOnce(runs), 2, 4);
    }

    [Fact]
    public async Task QueuedInvocationsRunOneAfterAnotherOnTheWorkerTheLastOneFreedEachWithItsOwnAnswer()
    {
        // One worker: every invocation past the first queues, and the call that frees the worker starts the next on the
        // worker's reader thread.
        await using var function = Create(fixture.Pool, Hello, s => s with { MaxConcurrency = 1, TimeoutSeconds = 30 });
        Assert.Null(await function.WarmUpAsync());

        var names = Enumerable.Range(0, 40).Select(i => $"caller-{i}").ToArray();
        var results = await Task.WhenAll(names.Select(name => function.InvokeAsync(Json($$"""{"name":"{{name}}"}"""))));

        Assert.All(results, r => Assert.Equal(200, r.StatusCode));
        Assert.Equal(names, results.Select(r => r.JsonBody().GetProperty("hello").GetString()));
        Assert.Single(results.Select(r => r.Pid()).Distinct());
        Assert.Equal(1, function.Instances);
    }

    // Computes for about a millisecond, or sleeps when asked to (the call then waits rather than computes); says which
    // worker served it (each sandboxed worker has a PID namespace of its own).
    private const string ComputesOrSleeps = """
        import os, time

        def main(event, context):
            if event.get("sleep"):
                time.sleep(event["sleep"])
            else:
                sum(range(50000))
            return {"worker": os.readlink("/proc/self/ns/pid") + ":" + str(os.getpid())}
        """;

    private static int Workers(IEnumerable<ExecutionResult> results) =>
        results.Select(r => r.JsonBody().GetProperty("worker").GetString()).Distinct().Count();

    // A warm function of ComputesOrSleeps allowed four workers more than cores.
    private async Task<PythonFunction> ComputesOrSleepsAsync()
    {
        var function = Create(fixture.Pool, ComputesOrSleeps, s => s with { MaxConcurrency = Environment.ProcessorCount + 4, TimeoutSeconds = 30 });
        Assert.Null(await function.WarmUpAsync());
        return function;
    }

    // The same, whose first calls showed that it computes.
    private async Task<PythonFunction> ComputingFunctionAsync()
    {
        var function = await ComputesOrSleepsAsync();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(200, (await function.InvokeAsync(Empty())).StatusCode);
        }

        return function;
    }

    [Fact]
    public async Task AFunctionWhoseCallsComputeGetsNoMoreWorkersThanCoresForItsQueue()
    {
        var cores = Environment.ProcessorCount;
        await using var function = await ComputingFunctionAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => function.InvokeAsync(Empty())));

        // Workers beyond the cores would only take turns: the queue waits for the ones there are.
        Assert.All(results, r => Assert.Equal(200, r.StatusCode));
        Assert.InRange(function.Instances, 1, cores);
        Assert.InRange(Workers(results), 1, cores);
    }

    [Fact]
    public async Task ACallThatWaitsLiftsTheCapAndTheCallsQueuedUnderItGetWorkersOfTheirOwn()
    {
        var cores = Environment.ProcessorCount;
        await using var function = await ComputingFunctionAsync();

        // They queue under the cap at first; the first to end shows that the function now waits.
        var results = await Task.WhenAll(Enumerable.Range(0, cores + 4).Select(_ => function.InvokeAsync(Json("""{"sleep":0.5}"""))));

        Assert.All(results, r => Assert.Equal(200, r.StatusCode));
        Assert.True(function.Instances > cores, $"{function.Instances} workers for {cores + 4} sleeping calls on {cores} cores");
        Assert.True(Workers(results) > cores, $"the sleeping calls ran on {Workers(results)} workers");
    }

    [Fact]
    public async Task WorkersABurstStartedBeyondTheCoresGoOnceTheFunctionHasComputedForLong()
    {
        var cores = Environment.ProcessorCount;
        await using var function = await ComputesOrSleepsAsync();

        // Calls that wait scale it to its maxConcurrency.
        var waiting = await Task.WhenAll(Enumerable.Range(0, cores + 4).Select(_ => function.InvokeAsync(Json("""{"sleep":0.3}"""))));
        Assert.All(waiting, r => Assert.Equal(200, r.StatusCode));
        Assert.Equal(cores + 4, function.Instances);

        // Then it computes, with a queue, for a few hundred calls: the workers beyond the cores go as they come free.
        var computing = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            var statuses = new List<int>();
            for (var i = 0; i < 25; i++)
            {
                statuses.Add((await function.InvokeAsync(Empty())).StatusCode);
            }

            return statuses;
        }));

        Assert.All(computing.SelectMany(s => s), status => Assert.Equal(200, status));
        Assert.InRange(function.Instances, 1, cores);
    }

    // The most intervals that overlap at any instant (an end before a start at the same instant).
    private static int MostAtOnce(IEnumerable<(double Start, double End)> intervals) =>
        intervals.SelectMany(i => new[] { (At: i.Start, Step: 1), (At: i.End, Step: -1) })
            .OrderBy(e => e.At).ThenBy(e => e.Step)
            .Aggregate((Now: 0, Most: 0), (s, e) => (s.Now + e.Step, Math.Max(s.Most, s.Now + e.Step))).Most;

    [Fact]
    public async Task DisposingTheFunctionEndsItsWorkerProcesses()
    {
        var function = Create(fixture.Pool, Barrier, s => s with { MaxConcurrency = 3 });
        var pids = await RunTogetherAsync(function, 3);
        Assert.Equal(3, pids.Count);
        Assert.All(pids, pid => Assert.True(ProcessExists(pid)));

        await function.DisposeAsync();

        foreach (var pid in pids)
        {
            Assert.True(await ProcessGoneAsync(pid), $"worker {pid} is still running");
            Assert.ThrowsAny<ArgumentException>(() => Process.GetProcessById(pid));
        }

        await Assert.ThrowsAsync<ObjectDisposedException>(() => function.InvokeAsync(Empty()));
    }

    [Fact]
    public async Task TrimIdleEndsTheSurplusWorkersAndKeepsOne()
    {
        await using var function = Create(fixture.Pool, Barrier, s => s with { MaxConcurrency = 3 });
        var pids = await RunTogetherAsync(function, 3);
        Assert.Equal(3, pids.Count);

        var trimmed = function.TrimIdle(TimeSpan.Zero);

        Assert.Equal(2, trimmed);
        Assert.Equal(1, function.Instances);
        var kept = Assert.Single(await RunTogetherAsync(function, 1));
        Assert.Contains(kept, pids);
        foreach (var pid in pids.Where(p => p != kept))
        {
            Assert.True(await ProcessGoneAsync(pid), $"trimmed worker {pid} is still running");
        }

        Assert.True(ProcessExists(kept));
    }

    [Fact]
    public async Task ASpecialisedWorkerIsNeverReturnedToThePool()
    {
        // A pool of its own, so that no other test rents from it in between.
        await using var pool = new WorkerPool(Options.Create(new WorkerRuntimeOptions { Interpreter = PythonPoolFixture.Interpreter, WarmWorkers = 1 }), NullLogger<WorkerPool>.Instance);
        await pool.WarmUpAsync(TestContext.Current.CancellationToken);
        var function = Create(pool, Hello);
        var used = (await function.InvokeAsync(Empty())).Pid();
        await function.DisposeAsync();

        await pool.WarmUpAsync(TestContext.Current.CancellationToken);
        await using var next = await pool.RentAsync(TestContext.Current.CancellationToken);

        Assert.NotEqual(used, next.ProcessId);
        Assert.False(next.IsLoaded);
        Assert.True(await ProcessGoneAsync(used));
    }

    [Fact]
    public async Task ABurstOfColdStartsRaisesThePoolsTargetAndEveryCallIsServedByTheRefill()
    {
        await using var pool = new WorkerPool(Options.Create(new WorkerRuntimeOptions { Interpreter = PythonPoolFixture.Interpreter, WarmWorkers = 1, MaxWarmWorkers = 6 }), NullLogger<WorkerPool>.Instance);
        await pool.WarmUpAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, pool.Target);

        // Six cold starts at once against one ready worker: the other five wait for workers the refill starts.
        var rented = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => pool.RentAsync(TestContext.Current.CancellationToken)));
        var target = pool.Target;

        // The pool now keeps as many ready as the last second's cold starts, ahead of the next burst.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (pool.ReadyCount < 6)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{pool.ReadyCount} workers ready after the burst, target {pool.Target}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.Equal(6, rented.Select(w => w.ProcessId).Distinct().Count());
        Assert.All(rented, w => Assert.False(w.IsLoaded));
        Assert.Equal(6, target);
        Assert.Equal(12, pool.LiveCount);
        foreach (var worker in rented)
        {
            await worker.DisposeAsync();
        }
    }

    [Fact]
    public async Task DisposingThePoolEndsEveryWorkerItStarted()
    {
        var pool = new WorkerPool(Options.Create(new WorkerRuntimeOptions { Interpreter = PythonPoolFixture.Interpreter, WarmWorkers = 2 }), NullLogger<WorkerPool>.Instance);
        await pool.WarmUpAsync(TestContext.Current.CancellationToken);
        var rented = await pool.RentAsync(TestContext.Current.CancellationToken);
        await pool.WarmUpAsync(TestContext.Current.CancellationToken);
        Assert.Equal(3, pool.LiveCount);
        var pids = new List<int> { rented.ProcessId };
        for (var i = 0; i < 2; i++)
        {
            var worker = await pool.RentAsync(TestContext.Current.CancellationToken);
            pids.Add(worker.ProcessId);
        }

        await pool.DisposeAsync();

        foreach (var pid in pids)
        {
            Assert.True(await ProcessGoneAsync(pid), $"worker {pid} is still running");
        }

        Assert.Equal(0, pool.LiveCount);
    }

    [Fact]
    public async Task AHostCallReachesTheSnippetCacheAndReturnsItsValue()
    {
        // The worker's host object is what the adapters hand to snippets; reached here through the worker's module.
        var cache = new CountingCache();
        await using var function = Create(fixture.Pool, """
            import sys

            def main(event, context):
                host = sys.modules["__main__"]._host
                first = host.cache_incr("hits", 2)
                second = host.call("cache.incr", {"key": "hits", "delta": 0.5})
                try:
                    host.call("cache.nope", {})
                    refused = None
                except RuntimeError as e:
                    refused = str(e)
                return {"first": first, "second": second, "refused": refused}
            """, cache: cache);

        var body = (await function.InvokeAsync(Empty())).JsonBody();

        Assert.Equal(2, body.GetProperty("first").GetDouble());
        Assert.Equal(2.5, body.GetProperty("second").GetDouble());
        Assert.Contains("cache.nope", body.GetProperty("refused").GetString(), StringComparison.Ordinal);
        Assert.Equal(2.5, cache.Value("hits"));
    }

    /// <summary>A real in-memory cache: an atomic counter per key.</summary>
    private sealed class CountingCache : ISnippetCache
    {
        private readonly Dictionary<string, double> _values = [];
        private readonly Lock _gate = new();

        public Task<double> IncrementAsync(string key, double delta)
        {
            lock (_gate)
            {
                var value = _values.GetValueOrDefault(key) + delta;
                _values[key] = value;
                return Task.FromResult(value);
            }
        }

        public double Value(string key)
        {
            lock (_gate)
            {
                return _values.GetValueOrDefault(key);
            }
        }
    }
}
