using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Granary.Bench;

/// <summary>One configuration of the cluster section: all its rounds together, each round's throughput, its processes.</summary>
internal sealed record ClusterRun(string Label, WarmResult Warm, IReadOnlyList<double> RoundRequestsPerSecond, int Processes);

/// <summary>
/// The cluster section: an embedded gateway (the baseline), a client-mode gateway over one silo and one over three
/// silos, and how many of the three silos the functions were placed on.
/// </summary>
internal sealed record ClusterResult(ClusterRun Embedded, ClusterRun OneSilo, ClusterRun ThreeSilos, int Functions, int DistinctSilos, int DistinctSilosAfterLoad)
{
    public const double Target = 0.7;

    public double OneSiloRatio => Ratio(OneSilo);

    public double ThreeSilosRatio => Ratio(ThreeSilos);

    public double Ratio(ClusterRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Warm.Throughput.RequestsPerSecond / Embedded.Warm.Throughput.RequestsPerSecond;
    }

    /// <summary>The ratio to the baseline in each round (both measured within a few seconds of each other).</summary>
    public IReadOnlyList<double> RoundRatios(ClusterRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return [.. run.RoundRequestsPerSecond.Zip(Embedded.RoundRequestsPerSecond, (x, a) => x / a)];
    }

    /// <summary>The median of <see cref="RoundRatios"/>: unmoved by one round that other work on the machine disturbed.</summary>
    public double MedianRoundRatio(ClusterRun run)
    {
        var sorted = RoundRatios(run).Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

/// <summary>
/// Warm throughput and sequential latency of the same hello functions through Granary's programs run as separate
/// processes on this machine: (a) the gateway in embedded mode, (b) a client-mode gateway over one silo and (c) a
/// client-mode gateway over three silos. All three run at once; each gets the single-process section's warm-up, and
/// more warm-up passes until its throughput settles (see <see cref="WarmUpAsync"/>); then the measured requests (<see cref="Options"/>: sequential count, connections, duration) are cut into rounds that
/// take turns (a, b, c; b, c, a; …), so that a burst of load from other work on a shared machine lands on every
/// configuration alike instead of on one of them. While one configuration is measured the others idle: their silos'
/// membership probes and the gateways' cluster watch cost little.
/// </summary>
internal static class ClusterBench
{
    private const string RedisServer = "/usr/bin/redis-server";
    private const int FunctionCount = 6;
    private const int Rounds = 5;
    private const int WarmUpPasses = 4;

    /// <summary>Why the section cannot run on this machine, or null when it can.</summary>
    public static string? Unavailable() =>
        File.Exists(RedisServer) ? Programs.Locate().Missing : $"{RedisServer} is missing; install it with: apt-get install -y redis-server";

    public static async Task<ClusterResult?> MeasureAsync(Options options, ErrorLog allErrors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(allErrors);
        var started = Stopwatch.GetTimestamp();
        var built = Programs.Locate();
        Console.WriteLine(
            $"Cluster: (a) embedded gateway, (b) client gateway + 1 silo, (c) client gateway + 3 silos, all separate processes on this machine; " +
            $"{FunctionCount} hello functions each, requests spread round-robin over them; measured in {Rounds} interleaved rounds");
        Console.WriteLine($"  programs: {built.Silo} ({File.GetLastWriteTime(built.Silo):yyyy-MM-dd HH:mm:ss}), {built.Gateway} ({File.GetLastWriteTime(built.Gateway):yyyy-MM-dd HH:mm:ss})");
        Console.WriteLine("  storage: the silos of a cluster share one temporary file-storage directory (fine for a benchmark on one machine, not for production)");
        var snapshot = Directory.CreateTempSubdirectory("granary-bench-programs-").FullName;
        var processes = new List<ChildProcess>();
        var storages = new List<string>();
        var configurations = new List<Configuration>();
        try
        {
            // A copy, so that a build running meanwhile cannot replace the programs under the processes being measured.
            var programs = built.CopyTo(snapshot);
            Console.WriteLine($"  copied them to {snapshot} ({Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s)");
            var starting = Stopwatch.GetTimestamp();
            var redis = await StartRedisAsync();
            processes.Add(redis);

            var embeddedStorage = NewStorage(storages);
            var embeddedPorts = LocalMachine.FreePorts(3);
            var embedded = ChildProcess.StartDotnet("embedded gateway", programs.Gateway, embeddedPorts[2], new()
            {
                ["Granary__Cluster__SiloPort"] = Port(embeddedPorts[0]),
                ["Granary__Cluster__GatewayPort"] = Port(embeddedPorts[1]),
                ["Granary__Storage__Path"] = embeddedStorage,
            });
            processes.Add(embedded);
            var one = StartSilos("b", 1, programs, redis.Port, NewStorage(storages), processes);
            var three = StartSilos("c", 3, programs, redis.Port, NewStorage(storages), processes);

            // Each client gateway starts once its silos are ready, so that the first gateway list it reads from redis
            // has them all (it rereads it only every 5 s) and its calls, hence the activations, spread over the silos.
            await WaitReadyAsync(one.Silos);
            var oneGateway = StartClientGateway("b", programs, one.Settings, processes);
            await WaitReadyAsync(three.Silos);
            var threeGateway = StartClientGateway("c", programs, three.Settings, processes);
            await embedded.WaitReadyAsync(expected: null);
            await oneGateway.WaitReadyAsync(expected: "1 active silo(s)");
            await threeGateway.WaitReadyAsync(expected: "3 active silo(s)");
            Console.WriteLine(
                $"  redis-server on 127.0.0.1:{redis.Port}; embedded gateway, 4 silos and 2 client gateways (their /readyz: 1 and 3 active silo(s)) " +
                $"ready in {Stopwatch.GetElapsedTime(starting).TotalSeconds:F1} s");

            configurations.Add(new Configuration("(a) embedded", embedded.Http, [embedded], siloNames: null, options.Connections));
            configurations.Add(new Configuration("(b) 1 silo", oneGateway.Http, [oneGateway, .. one.Silos], one.Names, options.Connections));
            configurations.Add(new Configuration("(c) 3 silos", threeGateway.Http, [threeGateway, .. three.Silos], three.Names, options.Connections));
            foreach (var configuration in configurations)
            {
                await DeployAndWarmUpAsync(configuration, options);
            }

            await WarmUpAsync(configurations, options);
            var distinct = await PrintPlacementAsync(configurations[2], "after the warm-up");
            await MeasureRoundsAsync(configurations, options);
            var distinctAfter = await PrintPlacementAsync(configurations[2], "after the rounds");
            foreach (var process in processes)
            {
                process.ThrowIfExited();
            }

            var runs = configurations.Select(c => c.Result()).ToArray();
            foreach (var configuration in configurations)
            {
                allErrors.AddRange(configuration.Errors);
            }

            Console.WriteLine($"  cluster section took {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s");
            return new ClusterResult(runs[0], runs[1], runs[2], FunctionCount, distinct, distinctAfter);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or IOException or SocketException or JsonException)
        {
            Console.WriteLine($"  cluster section aborted: {ex.Message}");
            allErrors.Add("cluster: section aborted", ex.Message);
            foreach (var process in processes.Where(p => p.HasExited))
            {
                Console.WriteLine($"  {process.Name} had exited (code {process.ExitCode}); its last output:{Environment.NewLine}{process.Tail()}");
                allErrors.Add($"cluster: {process.Name} exited", $"code {process.ExitCode}: {process.Tail()}");
            }

            return null;
        }
        finally
        {
            foreach (var configuration in configurations)
            {
                configuration.Dispose();
            }

            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }

            ChildProcess.KillAll(); // every child is disposed above already; this is the belt to those braces
            foreach (var directory in storages.Append(snapshot))
            {
                LocalMachine.DeleteDirectory(directory);
            }
        }
    }

    /// <summary>Prints the cluster table (between the single-process tables and the targets).</summary>
    public static void PrintTable(ClusterResult result, Options options)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        ClusterRun[] runs = [result.Embedded, result.OneSilo, result.ThreeSilos];
        var a = result.Embedded.Warm;
        Console.WriteLine();
        Console.WriteLine(
            $"Cluster mode: separate processes on this machine, {result.Functions} hello functions per configuration with the requests spread over them, " +
            $"{Rounds} interleaved rounds (silos of a cluster share file storage; membership in a private redis-server)");
        Console.WriteLine($"  {"",-50}{"(a) embedded",14}{"(b) 1 silo",14}{"(c) 3 silos",14}   (b)/(a)   (c)/(a)");
        Line("processes (gateway + silos, redis aside)", runs, r => r.Processes.ToString(CultureInfo.InvariantCulture), _ => "");
        Line($"sequential latency p50 (ms, n={a.Sequential.Count})", runs, r => F(r.Warm.Sequential.P50, "F3"), r => $"{r.Warm.Sequential.P50 / a.Sequential.P50:F2}x");
        Line("sequential latency p99 (ms)", runs, r => F(r.Warm.Sequential.P99, "F3"), r => $"{r.Warm.Sequential.P99 / a.Sequential.P99:F2}x");
        Line(
            $"throughput (req/s, {options.Connections} conn, {options.Duration.TotalSeconds:F0} s in all)",
            runs,
            r => F(r.Warm.Throughput.RequestsPerSecond, "F0"),
            r => $"{result.Ratio(r):F2}");
        Line("latency under load p50 (ms)", runs, r => F(r.Warm.Throughput.Latency.P50, "F3"), _ => "");
        Line("latency under load p99 (ms)", runs, r => F(r.Warm.Throughput.Latency.P99, "F3"), _ => "");
        Line("CPU per request (us, its processes + client)", runs, r => F(r.Warm.CpuPerRequestUs, "F0"), r => $"{r.Warm.CpuPerRequestUs / a.CpuPerRequestUs:F2}x");
        Line("errors (all warm requests)", runs, r => r.Warm.Errors.ToString("N0", CultureInfo.InvariantCulture), _ => "");
        for (var round = 0; round < result.Embedded.RoundRequestsPerSecond.Count; round++)
        {
            Line(
                $"  round {round + 1} throughput (req/s; ratio)",
                runs,
                r => F(r.RoundRequestsPerSecond[round], "F0"),
                r => $"{result.RoundRatios(r)[round]:F2}");
        }

        Line("  median of the rounds' ratios", runs, _ => "", r => $"{result.MedianRoundRatio(r):F2}");

        Console.WriteLine($"  (c) placement: the {result.Functions} functions had instances on {result.DistinctSilos} of 3 silos after the warm-up, on {result.DistinctSilosAfterLoad} after the rounds");
    }

