using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Granary.Bench;

/// <summary>One row of the scale-out throughput table: the I/O-bound function under 36 wrk callers through two gateways.</summary>
internal sealed record ScaleOutRow(int Silos, int MaxInstances, double RequestsPerSecond, long NonSuccess, int Instances, int DistinctSilos)
{
    public string Label => $"{Silos} silo{(Silos == 1 ? "" : "s")}, maxInstances {MaxInstances}";
}

/// <summary>Per-call latency at one connection of the CPU-bound function with one instance and with three live ones.</summary>
/// <remarks><see cref="Control"/> is a second one-instance function measured the same way: the spread between two alike functions.</remarks>
internal sealed record RouterCost(
    LatencyStats One, LatencyStats Control, LatencyStats Three, int LiveInstances, int AfterCpuLoad, IReadOnlyDictionary<string, string> FirstInstanceSilo, IReadOnlyList<(double One, double Control, double Three)> RoundMeans);

/// <summary>The figures of the scale-out section.</summary>
internal sealed record ScaleOutResult(
    IReadOnlyList<ScaleOutRow> Throughput,
    LatencyStats SecondInstanceFromRecords,
    LatencyStats SecondInstanceFromStatus,
    int Runs,
    RouterCost? Router,
    EmbeddedHello Hello);

/// <summary>The embedded gateway's hello under wrk -t2 -c64, per round: this build, and an earlier one (--before-gateway) if given.</summary>
internal sealed record EmbeddedHello(IReadOnlyList<double> This, IReadOnlyList<double> Before, string? BeforeGateway)
{
    public static double Median(IReadOnlyList<double> values) => values.Count == 0 ? double.NaN : values.Order().ElementAt(values.Count / 2);
}

/// <summary>
/// Scale-out (<c>--only scaleout</c>), on README-style clusters of separate processes (redis membership, PostgreSQL
/// storage, client-mode gateways): (1) the I/O-bound function of the acceptance check (50 ms timer, maxConcurrency 4)
/// under 36 <c>wrk</c> callers through two gateways, with maxInstances 1 and 3, on one silo and on three; (2) on three
/// silos, the time from load start to the first call served by a second instance, over fresh functions; (3) the cost per
/// call of routing among three live instances against one, for a CPU-bound function at one connection (no scaling at
/// one connection: an instance with one call in flight is never busy); then the embedded gateway's hello under
/// <c>wrk -t2 -c64</c>, a one-instance function on the path every call takes.
/// </summary>
internal static partial class ScaleOutBench
{
    private const string Wrk = "/usr/bin/wrk";
    private const string Workspace = "/api/v1/tenants/default/workspaces/so/functions";
    private const string Invoke = "/fn/default/so";
    private const int Callers = 36;
    private const int RiseRuns = 7;
    private static readonly TimeSpan RiseWindow = TimeSpan.FromSeconds(8);
    private const int RouterRounds = 5;
    private const int HelloRounds = 3;
    private const double RouterTarget = 0.05;
    private const string IoCode = "module.exports = async () => { await new Promise(r => setTimeout(r, 50)); return \"io\" }";

    // Spins for 1 ms of wall time: a fixed cost per call whatever else the machine runs, so the difference is the route.
    // With ?hot=1 it waits 50 ms instead, as the I/O-bound function does: the load that scales it out for certain.
    private const string CpuCode =
        "module.exports = async (event, context) => { if (context.query.hot) { await new Promise(r => setTimeout(r, 50)); return \"cpu\" } " +
        "const end = process.hrtime.bigint() + 1000000n; while (process.hrtime.bigint() < end) {} return \"cpu\" }";

    /// <summary>Why the section cannot run on this machine, or null when it can.</summary>
    public static string? Unavailable()
    {
        foreach (var (program, package) in new[] { (Wrk, "wrk"), ("/usr/bin/redis-server", "redis-server"), ("/usr/bin/pg_ctlcluster", "postgresql") })
        {
            if (!File.Exists(program))
            {
                return $"{program} is missing; install it with: apt-get install -y {package}";
            }
        }

        return ClusterBench.Programs.Locate().Missing;
    }

