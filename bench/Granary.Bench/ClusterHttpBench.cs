using System.Diagnostics;
using System.Globalization;

namespace Granary.Bench;

/// <summary>One configuration under wrk: each round's req/s, the median round's latencies, CPU of its processes per request.</summary>
internal sealed record ClusterHttpRun(string Label, int Processes, IReadOnlyList<double> RoundRequestsPerSecond, double P50Ms, double P99Ms, long Requests, double CpuPerRequestUs, long Failures)
{
    public double RequestsPerSecond => RoundRequestsPerSecond.Order().ElementAt(RoundRequestsPerSecond.Count / 2);
}

/// <summary>The figures of the <c>--only clusterhttp</c> section.</summary>
internal sealed record ClusterHttpResult(ClusterHttpRun Embedded, ClusterHttpRun ThreeSilos, int Functions)
{
    public const double Target = 0.8;

    public double Ratio => ThreeSilos.RequestsPerSecond / Embedded.RequestsPerSecond;

    public IReadOnlyList<double> RoundRatios => [.. ThreeSilos.RoundRequestsPerSecond.Zip(Embedded.RoundRequestsPerSecond, (c, e) => c / e)];
}

/// <summary>
/// The cluster path measured from outside (<c>--only clusterhttp</c>, issue 15 item 7): (a) the gateway in embedded
/// mode and (c) a client-mode gateway over 3 silos (membership in a private redis-server, the silos sharing one file
/// storage), every program its own process on this machine with warning-level logs (as the cluster section starts
/// them), and <c>wrk -t2 -c64</c> (another process) sending GETs to <see cref="Functions"/> JS hello functions in turn
/// (a wrk script), so that (c)'s functions land on its different silos. Both are warmed up, then measured in
/// alternating rounds (a c, c a, …; each row is its median round). CPU per request is the CPU time of the
/// configuration's own processes (gateway and silos; not wrk, not redis) over its measured requests: on a machine with
/// few cores the silos, the gateway and wrk share them, so req/s alone says little of what the cluster path costs.
/// </summary>
internal static class ClusterHttpBench
{
    private const int Functions = 6;
    private const int Rounds = 4;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);

    public static async Task<ClusterHttpResult?> MeasureAsync(Options options, ErrorLog errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        var started = Stopwatch.GetTimestamp();
        var processes = new List<ChildProcess>();
        var storages = new List<string>();
        try
        {
            var programs = ClusterBench.Programs.Locate();
            var redis = await ClusterBench.StartRedisAsync();
            processes.Add(redis);
            var ports = LocalMachine.FreePorts(3);
            var embedded = ChildProcess.StartDotnet("(a) embedded gateway", programs.Gateway, ports[2], new()
            {
                ["Granary__Cluster__SiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
                ["Granary__Cluster__GatewayPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
                ["Granary__Storage__Path"] = ClusterBench.NewStorage(storages),
            });
            processes.Add(embedded);
            var three = ClusterBench.StartSilos("c", 3, programs, redis.Port, ClusterBench.NewStorage(storages), processes);
            await ClusterBench.WaitReadyAsync(three.Silos);
            var client = ClusterBench.StartClientGateway("c", programs, three.Settings, processes);
            await embedded.WaitReadyAsync(expected: null);
            await client.WaitReadyAsync(expected: "3 active silo(s)");
            Console.WriteLine(
                $"Cluster from outside: (a) embedded gateway and (c) client gateway + 3 silos, each program its own process, ready in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s; " +
                $"wrk -t2 -c64 over {Functions} JS hello functions in turn, {Rounds} alternating rounds of {options.Duration.TotalSeconds:F0} s");

            var script = Path.Combine(ClusterBench.NewStorage(storages), "functions.lua");
            await File.WriteAllTextAsync(script, WrkScript());
            var configurations = new[]
            {
                new Configuration("(a) embedded", embedded.Http, [embedded]),
                new Configuration("(c) client gateway + 3 silos", client.Http, [client, .. three.Silos]),
            };
            foreach (var configuration in configurations)
            {
                using var api = new LoadGenerator(configuration.Http, 1);
                for (var i = 0; i < Functions; i++)
                {
                    await BenchProgram.DeployAsync(api.Client, $"hello{i}", idleTimeoutSeconds: null);
                    await api.SendAsync($"{BenchProgram.Invoke}/hello{i}", BenchProgram.ExpectedBody, errors);
                }

                var warm = await HttpBench.RunWrkAsync(new Uri(configuration.Http, $"{BenchProgram.Invoke}/hello0"), WarmUp, script);
                Console.WriteLine($"  {configuration.Label}: warm-up {warm.RequestsPerSecond:F0} req/s");
            }

            for (var round = 0; round < Rounds; round++)
            {
                foreach (var configuration in round % 2 == 0 ? configurations : configurations.Reverse())
                {
                    var cpu = Cpu(configuration.Processes);
                    var run = await HttpBench.RunWrkAsync(new Uri(configuration.Http, $"{BenchProgram.Invoke}/hello0"), options.Duration, script);
                    configuration.Cpu += Cpu(configuration.Processes) - cpu;
                    configuration.Runs.Add(run);
                    Console.WriteLine(
                        $"  round {round + 1} {configuration.Label}: {run.RequestsPerSecond:F0} req/s, p50 {run.P50Ms:F2} ms, p99 {run.P99Ms:F2} ms, " +
                        $"non-2xx {run.NonSuccess}, socket errors {run.SocketErrors}");
                }
            }

            foreach (var process in processes)
            {
                process.ThrowIfExited();
            }

            var results = configurations.Select(c => c.Result(errors)).ToArray();
            Console.WriteLine($"  clusterhttp section took {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s");
            return new ClusterHttpResult(results[0], results[1], Functions);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or IOException)
        {
            Console.WriteLine($"  clusterhttp section aborted: {ex.Message}");
            errors.Add("clusterhttp: section aborted", ex.Message);
            return null;
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }

            foreach (var storage in storages)
            {
                LocalMachine.DeleteDirectory(storage);
            }
        }
    }

    public static void PrintTable(ClusterHttpResult result, Options options)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        Console.WriteLine();
        Console.WriteLine(
            $"Cluster from outside: wrk -t2 -c64 -d{options.Duration.TotalSeconds:F0}s over {result.Functions} JS hello functions in turn; median of " +
            $"{result.Embedded.RoundRequestsPerSecond.Count} alternating rounds; every program its own process on {Environment.ProcessorCount} cores");
        Console.WriteLine($"  {"configuration",-32}{"processes",10}{"req/s",10}{"p50 ms",9}{"p99 ms",9}{"CPU us/req",12}{"failures",10}   rounds (req/s)");
        foreach (var run in new[] { result.Embedded, result.ThreeSilos })
        {
            Console.WriteLine(
                $"  {run.Label,-32}{run.Processes,10}{F(run.RequestsPerSecond, "N0"),10}{F(run.P50Ms, "F2"),9}{F(run.P99Ms, "F2"),9}{F(run.CpuPerRequestUs, "F0"),12}{run.Failures,10}   " +
                string.Join(", ", run.RoundRequestsPerSecond.Select(r => F(r, "N0"))));
        }

        Console.WriteLine("  CPU us/req = CPU time of the configuration's gateway and silos (not wrk, not redis) over its measured requests");
        Console.WriteLine($"  CPU per request, cluster / embedded: {result.ThreeSilos.CpuPerRequestUs / result.Embedded.CpuPerRequestUs:F2}x");
    }

    public static IEnumerable<string> TargetLines(ClusterHttpResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        yield return
            $"clusterhttp: client gateway + 3 silos >= {ClusterHttpResult.Target:F1}x embedded: {result.Ratio:F2}x  {(result.Ratio >= ClusterHttpResult.Target ? "MET" : "MISSED")}  " +
            $"(round by round: {string.Join(", ", result.RoundRatios.Select(r => F(r, "F2")))})";
    }

    // wrk sends the functions' paths in turn (each connection of each thread keeps its own counter).
    private static string WrkScript()
    {
        var paths = string.Join(", ", Enumerable.Range(0, Functions).Select(i => $"\"{BenchProgram.Invoke}/hello{i}\""));
        return $$"""
            local paths = { {{paths}} }
            local i = 0
            request = function()
              i = i + 1
              return wrk.format("GET", paths[(i % #paths) + 1])
            end
            """;
    }

    private static TimeSpan Cpu(IEnumerable<ChildProcess> processes) => processes.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.CpuTime);

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private sealed class Configuration(string label, Uri http, IReadOnlyList<ChildProcess> processes)
    {
        public string Label { get; } = label;

        public Uri Http { get; } = http;

        public IReadOnlyList<ChildProcess> Processes { get; } = processes;

        public List<HttpBench.WrkRun> Runs { get; } = [];

        public TimeSpan Cpu { get; set; }

        public ClusterHttpRun Result(ErrorLog errors)
        {
            var median = Runs.OrderBy(r => r.RequestsPerSecond).ElementAt(Runs.Count / 2);
            var requests = Runs.Sum(r => r.Requests);
            var failures = Runs.Sum(r => r.NonSuccess + r.SocketErrors);
            if (failures > 0)
            {
                errors.Add($"clusterhttp {Label}: failed requests", $"{failures} non-2xx or socket errors");
            }

            return new ClusterHttpRun(Label, Processes.Count, [.. Runs.Select(r => r.RequestsPerSecond)], median.P50Ms, median.P99Ms, requests, Cpu.TotalMicroseconds / requests, failures);
        }
    }
}