    /// <summary>The target lines of the summary.</summary>
    public static IEnumerable<string> TargetLines(ClusterResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        foreach (var (name, run) in new[] { ("(b) 1 silo", result.OneSilo), ("(c) 3 silos", result.ThreeSilos) })
        {
            var ratio = result.Ratio(run);
            var rounds = result.RoundRatios(run);
            yield return
                $"cluster {name} throughput >= {ClusterResult.Target:F1}x embedded: {ratio:F2}x " +
                $"(rounds {rounds.Min():F2}-{rounds.Max():F2}, median {result.MedianRoundRatio(run):F2})  " +
                (ratio >= ClusterResult.Target ? "MET" : "NOT MET");
        }
    }

    internal static async Task WaitReadyAsync(IEnumerable<ChildProcess> processes)
    {
        foreach (var process in processes)
        {
            await process.WaitReadyAsync(expected: null);
        }
    }

    internal static string NewStorage(List<string> storages)
    {
        var path = Directory.CreateTempSubdirectory("granary-bench-storage-").FullName;
        storages.Add(path);
        return path;
    }

    // The silos of one cluster: a cluster id of its own, so that (b)'s silo never meets (c)'s in the shared redis.
    internal static (Dictionary<string, string> Settings, List<ChildProcess> Silos, Dictionary<int, string> Names) StartSilos(
        string configuration, int count, Programs programs, int redisPort, string storage, List<ChildProcess> processes)
    {
        var cluster = new Dictionary<string, string>
        {
            ["Granary__Cluster__Clustering"] = "redis",
            ["Granary__Cluster__RedisConnectionString"] = $"127.0.0.1:{redisPort}",
            ["Granary__Cluster__ClusterId"] = $"bench-{configuration}-{Guid.NewGuid():N}",
        };
        var silos = new List<ChildProcess>();
        var names = new Dictionary<int, string>();
        for (var i = 1; i <= count; i++)
        {
            var ports = LocalMachine.FreePorts(3);
            names[ports[0]] = $"silo{i}";
            var silo = ChildProcess.StartDotnet($"({configuration}) silo{i}", programs.Silo, ports[2], new(cluster)
            {
                ["Granary__Cluster__AdvertisedAddress"] = "127.0.0.1",
                ["Granary__Cluster__SiloPort"] = Port(ports[0]),
                ["Granary__Cluster__GatewayPort"] = Port(ports[1]),
                ["Granary__Storage__Path"] = storage,
            });
            processes.Add(silo);
            silos.Add(silo);
        }

        return (cluster, silos, names);
    }

