using System.Diagnostics;
using System.Globalization;

namespace Granary.Bench;

/// <summary>One way of calling the never-activated functions: client-observed latency, the recorded initMs, counts.</summary>
internal sealed record JsColdRun(string Label, TimeSpan Gap, LatencyStats Latency, LatencyStats InitMs, int ConfirmedCold, int Errors);

/// <summary>The figures of the <c>--only jscold</c> section.</summary>
internal sealed record JsColdResult(IReadOnlyList<JsColdRun> Runs, int Functions, int WarmUp);

/// <summary>
/// JavaScript cold starts from outside (<c>--only jscold</c>, issue 15 item 5): the gateway in its default configuration
/// as its own process (embedded silo, default logging), <c>--cold</c> (default 200) hello functions deployed, then each
/// called once, in order, through one keep-alive <see cref="HttpClient"/> (a connection opened before the first); the
/// first <c>--cold-warmup</c> calls warm the process (JIT) and are not measured. Two passes over two sets of functions:
/// with <c>--cold-gap-ms</c> between calls (a cold start now and then, the warm isolate pool refilled between them),
/// and back to back (a burst that outruns the pool's refill). Every measured call must be recorded cold (the function's
/// invocation record) and answer 200 with the hello body. With <c>--before-gateway</c>, an earlier build's gateway is
/// started the same way beside it, given the same functions, and the two take turns call by call.
/// </summary>
internal static class JsColdBench
{
    public const double P50TargetMs = 2;
    public const double P99TargetMs = 10;