    public static async Task<ScaleOutResult?> MeasureAsync(Options options, ErrorLog errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        var started = Stopwatch.GetTimestamp();
        var snapshot = Directory.CreateTempSubdirectory("granary-bench-programs-").FullName;
        var database = $"granary_bench_{Environment.ProcessId}";
        var processes = new List<ChildProcess>();
        try
        {
            var programs = ClusterBench.Programs.Locate().CopyTo(snapshot);
            await CreateDatabaseAsync(database);
            var redis = await ClusterBench.StartRedisAsync();
            processes.Add(redis);
            Console.WriteLine(
                $"Scale-out: clusters of separate processes (redis-server on 127.0.0.1:{redis.Port}, PostgreSQL database {database}, " +
                $"Granary__Scaling__RetireAfterSeconds=600 so that extra instances stay for part 3); wrk -t1 -c{Callers / 2} on each of 2 client gateways");

            var rows = new List<ScaleOutRow>();
            await using (var one = await Cluster.StartAsync(1, programs, redis.Port, database, processes))
            {
                rows.AddRange(await ThroughputAsync(one, options, errors));
            }

            await using var three = await Cluster.StartAsync(3, programs, redis.Port, database, processes);
            rows.AddRange(await ThroughputAsync(three, options, errors));
            var (fromRecords, fromStatus) = await SecondInstanceAsync(three, errors);
            var router = await RouterCostAsync(three, options, errors);
            await three.DisposeAsync();

            var hello = await EmbeddedHelloAsync(programs, options, errors);
            Console.WriteLine($"  scale-out section took {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s");
            return new ScaleOutResult(rows, fromRecords, fromStatus, RiseRuns, router, hello);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or IOException or JsonException)
        {
            Console.WriteLine($"  scale-out section aborted: {ex.Message}");
            errors.Add("scaleout: section aborted", ex.Message);
            foreach (var process in processes.Where(p => p.HasExited))
            {
                errors.Add($"scaleout: {process.Name} exited", $"code {process.ExitCode}: {process.Tail()}");
            }

            return null;
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }

            await DropDatabaseAsync(database);
            LocalMachine.DeleteDirectory(snapshot);
        }
    }

    /// <summary>Prints the scale-out tables and the target line.</summary>
    public static void PrintTable(ScaleOutResult result, Options options)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        Console.WriteLine();
        Console.WriteLine(
            $"Scale-out: I/O-bound function (50 ms timer, maxConcurrency 4), {Callers} wrk callers over 2 client gateways, " +
            $"{options.Duration.TotalSeconds:F0} s after a 3 s warm-up (redis membership, PostgreSQL storage)");
        Console.WriteLine($"  {"configuration",-32}{"req/s",10}{"non-2xx",10}{"instances",11}{"silos",7}");
        foreach (var row in result.Throughput)
        {
            Console.WriteLine($"  {row.Label,-32}{F(row.RequestsPerSecond, "F0"),10}{row.NonSuccess,10}{row.Instances,11}{row.DistinctSilos,7}");
        }

        var rise = result.SecondInstanceFromRecords;
        var seen = result.SecondInstanceFromStatus;
        Console.WriteLine(
            $"Time from load start ({Callers} callers) to the second instance serving, 3 silos, maxInstances 3, {result.Runs} runs of a fresh function per way (ms)");
        Console.WriteLine($"  {"measured by",-60}{"n",4}{"p50",8}{"p90",8}{"max",8}{"min",8}");
        Console.WriteLine($"  {"(a) first record with shard >= 1: its startedAt - load start",-60}{rise.Count,4}{F(rise.P50, "F0"),8}{F(rise.P90, "F0"),8}{F(rise.Max, "F0"),8}{F(rise.Min, "F0"),8}");
        Console.WriteLine($"  {"(b) other runs: status read every 10 ms until shard >= 1 runs",-60}{seen.Count,4}{F(seen.P50, "F0"),8}{F(seen.P90, "F0"),8}{F(seen.Max, "F0"),8}{F(seen.Min, "F0"),8}");

        if (result.Router is { } router)
        {
            Console.WriteLine(
                $"Routing cost: CPU-bound function (1 ms spin), 3 silos, one client gateway, one connection, {router.One.Count} calls each, taking turns call by call (ms)");
            Console.WriteLine($"  cpu3: {router.AfterCpuLoad} instance(s) after 3 s of the CPU-bound load itself, {router.LiveInstances} after the I/O-bound load (?hot=1) and the rounds");
            Console.WriteLine($"  {"function (silo of its first instance)",-44}{"mean",9}{"p50",9}{"p90",9}{"p99",9}");
            Latencies($"maxInstances 1 ({router.FirstInstanceSilo["cpu1"]})", router.One);
            Latencies($"maxInstances 1, control ({router.FirstInstanceSilo["cpu1b"]})", router.Control);
            Latencies($"maxInstances 3, {router.LiveInstances} live ({router.FirstInstanceSilo["cpu3"]})", router.Three);
            Console.WriteLine(
                $"  {"maxInstances 3 vs 1",-44}{Percent(router.Three.Mean, router.One.Mean),9}{Percent(router.Three.P50, router.One.P50),9}{Percent(router.Three.P90, router.One.P90),9}{Percent(router.Three.P99, router.One.P99),9}");
            Console.WriteLine(
                $"  {"control vs maxInstances 1 (no router change)",-44}{Percent(router.Control.Mean, router.One.Mean),9}{Percent(router.Control.P50, router.One.P50),9}{Percent(router.Control.P90, router.One.P90),9}{Percent(router.Control.P99, router.One.P99),9}");
            Console.WriteLine($"  means of each fifth (1 / control / 3): {string.Join("; ", router.RoundMeans.Select(r => $"{F(r.One, "F3")} / {F(r.Control, "F3")} / {F(r.Three, "F3")}"))}");
        }

        var hello = result.Hello;
        Console.WriteLine(
            $"Embedded single-node gateway, hello (one instance), wrk -t2 -c64, {options.Duration.TotalSeconds:F0} s per run: " +
            $"{F(EmbeddedHello.Median(hello.This), "F0")} req/s (median of {string.Join(", ", hello.This.Select(r => F(r, "F0")))})");
        if (hello.Before.Count > 0)
        {
            Console.WriteLine(
                $"  the same, --before-gateway {hello.BeforeGateway}: {F(EmbeddedHello.Median(hello.Before), "F0")} req/s " +
                $"(median of {string.Join(", ", hello.Before.Select(r => F(r, "F0")))}, runs taking turns with this build); this build / before: " +
                $"{EmbeddedHello.Median(hello.This) / EmbeddedHello.Median(hello.Before):F2}");
        }
    }

    /// <summary>The target line of the summary.</summary>
    public static IEnumerable<string> TargetLines(ScaleOutResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Router is { } router)
        {
            // Judged on the median: the router adds a constant per call, which moves the median; the mean at one connection
            // also carries stalls of tens of ms from other work on a shared machine (see p99), which land on either side.
            var median = (router.Three.P50 / router.One.P50) - 1;
            var mean = (router.Three.Mean / router.One.Mean) - 1;
            yield return
                $"scale-out routing cost per call <= {RouterTarget:P0} (one connection, {router.LiveInstances} live instances vs 1): p50 {median:+0.0%;-0.0%}  " +
                $"{(median <= RouterTarget ? "MET" : "NOT MET")} (mean {mean:+0.0%;-0.0%})";
        }

        var rows = result.Throughput.ToDictionary(r => (r.Silos, r.MaxInstances));
        if (rows.TryGetValue((3, 1), out var single) && rows.TryGetValue((3, 3), out var scaled))
        {
            var ratio = scaled.RequestsPerSecond / single.RequestsPerSecond;
            yield return $"scale-out throughput on 3 silos, maxInstances 3 >= 2.5x maxInstances 1: {ratio:F2}x  {(ratio >= 2.5 ? "MET" : "NOT MET")}";
        }
    }

    // Part 1: on this cluster, the I/O-bound function with maxInstances 1 and 3, each warmed up then measured.
    private static async Task<List<ScaleOutRow>> ThroughputAsync(Cluster cluster, Options options, ErrorLog errors)
    {
        var rows = new List<ScaleOutRow>();
        foreach (var maxInstances in new[] { 1, 3 })
        {
            var name = $"io{maxInstances}";
            await DeployAsync(cluster.Api, name, IoCode, maxInstances);
            await FirstCallAsync(cluster, name, "io", errors);
            await DriveAsync(cluster, name, TimeSpan.FromSeconds(3), errors, $"{name} warm-up");

            // The status is read near the end of the load, while the instances serve it.
            var load = DriveAsync(cluster, name, options.Duration, errors, name);
            await Task.Delay(options.Duration * 0.8);
            var (instances, silos) = await InstancesAsync(cluster.Api, name);
            var (rps, nonSuccess) = await load;
            var row = new ScaleOutRow(cluster.Silos.Count, maxInstances, rps, nonSuccess, instances, silos);
            Console.WriteLine($"  {row.Label}: {rps:F0} req/s, non-2xx {nonSuccess}, {instances} instance(s) on {silos} silo(s)");
            rows.Add(row);
        }

        return rows;
    }

    // Part 2: a fresh function per run, called once through each gateway (its first instance active, both routes known),
    // then 36 callers; the time until a call is served by shard 1 or later, measured two ways in separate runs, since
    // each way reads from the function's definition grain, which also serves the gateways' reads of the live set:
    // (a) the invocation records (startedAt, the silo's clock on this machine, minus the load start), read every 500 ms
    // (the history keeps the last 100 records, more than 500 ms of calls here); (b) the status, read every 10 ms, until it
    // lists a shard >= 1 instance as running.
    private static async Task<(LatencyStats FromRecords, LatencyStats FromStatus)> SecondInstanceAsync(Cluster cluster, ErrorLog errors)
    {
        var fromRecords = new List<double>();
        var fromStatus = new List<double>();
        for (var run = 1; run <= 2 * RiseRuns; run++)
        {
            var byStatus = run % 2 == 0;
            var name = $"rise{run}";
            await DeployAsync(cluster.Api, name, IoCode, maxInstances: 3);
            await FirstCallAsync(cluster, name, "io", errors);
            await Task.Delay(500);

            var loadStart = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            var wrk = cluster.Gateways.Select(g => StartWrk(new Uri(g.Http, $"{Invoke}/{name}"), 1, Callers / cluster.Gateways.Count, RiseWindow)).ToArray();
            double? found = null;
            try
            {
                while (found is null && clock.Elapsed < RiseWindow)
                {
                    await Task.Delay(byStatus ? 10 : 500);
                    found = byStatus ? await SeenRunningAsync(cluster.Api, name, clock) : await FirstServedAsync(cluster.Api, name, loadStart);
                }
            }
            finally
            {
                // The load stops once the answer is in; what wrk counted of a cut run is not used.
                foreach (var process in wrk)
                {
                    process.Kill();
                    await process.WaitForExitAsync();
                    process.Dispose();
                }
            }

            var how = byStatus ? "seen running in the status" : "first call served (records)";
            Console.WriteLine($"  run {run}: second instance {how} {F(found ?? double.NaN, "F0")} ms after load start");
            if (found is not { } ms)
            {
                errors.Add("scaleout: no second instance", $"{name}: no shard >= 1 ({how}) within {RiseWindow.TotalSeconds:F0} s of load start");
            }
            else
            {
                (byStatus ? fromStatus : fromRecords).Add(ms);
            }
        }

        return (LatencyStats.From(fromRecords), LatencyStats.From(fromStatus));
    }

    private static async Task<double?> SeenRunningAsync(HttpClient api, string name, Stopwatch clock)
    {
        using var status = await GetJsonAsync(api, $"{Workspace}/{name}");
        return Instances(status.RootElement).Any(i => i.Shard >= 1 && i.State == "running") ? clock.Elapsed.TotalMilliseconds : null;
    }

    private static async Task<double?> FirstServedAsync(HttpClient api, string name, DateTimeOffset loadStart)
    {
        using var records = await GetJsonAsync(api, $"{Workspace}/{name}/invocations?limit=100");
        var served = records.RootElement.GetProperty("invocations").EnumerateArray()
            .Where(r => r.GetProperty("shard").GetInt32() >= 1)
            .Select(r => r.GetProperty("startedAt").GetDateTimeOffset())
            .ToArray();
        return served.Length > 0 ? (served.Min() - loadStart).TotalMilliseconds : null;
    }

    // Part 3: cpu1 and cpu1b (one instance each; cpu1b is the control: how far two alike functions differ) and cpu3
    // (driven hot until three instances live), then all three at one connection through one gateway, call by call in
    // turn; at one connection the router always picks the first instance, so what differs is what choosing among
    // three costs per call, and where each function's first instance runs.
    private static async Task<RouterCost> RouterCostAsync(Cluster cluster, Options options, ErrorLog errors)
    {
        string[] names = ["cpu1", "cpu1b", "cpu3"];
        var gateway = cluster.Gateways[0];
        var live = 0;
        var byCpuLoad = 0;
        foreach (var name in names)
        {
            await DeployAsync(cluster.Api, name, CpuCode, maxInstances: name == "cpu3" ? 3 : 1);
            await FirstCallAsync(cluster, name, "cpu", errors);
            var (_, nonSuccess) = await RunWrkAsync(new Uri(gateway.Http, $"{Invoke}/{name}"), 1, Callers, TimeSpan.FromSeconds(3));
            AddNonSuccess(errors, $"{name} hot", nonSuccess);
            live = byCpuLoad = (await InstancesAsync(cluster.Api, name)).Instances;
        }

        // The CPU-bound load alone did not always scale it out on this machine; the I/O-bound load does.
        for (var attempt = 0; attempt < 5 && live < 3; attempt++)
        {
            var runs = cluster.Gateways.Select(g => RunWrkAsync(new Uri(g.Http, $"{Invoke}/cpu3?hot=1"), 1, Callers / cluster.Gateways.Count, TimeSpan.FromSeconds(2)));
            AddNonSuccess(errors, "cpu3 hot", (await Task.WhenAll(runs)).Sum(r => r.NonSuccess));
            live = (await InstancesAsync(cluster.Api, "cpu3")).Instances;
        }

        Console.WriteLine($"  cpu3 had {byCpuLoad} live instance(s) after 3 s of CPU-bound load ({Callers} callers, one gateway), {live} after the I/O-bound load (?hot=1)");
        using var client = new LoadGenerator(gateway.Http, 1);
        var expected = "cpu"u8.ToArray();
        var perRound = Math.Max(1, options.Sequential / RouterRounds);
        var samples = names.ToDictionary(n => n, _ => new List<double>());
        var roundMeans = new List<(double, double, double)>();
        foreach (var name in names)
        {
            await client.SequentialAsync($"{Invoke}/{name}", options.SequentialWarmUp, expected);
        }

        for (var round = 0; round < RouterRounds; round++)
        {
            // Call by call in turn, the order turning each time: a stall from other work on the machine lands on all alike.
            var roundErrors = new ErrorLog();
            for (var i = 0; i < perRound; i++)
            {
                for (var turn = 0; turn < names.Length; turn++)
                {
                    var name = names[(i + turn) % names.Length];
                    samples[name].Add(await client.SendAsync($"{Invoke}/{name}", expected, roundErrors));
                }
            }

            errors.AddRange(roundErrors);
            roundMeans.Add((samples["cpu1"].TakeLast(perRound).Average(), samples["cpu1b"].TakeLast(perRound).Average(), samples["cpu3"].TakeLast(perRound).Average()));
        }

        var after = (await InstancesAsync(cluster.Api, "cpu3")).Instances;
        if (after < 3)
        {
            errors.Add("scaleout: cpu3 not at 3 instances", $"{after} live instance(s) after the one-connection rounds");
        }

        var silos = new Dictionary<string, string>();
        foreach (var name in names)
        {
            using var status = await GetJsonAsync(cluster.Api, $"{Workspace}/{name}");
            silos[name] = string.Join(",", Instances(status.RootElement).Where(i => i.Shard == 0).Select(i => cluster.SiloName(i.Silo)));
        }

        var cost = new RouterCost(
            LatencyStats.From(samples["cpu1"]), LatencyStats.From(samples["cpu1b"]), LatencyStats.From(samples["cpu3"]), Math.Min(live, after), byCpuLoad, silos, roundMeans);
        Console.WriteLine(
            $"  routing cost: mean {cost.One.Mean:F3} ms and {cost.Control.Mean:F3} ms (one instance, on {silos["cpu1"]} and {silos["cpu1b"]}) " +
            $"vs {cost.Three.Mean:F3} ms ({cost.LiveInstances} instances, the first on {silos["cpu3"]})");
        return cost;
    }

    // The embedded gateway (its own silo, file storage) serving a hello with one instance, as the tenancy section drives it;
    // with --before-gateway, the same from an earlier build beside it, in rounds taking turns.
    private static async Task<EmbeddedHello> EmbeddedHelloAsync(ClusterBench.Programs programs, Options options, ErrorLog errors)
    {
        var storages = new List<string>();
        var gateways = new List<ChildProcess>();
        try
        {
            var builds = new List<(string Label, string Dll)> { ("this build", programs.Gateway) };
            if (options.BeforeGateway is { } before)
            {
                builds.Add(("--before-gateway", before));
            }

            foreach (var (label, dll) in builds)
            {
                var storage = Directory.CreateTempSubdirectory("granary-bench-scaleout-").FullName;
                storages.Add(storage);
                var ports = LocalMachine.FreePorts(3);
                gateways.Add(ChildProcess.StartDotnet($"embedded gateway ({label})", dll, ports[2], new()
                {
                    ["Granary__Cluster__SiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
                    ["Granary__Cluster__GatewayPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
                    ["Granary__Storage__Path"] = storage,
                }));
            }

            var urls = new List<Uri>();
            foreach (var gateway in gateways)
            {
                await gateway.WaitReadyAsync(expected: null);
                using var api = new LoadGenerator(gateway.Http, 1);
                await BenchProgram.DeployAsync(api.Client, "hello", idleTimeoutSeconds: null);
                var url = new Uri(gateway.Http, $"{BenchProgram.Invoke}/hello");
                await TenancyBench.RunWrkAsync(url, null, 64, TimeSpan.FromSeconds(3), errors, $"{gateway.Name} warm-up");
                urls.Add(url);
            }

            var rounds = gateways.Count == 1 ? 1 : HelloRounds;
            var results = gateways.Select(_ => new List<double>()).ToArray();
            for (var round = 0; round < rounds; round++)
            {
                for (var turn = 0; turn < gateways.Count; turn++)
                {
                    var i = (round + turn) % gateways.Count;
                    results[i].Add(await TenancyBench.RunWrkAsync(urls[i], null, 64, options.Duration, errors, gateways[i].Name));
                }
            }

            var hello = new EmbeddedHello(results[0], gateways.Count > 1 ? results[1] : [], options.BeforeGateway);
            Console.WriteLine($"  embedded gateway hello, wrk -t2 -c64: {string.Join(", ", hello.This.Select(r => F(r, "F0")))} req/s" +
                (hello.Before.Count > 0 ? $"; --before-gateway {string.Join(", ", hello.Before.Select(r => F(r, "F0")))} req/s" : ""));
            return hello;
        }
        finally
        {
            foreach (var gateway in gateways)
            {
                await gateway.DisposeAsync();
            }

            storages.ForEach(LocalMachine.DeleteDirectory);
        }
    }

    // Drives a function with 18 callers on each gateway (wrk -t1 each); returns the summed req/s and non-2xx + socket errors.
    private static async Task<(double Rps, long NonSuccess)> DriveAsync(Cluster cluster, string name, TimeSpan duration, ErrorLog errors, string label)
    {
        var runs = cluster.Gateways.Select(g => RunWrkAsync(new Uri(g.Http, $"{Invoke}/{name}"), 1, Callers / cluster.Gateways.Count, duration)).ToArray();
        var results = await Task.WhenAll(runs);
        var nonSuccess = results.Sum(r => r.NonSuccess);
        AddNonSuccess(errors, label, nonSuccess);
        return (results.Sum(r => r.Rps), nonSuccess);
    }

    private static void AddNonSuccess(ErrorLog errors, string label, long count)
    {
        if (count > 0)
        {
            errors.Add($"scaleout {label}: non-2xx or socket errors", count.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static Process StartWrk(Uri url, int threads, int connections, TimeSpan duration)
    {
        var start = new ProcessStartInfo(Wrk) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { $"-t{threads}", $"-c{connections}", $"-d{(int)duration.TotalSeconds}s", "--timeout", "10s", url.ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("wrk did not start");
    }

    private static async Task<(double Rps, long NonSuccess)> RunWrkAsync(Uri url, int threads, int connections, TimeSpan duration)
    {
        using var process = StartWrk(url, threads, connections, duration);
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var rps = RequestsPerSecond().Match(output) is { Success: true } match
            ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"wrk printed no requests per second: {output}");
        var nonSuccess = NonSuccess().Match(output) is { Success: true } failed ? long.Parse(failed.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        if (SocketErrors().Match(output) is { Success: true } socket)
        {
            nonSuccess += Enumerable.Range(1, 4).Sum(g => long.Parse(socket.Groups[g].Value, CultureInfo.InvariantCulture));
        }

        return (rps, nonSuccess);
    }

    private static async Task DeployAsync(HttpClient api, string name, string code, int maxInstances)
    {
        using var response = await api.PutAsJsonAsync(
            new Uri($"{Workspace}/{name}", UriKind.Relative),
            new { runtime = "nodejs", maxConcurrency = 4, maxInstances, code });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"deploy {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    // One call through each gateway: the first instance is active and each gateway has its route before the load.
    private static async Task FirstCallAsync(Cluster cluster, string name, string answer, ErrorLog errors)
    {
        var expected = System.Text.Encoding.UTF8.GetBytes(answer);
        foreach (var gateway in cluster.Gateways)
        {
            using var client = new LoadGenerator(gateway.Http, 1);
            await client.SendAsync($"{Invoke}/{name}", expected, errors);
        }
    }

    private static async Task<(int Instances, int Silos)> InstancesAsync(HttpClient api, string name)
    {
        using var status = await GetJsonAsync(api, $"{Workspace}/{name}");
        var instances = Instances(status.RootElement).ToArray();
        return (instances.Length, instances.Select(i => i.Silo).Distinct().Count());
    }

    private static IEnumerable<(int Shard, string? Silo, string? State)> Instances(JsonElement function) =>
        function.GetProperty("status").GetProperty("instances").EnumerateArray().Select(i => (
            i.TryGetProperty("shard", out var shard) ? shard.GetInt32() : 0,
            i.GetProperty("silo").GetString(),
            i.TryGetProperty("state", out var state) ? state.GetString() : null));

    private static async Task<JsonDocument> GetJsonAsync(HttpClient api, string path)
    {
        using var response = await api.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        return response.StatusCode == HttpStatusCode.OK ? JsonDocument.Parse(body) : throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {body}");
    }

    private static async Task CreateDatabaseAsync(string database)
    {
        try
        {
            await CompatBench.RunAsync("/usr/bin/pg_ctlcluster", "/", "15", "main", "start");
        }
        catch (InvalidOperationException)
        {
            // Already running.
        }

        const string User = "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='granary') THEN CREATE USER granary PASSWORD 'granary'; END IF; END$$";
        await CompatBench.RunAsync("/usr/sbin/runuser", "/", "-u", "postgres", "--", "psql", "-qc", User, "-c", $"CREATE DATABASE {database} OWNER granary");
    }

    private static async Task DropDatabaseAsync(string database)
    {
        try
        {
            await CompatBench.RunAsync("/usr/sbin/runuser", "/", "-u", "postgres", "--", "psql", "-qc", $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
        catch (InvalidOperationException ex)
        {
            Console.WriteLine($"  warning: could not drop {database}: {ex.Message}");
        }
    }

    private static void Latencies(string label, LatencyStats stats) =>
        Console.WriteLine($"  {label,-44}{F(stats.Mean, "F3"),9}{F(stats.P50, "F3"),9}{F(stats.P90, "F3"),9}{F(stats.P99, "F3"),9}");

    private static string Percent(double value, double baseline) => $"{(value / baseline) - 1:+0.0%;-0.0%}";

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^S?[0-9.]+:([0-9]+)")]
    private static partial Regex PortOf();

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex NonSuccess();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();

    /// <summary>Silos sharing redis membership and a PostgreSQL database, and two client gateways, as the README starts them.</summary>
    private sealed class Cluster : IAsyncDisposable
    {
        private readonly List<ChildProcess> _processes;
        private int _disposed;

        private readonly Dictionary<int, string> _siloNames;

        private Cluster(List<ChildProcess> silos, Dictionary<int, string> siloNames, List<ChildProcess> gateways, List<ChildProcess> processes, LoadGenerator api)
        {
            _siloNames = siloNames;
            Silos = silos;
            Gateways = gateways;
            _processes = processes;
            ApiClient = api;
        }

        public List<ChildProcess> Silos { get; }

        public List<ChildProcess> Gateways { get; }

        public HttpClient Api => ApiClient.Client;

        private LoadGenerator ApiClient { get; }

        public static async Task<Cluster> StartAsync(int count, ClusterBench.Programs programs, int redisPort, string database, List<ChildProcess> all)
        {
            var starting = Stopwatch.GetTimestamp();
            var settings = new Dictionary<string, string>
            {
                ["Granary__Cluster__Clustering"] = "redis",
                ["Granary__Cluster__RedisConnectionString"] = $"127.0.0.1:{redisPort}",
                ["Granary__Cluster__ClusterId"] = $"bench-so{count}-{Guid.NewGuid():N}",
                ["Granary__Storage__Provider"] = "adonet",
                ["Granary__Storage__Database"] = "postgres",
                ["Granary__Storage__ConnectionString"] = $"Host=127.0.0.1;Database={database};Username=granary;Password=granary",
                ["Granary__Scaling__RetireAfterSeconds"] = "600",
            };
            var silos = new List<ChildProcess>();
            var siloNames = new Dictionary<int, string>();
            for (var i = 1; i <= count; i++)
            {
                var ports = LocalMachine.FreePorts(3);
                siloNames[ports[0]] = $"silo{i}";
                var silo = ChildProcess.StartDotnet($"({count}) silo{i}", programs.Silo, ports[2], new(settings)
                {
                    ["Granary__Cluster__AdvertisedAddress"] = "127.0.0.1",
                    ["Granary__Cluster__SiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
                    ["Granary__Cluster__GatewayPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
                });
                silos.Add(silo);
                all.Add(silo);
            }

            foreach (var silo in silos)
            {
                await silo.WaitReadyAsync(expected: null);
            }

            // The gateways start once every silo is ready, so that the first gateway list they read has them all.
            var gateways = new List<ChildProcess>();
            for (var i = 1; i <= 2; i++)
            {
                var gateway = ChildProcess.StartDotnet($"({count}) client gateway {i}", programs.Gateway, LocalMachine.FreePorts(1)[0], new(settings)
                {
                    ["Granary__Gateway__Mode"] = "client",
                });
                gateways.Add(gateway);
                all.Add(gateway);
            }

            foreach (var gateway in gateways)
            {
                await gateway.WaitReadyAsync(expected: $"{count} active silo(s)");
            }

            Console.WriteLine($"  {count} silo(s) and 2 client gateways ready in {Stopwatch.GetElapsedTime(starting).TotalSeconds:F1} s");
            return new Cluster(silos, siloNames, gateways, [.. silos, .. gateways], new LoadGenerator(gateways[0].Http, 1));
        }

        /// <summary>"127.0.0.1:31234@154628210" or "S127.0.0.1:31234:154628210" → the name the benchmark gave the silo on that port.</summary>
        public string SiloName(string? address)
        {
            var port = address is null ? null : PortOf().Match(address) is { Success: true } match ? match.Groups[1].Value : null;
            return port is not null && _siloNames.TryGetValue(int.Parse(port, CultureInfo.InvariantCulture), out var name) ? name : address ?? "?";
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            ApiClient.Dispose();
            foreach (var process in _processes)
            {
                await process.DisposeAsync();
            }
        }
    }
}