    internal static ChildProcess StartClientGateway(string configuration, Programs programs, Dictionary<string, string> cluster, List<ChildProcess> processes)
    {
        var gateway = ChildProcess.StartDotnet($"({configuration}) client gateway", programs.Gateway, LocalMachine.FreePorts(1)[0], new(cluster)
        {
            ["Granary__Gateway__Mode"] = "client",
        });
        processes.Add(gateway);
        return gateway;
    }

    // Deploys the functions, checks each one's first answer, then warms up as BenchProgram.MeasureWarmAsync does
    // (the first of the warm-up passes).
    private static async Task DeployAndWarmUpAsync(Configuration configuration, Options options)
    {
        foreach (var name in configuration.Names)
        {
            await BenchProgram.DeployAsync(configuration.Single.Client, name, idleTimeoutSeconds: null);
        }

        foreach (var path in configuration.Paths)
        {
            await configuration.Single.SendAsync(path, BenchProgram.ExpectedBody, configuration.Errors);
        }

        for (var i = 0; i < options.SequentialWarmUp; i++)
        {
            await configuration.Single.SendAsync(configuration.Paths[i % FunctionCount], BenchProgram.ExpectedBody, configuration.Errors);
        }

        var warmLoad = await configuration.Load.ThroughputAsync(configuration.Paths, BenchProgram.ThroughputWarmUp, BenchProgram.ExpectedBody);
        configuration.Errors.AddRange(warmLoad.Errors);
        configuration.WarmUpRequestsPerSecond = warmLoad.RequestsPerSecond;
        Console.WriteLine($"  {configuration.Label}: deployed on {configuration.Http}, warm-up pass 1 {warmLoad.RequestsPerSecond:F0} req/s, errors so far {configuration.Errors.Total}");
    }