    public static async Task<JsColdResult?> MeasureAsync(Options options, ErrorLog errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        var started = Stopwatch.GetTimestamp();
        var builds = new List<(string Suffix, string Dll)> { ("", ClusterBench.Programs.Locate().Gateway) };
        if (options.BeforeGateway is { } before)
        {
            builds.Add((" (before)", before));
        }

        var gateways = new List<(string Suffix, ChildProcess Process, LoadGenerator Api)>();
        var storages = new List<string>();
        try
        {
            foreach (var (suffix, dll) in builds)
            {
                var ports = LocalMachine.FreePorts(3);
                var gateway = ChildProcess.StartDotnet($"gateway{suffix} (default configuration)", dll, ports[2], new()
                {
                    ["Granary__Cluster__SiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
                    ["Granary__Cluster__GatewayPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
                    ["Granary__Storage__Path"] = ClusterBench.NewStorage(storages),
                }, defaultLogs: true);
                gateways.Add((suffix, gateway, new LoadGenerator(gateway.Http, 1)));
                var ready = await gateway.WaitReadyAsync(expected: null);
                Console.WriteLine($"JS cold starts from outside: gateway{suffix} {dll} (default configuration) ready in {ready.TotalSeconds:F1} s on {gateway.Http}");
            }

            if (gateways.Count > 1)
            {
                Console.WriteLine("  the gateways take turns call by call (this build's cold start, then the earlier build's, and so on)");
            }

            var runs = new List<JsColdRun>();
            foreach (var (label, prefix, gap) in new[] { ($"{options.ColdGap.TotalMilliseconds:F0} ms apart", "gap", options.ColdGap), ("back to back", "burst", TimeSpan.Zero) })
            {
                var names = Enumerable.Range(0, options.ColdWarmUp + options.Cold).Select(i => $"{prefix}{i}").ToArray();
                var deploying = Stopwatch.GetTimestamp();
                foreach (var (_, _, api) in gateways)
                {
                    foreach (var name in names)
                    {
                        await BenchProgram.DeployAsync(api.Client, name, idleTimeoutSeconds: null);
                    }
                }

                Console.WriteLine($"  {label}: deployed {names.Length} functions on each gateway in {Stopwatch.GetElapsedTime(deploying).TotalSeconds:F1} s");

                // Each deployment validated its code in a pool isolate: the pool refills (WarmIsolates) before the first call.
                await Task.Delay(TimeSpan.FromSeconds(1));
                runs.AddRange(await CallEachOnceAsync(label, gateways, names, gap, options, errors));
                foreach (var (_, process, _) in gateways)
                {
                    process.ThrowIfExited();
                }
            }

            Console.WriteLine($"  jscold section took {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s");
            return new JsColdResult(runs, options.Cold, options.ColdWarmUp);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or IOException)
        {
            Console.WriteLine($"  jscold section aborted: {ex.Message}");
            errors.Add("jscold: section aborted", ex.Message);
            return null;
        }
        finally
        {
            foreach (var (_, process, api) in gateways)
            {
                api.Dispose();
                await process.DisposeAsync();
            }

            foreach (var storage in storages)
            {
                LocalMachine.DeleteDirectory(storage);
            }
        }
    }

    public static void PrintTable(JsColdResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Console.WriteLine();
        Console.WriteLine(
            $"JS cold starts from outside: the gateway (default configuration) as its own process, {result.Functions} never-activated hello functions " +
            $"(+{result.WarmUp} unmeasured first), each called once on one keep-alive connection (client-observed ms)");
        Console.WriteLine($"  {"calls",-32}{"n",5}{"p50",8}{"p90",8}{"p99",8}{"max",9}{"mean",8}   {"initMs p50/p99",16}{"cold ok",10}{"errors",8}");
        foreach (var run in result.Runs)
        {
            var l = run.Latency;
            Console.WriteLine(
                $"  {run.Label,-32}{l.Count,5}{F(l.P50),8}{F(l.P90),8}{F(l.P99),8}{F(l.Max),9}{F(l.Mean),8}   " +
                $"{$"{F(run.InitMs.P50)} / {F(run.InitMs.P99)}",16}{$"{run.ConfirmedCold}/{l.Count}",10}{run.Errors,8}");
        }

        Console.WriteLine("  initMs = what the function's invocation record says its activation took (attach to the definition grain, load into a pool isolate).");
    }

    /// <summary>The target lines: p50 and p99 of every pass.</summary>
    public static IEnumerable<string> TargetLines(JsColdResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        foreach (var run in result.Runs)
        {
            var l = run.Latency;
            yield return $"jscold ({run.Label}): p50 <= {P50TargetMs:F0} ms: {F(l.P50)} ms  {Verdict(l.P50 <= P50TargetMs)}; p99 <= {P99TargetMs:F0} ms: {F(l.P99)} ms  {Verdict(l.P99 <= P99TargetMs)}";
        }
    }

    // Every gateway calls each function once, in order, on one keep-alive connection of its own (opened by a first,
    // unmeasured call); with several gateways they take turns call by call, so that other work on the machine lands on
    // both alike.
    private static async Task<List<JsColdRun>> CallEachOnceAsync(
        string label, List<(string Suffix, ChildProcess Process, LoadGenerator Api)> gateways, string[] names, TimeSpan gap, Options options, ErrorLog allErrors)
    {
        var errors = gateways.Select(_ => new ErrorLog()).ToArray();
        var clients = gateways.Select(g => new LoadGenerator(g.Process.Http, 1)).ToArray();
        var latencies = gateways.Select(_ => new List<double>()).ToArray();
        try
        {
            for (var g = 0; g < gateways.Count; g++)
            {
                await clients[g].SendAsync($"{BenchProgram.Invoke}/{names[0]}", BenchProgram.ExpectedBody, errors[g]);
            }

            for (var i = 1; i < names.Length; i++)
            {
                for (var g = 0; g < gateways.Count; g++)
                {
                    if (gap > TimeSpan.Zero)
                    {
                        await Task.Delay(gap);
                    }

                    var latency = await clients[g].SendAsync($"{BenchProgram.Invoke}/{names[i]}", BenchProgram.ExpectedBody, errors[g]);
                    if (i >= options.ColdWarmUp)
                    {
                        latencies[g].Add(latency);
                    }
                }
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        var runs = new List<JsColdRun>();
        for (var g = 0; g < gateways.Count; g++)
        {
            var initMs = new List<double>();
            foreach (var name in names[options.ColdWarmUp..])
            {
                if (await BenchProgram.LatestInvocationAsync(gateways[g].Api.Client, name) is { Cold: true } record)
                {
                    initMs.Add(record.InitMs);
                }
            }

            if (latencies[g].Count - initMs.Count is > 0 and var notCold)
            {
                errors[g].Add("jscold: not a cold start", $"{notCold} of {latencies[g].Count} invocation records say cold=false or are missing");
            }

            allErrors.AddRange(errors[g]);
            var stats = LatencyStats.From(latencies[g]);
            var run = label + gateways[g].Suffix;
            Console.WriteLine($"  {run}: p50 {F(stats.P50)} ms, p99 {F(stats.P99)} ms, max {F(stats.Max)} ms, errors {errors[g].Total}");
            runs.Add(new JsColdRun(run, gap, stats, LatencyStats.From(initMs), initMs.Count, errors[g].Total));
        }

        return runs;
    }

    private static string Verdict(bool met) => met ? "MET" : "MISSED";

    private static string F(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
}