    // More warm-up passes, all configurations in turn, until each one's throughput is within 25 % of its previous
    // pass (at most WarmUpPasses in all): the processes started and warmed up together on a few cores, and their
    // tiered JIT (tier-1 recompiles, in background threads) takes some seconds of load to catch up.
    private static async Task WarmUpAsync(List<Configuration> configurations, Options options)
    {
        var previous = configurations.Select(c => c.WarmUpRequestsPerSecond).ToArray();
        for (var pass = 2; pass <= WarmUpPasses; pass++)
        {
            var line = new StringBuilder($"  warm-up, pass {pass}:");
            var current = new double[configurations.Count];
            for (var i = 0; i < configurations.Count; i++)
            {
                var warmLoad = await configurations[i].Load.ThroughputAsync(configurations[i].Paths, BenchProgram.ThroughputWarmUp, BenchProgram.ExpectedBody);
                configurations[i].Errors.AddRange(warmLoad.Errors);
                current[i] = warmLoad.RequestsPerSecond;
                line.Append(CultureInfo.InvariantCulture, $"  {configurations[i].Label} {current[i]:F0} req/s");
            }

            Console.WriteLine(line.ToString());
            if (current.Zip(previous).All(p => Math.Abs(p.First - p.Second) <= 0.25 * p.Second))
            {
                return;
            }

            previous = current;
        }
    }

    // Each round measures every configuration once, the order turning by one each round: sequential requests on one
    // connection, then closed-loop load; the same totals as BenchProgram.MeasureWarmAsync, cut into Rounds slices.
    private static async Task MeasureRoundsAsync(List<Configuration> configurations, Options options)
    {
        var sequentialPerRound = (options.Sequential + Rounds - 1) / Rounds;
        var durationPerRound = options.Duration / Rounds;
        for (var round = 0; round < Rounds; round++)
        {
            var line = new StringBuilder($"  round {round + 1}:");
            for (var turn = 0; turn < configurations.Count; turn++)
            {
                var configuration = configurations[(round + turn) % configurations.Count];
                var sent = configuration.Sequential.Count;
                for (var i = 0; i < sequentialPerRound && configuration.Sequential.Count < options.Sequential; i++)
                {
                    configuration.Sequential.Add(await configuration.Single.SendAsync(configuration.Paths[(sent + i) % FunctionCount], BenchProgram.ExpectedBody, configuration.Errors));
                }

                var cpuBefore = CpuTime(configuration.Processes);
                var throughput = await configuration.Load.ThroughputAsync(configuration.Paths, durationPerRound, BenchProgram.ExpectedBody);
                configuration.Cpu += CpuTime(configuration.Processes) - cpuBefore;
                configuration.Add(throughput);
                line.Append(CultureInfo.InvariantCulture, $"  {configuration.Label} {throughput.RequestsPerSecond:F0} req/s");
            }

            Console.WriteLine(line.ToString());
        }
    }

    // Reads status.instances[].silo of every function and prints which silo hosts which; returns the distinct silos.
    private static async Task<int> PrintPlacementAsync(Configuration configuration, string when)
    {
        var api = configuration.Single.Client;
        var siloNames = configuration.SiloNames ?? [];
        var hosts = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var name in configuration.Names)
        {
            using var response = await api.GetAsync(new Uri($"{BenchProgram.Functions}/{name}", UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"get {name}: expected 200, got {(int)response.StatusCode}: {body}");
            }

            using var json = JsonDocument.Parse(body);
            foreach (var instance in json.RootElement.GetProperty("status").GetProperty("instances").EnumerateArray())
            {
                var silo = SiloName(instance.GetProperty("silo").GetString() ?? "?", siloNames);
                if (!hosts.TryGetValue(silo, out var functions))
                {
                    hosts[silo] = functions = [];
                }

                functions.Add(name);
            }
        }

        var placement = string.Join("; ", hosts.Select(h => $"{h.Key}: {string.Join(' ', h.Value)}"));
        Console.WriteLine($"  {configuration.Label} instances {when}: {hosts.Count} distinct silo(s) of {siloNames.Count} ({placement})");
        return hosts.Count;
    }

    // "S127.0.0.1:31234:154628210" (address:port:generation) → the name the benchmark gave the silo on that port.
    private static string SiloName(string address, Dictionary<int, string> siloNames)
    {
        var parts = address.Split(':');
        return parts.Length >= 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && siloNames.TryGetValue(port, out var name)
            ? name
            : address;
    }

    private static TimeSpan CpuTime(IReadOnlyList<ChildProcess> servers)
    {
        using var self = Process.GetCurrentProcess();
        return servers.Aggregate(self.TotalProcessorTime, (sum, server) => sum + server.CpuTime);
    }

    /// <summary>Starts a private redis-server on a free loopback port and waits until it answers PING.</summary>
    internal static async Task<ChildProcess> StartRedisAsync()
    {
        var port = LocalMachine.FreePorts(1)[0];
        var redis = ChildProcess.Start(
            "redis-server",
            RedisServer,
            ["--port", Port(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            new Dictionary<string, string>(),
            port,
            http: null);
        try
        {
            var deadline = Stopwatch.StartNew();
            var last = "no answer";
            while (deadline.Elapsed < TimeSpan.FromSeconds(10) && !redis.HasExited)
            {
                try
                {
                    using var tcp = new TcpClient();
                    await tcp.ConnectAsync(IPAddress.Loopback, port);
                    var stream = tcp.GetStream();
                    await stream.WriteAsync("PING\r\n"u8.ToArray());
                    var buffer = new byte[16];
                    last = Encoding.ASCII.GetString(buffer, 0, await stream.ReadAsync(buffer));
                    if (last.StartsWith("+PONG", StringComparison.Ordinal))
                    {
                        return redis;
                    }
                }
                catch (SocketException ex)
                {
                    last = ex.Message;
                }

                await Task.Delay(50);
            }

            throw new InvalidOperationException($"redis-server on port {port} did not answer PING within 10 s ({last}); its last output:{Environment.NewLine}{redis.Tail()}");
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    // A row of the table: a value per configuration, then (b) and (c) compared with (a).
    private static void Line(string label, ClusterRun[] runs, Func<ClusterRun, string> value, Func<ClusterRun, string> comparison) =>
        Console.WriteLine($"  {label,-50}{string.Concat(runs.Select(r => $"{value(r),14}"))}   {comparison(runs[1]),7}   {comparison(runs[2]),7}");

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>The silo and gateway programs built by <c>dotnet build Orleans.sln -c Release</c>.</summary>
    internal sealed record Programs(string Silo, string Gateway, string? Missing)
    {
        public static Programs Locate()
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "Orleans.sln")))
            {
                root = root.Parent;
            }

            if (root is null)
            {
                return new Programs("", "", $"no Orleans.sln above {AppContext.BaseDirectory}");
            }

            var silo = Path.Combine(root.FullName, "src", "Silo", "bin", "Release", "net10.0", "Granary.Silo.dll");
            var gateway = Path.Combine(root.FullName, "src", "Gateway", "bin", "Release", "net10.0", "Granary.Gateway.dll");
            var missing = new[] { silo, gateway }.Where(p => !File.Exists(p)).ToArray();
            return new Programs(
                silo,
                gateway,
                missing.Length == 0 ? null : $"{string.Join(" and ", missing)} missing; build them with: cd {root.FullName} && dotnet build Orleans.sln -c Release");
        }

        /// <summary>Copies both output directories under <paramref name="directory"/> and returns the copies.</summary>
        public Programs CopyTo(string directory) =>
            new(CopyOutput(Silo, Path.Combine(directory, "silo")), CopyOutput(Gateway, Path.Combine(directory, "gateway")), Missing);

        // Copies the directory of the program, except a nested RID-specific output (bin/Release/net10.0/linux-x64/)
        // that `dotnet program.dll` never loads from; returns the copied program's path.
        private static string CopyOutput(string program, string target)
        {
            var source = Path.GetDirectoryName(program)!;
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(source, file);
                var top = relative.Split(Path.DirectorySeparatorChar)[0];
                if (top != relative && File.Exists(Path.Combine(source, top, Path.GetFileName(program))))
                {
                    continue;
                }

                var copy = Path.Combine(target, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                File.Copy(file, copy);
            }

            return Path.Combine(target, Path.GetFileName(program));
        }
    }

    /// <summary>One configuration under measurement: where to send requests, its processes, and what was measured so far.</summary>
    private sealed class Configuration(string label, Uri http, IReadOnlyList<ChildProcess> processes, Dictionary<int, string>? siloNames, int connections) : IDisposable
    {
        private readonly List<double> _loadLatencies = [];
        private readonly List<double> _roundRequestsPerSecond = [];
        private long _requests;
        private TimeSpan _elapsed;

        public string Label { get; } = label;

        public Uri Http { get; } = http;

        public IReadOnlyList<ChildProcess> Processes { get; } = processes;

        public Dictionary<int, string>? SiloNames { get; } = siloNames;

        public string[] Names { get; } = [.. Enumerable.Range(0, FunctionCount).Select(i => $"hello{i}")];

        public string[] Paths { get; } = [.. Enumerable.Range(0, FunctionCount).Select(i => $"{BenchProgram.Invoke}/hello{i}")];

        public LoadGenerator Single { get; } = new(http, 1);

        public LoadGenerator Load { get; } = new(http, connections);

        public List<double> Sequential { get; } = [];

        public ErrorLog Errors { get; } = new();

        public TimeSpan Cpu { get; set; }

        public double WarmUpRequestsPerSecond { get; set; }

        public void Add(ThroughputResult round)
        {
            _requests += round.Requests;
            _elapsed += round.Elapsed;
            _roundRequestsPerSecond.Add(round.RequestsPerSecond);
            _loadLatencies.AddRange(round.Samples);
            Errors.AddRange(round.Errors);
        }

        public ClusterRun Result()
        {
            var throughput = new ThroughputResult(_requests, _elapsed, LatencyStats.From(_loadLatencies), new ErrorLog());
            var warm = new WarmResult(LatencyStats.From(Sequential), throughput, Cpu.TotalMicroseconds / _requests, Errors.Total);
            return new ClusterRun(Label, warm, _roundRequestsPerSecond, Processes.Count);
        }

        public void Dispose()
        {
            Single.Dispose();
            Load.Dispose();
        }
    }
}

/// <summary>
/// A child process of the benchmark with its output kept (last lines) for error messages. Every live one is killed
/// with its process tree when disposed, when the benchmark exits, and on Ctrl+C.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private const int TailLines = 30;
    private static readonly ConcurrentDictionary<ChildProcess, byte> s_live = new();
    private static int s_hooked;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _tail = new();
    private int _disposed;

    private ChildProcess(string name, Process process, int port, Uri? http)
    {
        Name = name;
        _process = process;
        Port = port;
        Http = http ?? new Uri($"tcp://127.0.0.1:{port}");
    }

    public string Name { get; }

    public int Port { get; }

    public Uri Http { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Gets the process id (the program itself: a shell that starts it does so with <c>exec</c>).</summary>
    public int Id => _process.Id;

    public int ExitCode => _process.ExitCode;

    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.HasExited ? TimeSpan.Zero : _process.TotalProcessorTime;
        }
    }

    /// <summary>
    /// Runs <c>dotnet &lt;dll&gt;</c> on <c>http://127.0.0.1:&lt;httpPort&gt;</c> plus the given settings, with
    /// warning-level logs unless <paramref name="defaultLogs"/> keeps the program's own (its default configuration).
    /// </summary>
    public static ChildProcess StartDotnet(string name, string dll, int httpPort, Dictionary<string, string> settings, bool defaultLogs = false)
    {
        settings["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}";
        if (!defaultLogs)
        {
            settings["Logging__LogLevel__Default"] = "Warning";
        }

        settings.TryAdd("Granary__Auth__AdminKey", BenchProgram.AdminKey);
        settings.TryAdd("Granary__Secrets__MasterKey", BenchProgram.SecretsKey);
        return Start(name, "dotnet", [dll], settings, httpPort, new Uri($"http://127.0.0.1:{httpPort}"), Path.GetDirectoryName(dll));
    }

    public static ChildProcess Start(
        string name, string fileName, IEnumerable<string> arguments, Dictionary<string, string> environment, int port, Uri? http, string? workingDirectory = null)
    {
        if (Interlocked.Exchange(ref s_hooked, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
            Console.CancelKeyPress += (_, _) => KillAll();
        }

        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Settings the benchmark's own environment may carry must not leak into the programs under test.
        foreach (var key in start.Environment.Keys.ToArray())
        {
            if (key.StartsWith("Granary__", StringComparison.OrdinalIgnoreCase) || key is "ASPNETCORE_URLS" or "DOTNET_URLS" or "PORT")
            {
                start.Environment.Remove(key);
            }
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name}: {fileName} did not start.");
        var child = new ChildProcess(name, process, port, http);
        s_live[child] = 0;
        process.OutputDataReceived += (_, e) => child.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => child.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Kills every child still running (at the end, on Ctrl+C and at exit).</summary>
    public static void KillAll()
    {
        foreach (var child in s_live.Keys)
        {
            child.Kill();
        }
    }

    /// <summary>The last lines the process wrote (stdout and stderr).</summary>
    public string Tail() => string.Join(Environment.NewLine, _tail);

    /// <summary>Throws, with the last output, when the process has exited.</summary>
    public void ThrowIfExited()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode}; its last output:{Environment.NewLine}{Tail()}");
        }
    }

    /// <summary>Polls <c>GET /readyz</c> until it answers 200 (with <paramref name="expected"/> in its body, if given).</summary>
    public async Task<TimeSpan> WaitReadyAsync(string? expected)
    {
        var started = Stopwatch.GetTimestamp();
        using var probe = new HttpClient { BaseAddress = Http, Timeout = TimeSpan.FromSeconds(5) };
        var last = "no answer";
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(60))
        {
            ThrowIfExited();
            try
            {
                using var response = await probe.GetAsync(new Uri("/readyz", UriKind.Relative));
                var body = await response.Content.ReadAsStringAsync();
                last = $"{(int)response.StatusCode} {body}";
                if (response.StatusCode == HttpStatusCode.OK && (expected is null || body.Contains(expected, StringComparison.Ordinal)))
                {
                    return Stopwatch.GetElapsedTime(started);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                last = ex.Message;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{Name} was not ready within 60 s (last /readyz: {last}); its last output:{Environment.NewLine}{Tail()}");
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Kill();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine($"  warning: {Name} (pid {_process.Id}) did not exit within 10 s of being killed");
        }

        s_live.TryRemove(this, out _);
        _process.Dispose();
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // It exited between the check and the kill.
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _tail.Enqueue(line);
        while (_tail.Count > TailLines && _tail.TryDequeue(out _))
        {
        }
    }
}
