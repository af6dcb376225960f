using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Granary.Bench;

/// <summary>The figures of the tenancy section.</summary>
internal sealed record TenancyResult(
    double BaselineRps, double PublicRps, double KeyRps, double QuietPublicRps, double QuietKeyRps, LatencyStats AloneLatency, IReadOnlyList<NeighbourRun> Neighbours);

/// <summary>Tenant B's hello beside tenant A's spinning functions of one runtime.</summary>
internal sealed record NeighbourRun(string Runtime, LatencyStats Latency, double FirstCallMs, int Calls, int Timeouts);

/// <summary>
/// Tenancy, with the gateway as a separate process: (1) warm throughput of a <c>public</c> function and of a <c>key</c>
/// function (called with an invoker key of its tenant), measured by <c>wrk</c> from outside, with a bare Kestrel hello in
/// the same run; (2) the noisy neighbour: tenant B's hello latency alone, then beside tenant A driving 10 functions
/// that spin until their timeout with 4 callers each.
/// </summary>
internal static partial class TenancyBench
{
    private const string Wrk = "/usr/bin/wrk";
    private const int Rounds = 5;
    private const int NeighbourFunctions = 10;
    private const int CallersPerFunction = 4;
    private const string Hello = "module.exports = async () => ({ hello: 'world' });";
    private const string BHello = "/fn/b/w/hello";

    // Tenant A's functions: each spins until its timeout.
    private static readonly Dictionary<string, string> s_spinners = new()
    {
        ["nodejs"] = "module.exports = async () => { for (;;) {} };",
        ["python"] = "def main(event, context):\n    while True:\n        pass\n",
    };

    /// <summary>Why the section cannot run on this machine, or null when it can.</summary>
    public static string? Unavailable(bool noisyOnly = false) =>
        File.Exists(Wrk) || noisyOnly ? ClusterBench.Programs.Locate().Missing : $"{Wrk} is missing; install it with: apt-get install -y wrk";

    public static async Task<TenancyResult?> MeasureAsync(Options options, ErrorLog errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.NoisyOnly)
        {
            return await MeasureNoisyAsync(options, errors);
        }

        await using var baseline = await BaselineHost.StartAsync(BenchProgram.ExpectedBody, "application/json; charset=utf-8");

        // Two gateways side by side: one in its default configuration (what a user gets) and one with warning-level
        // logs, to show what the default console log costs. Only the one under load uses the CPU.
        await using var gateway = StartGateway("tenancy gateway (default configuration)", options, defaultLogs: true, out var storage);
        await using var quiet = StartGateway("tenancy gateway (warning-level logs)", options, defaultLogs: false, out var quietStorage);
        try
        {
            var (invoker, quietInvoker) = (await ReadyAsync(gateway), await ReadyAsync(quiet));
            Console.WriteLine($"Tenancy: gateway processes on {gateway.Http} (default configuration) and {quiet.Http} (warning-level logs), wrk -t2 -c{options.Connections} for {options.Duration.TotalSeconds:F0} s per run, {Rounds} rounds in rotating order");

            var targets = new (string Name, Uri Url, string? Key)[]
            {
                ("baseline", new Uri(baseline.BaseAddress, BaselineHost.Path), null),
                ("public", new Uri(gateway.Http, "/fn/b/w/hello"), null),
                ("key", new Uri(gateway.Http, "/fn/b/w/keyed"), invoker),
                ("public, warning logs", new Uri(quiet.Http, "/fn/b/w/hello"), null),
                ("key, warning logs", new Uri(quiet.Http, "/fn/b/w/keyed"), quietInvoker),
            };
            var runs = targets.ToDictionary(t => t.Name, _ => new List<double>());
            foreach (var (name, url, key) in targets)
            {
                await RunWrkAsync(url, key, options.Connections, TimeSpan.FromSeconds(5), errors, name + " warm-up");
            }

            for (var round = 0; round < Rounds; round++)
            {
                foreach (var (name, url, key) in targets.Skip(round % targets.Length).Concat(targets.Take(round % targets.Length)))
                {
                    var rps = await RunWrkAsync(url, key, options.Connections, options.Duration, errors, name);
                    runs[name].Add(rps);
                    Console.WriteLine($"  round {round + 1} {name}: {rps:F0} req/s");
                }
            }

            await quiet.DisposeAsync();
            using var b = new LoadGenerator(gateway.Http, 1);
            var (alone, neighbours) = await AloneThenBesideNeighboursAsync(gateway.Http, b, options, errors);

            return new TenancyResult(
                Median(runs["baseline"]),
                Median(runs["public"]),
                Median(runs["key"]),
                Median(runs["public, warning logs"]),
                Median(runs["key, warning logs"]),
                alone,
                neighbours);
        }
        finally
        {
            await gateway.DisposeAsync();
            await quiet.DisposeAsync();
            LocalMachine.DeleteDirectory(storage);
            LocalMachine.DeleteDirectory(quietStorage);
        }
    }

    // --only noisy: the noisy neighbour alone, against one gateway in its default configuration (no wrk rounds).
    private static async Task<TenancyResult> MeasureNoisyAsync(Options options, ErrorLog errors)
    {
        await using var gateway = StartGateway("tenancy gateway (default configuration)", options, defaultLogs: true, out var storage);
        try
        {
            await ReadyAsync(gateway);
            Console.WriteLine($"Noisy neighbour: gateway process on {gateway.Http} (default configuration), {options.Duration.TotalSeconds:F0} s per run");
            using var b = new LoadGenerator(gateway.Http, 1);
            var (alone, neighbours) = await AloneThenBesideNeighboursAsync(gateway.Http, b, options, errors);
            var alsoAlone = await SequentialForAsync(b, BHello, options.Duration, errors);
            Console.WriteLine($"  B alone again after the neighbours: p50 {alsoAlone.P50:F3} ms  p99 {alsoAlone.P99:F3} ms ({alsoAlone.Count} calls)");
            return new TenancyResult(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, alone, neighbours);
        }
        finally
        {
            await gateway.DisposeAsync();
            LocalMachine.DeleteDirectory(storage);
        }
    }

    private static ChildProcess StartGateway(string name, Options options, bool defaultLogs, out string storage)
    {
        storage = Directory.CreateTempSubdirectory("granary-bench-tenancy-").FullName;
        var ports = LocalMachine.FreePorts(3);
        var settings = new Dictionary<string, string>(options.GatewaySettings)
        {
            ["Granary__Cluster__SiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
            ["Granary__Cluster__GatewayPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
            ["Granary__Storage__Path"] = storage,
        };
        if (options.GatewaySettings.Count > 0)
        {
            Console.WriteLine($"  {name} with {string.Join(", ", options.GatewaySettings.Select(s => $"{s.Key}={s.Value}"))}");
        }

        return ChildProcess.StartDotnet(name, ClusterBench.Programs.Locate().Gateway, ports[2], settings, defaultLogs);
    }

    // Waits for the gateway, sets up the tenants and functions, and returns tenant b's invoker key.
    private static async Task<string> ReadyAsync(ChildProcess gateway)
    {
        await gateway.WaitReadyAsync(expected: null);
        using var api = new LoadGenerator(gateway.Http, 1);
        return await SetUpAsync(api.Client);
    }

    public static void PrintTable(TenancyResult result, Options options)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        Console.WriteLine();
        if (double.IsNaN(result.BaselineRps))
        {
            PrintNeighbours(result);
            return;
        }

        Console.WriteLine($"Tenancy (gateway process, wrk -c{options.Connections}, median of {Rounds} runs)");
        Console.WriteLine($"  bare Kestrel hello                              {result.BaselineRps,10:F0} req/s");
        Console.WriteLine($"  public function, default configuration          {result.PublicRps,10:F0} req/s  ({result.PublicRps / result.BaselineRps:P1} of the baseline)");
        Console.WriteLine($"  key function (invoker key), default configuration {result.KeyRps,8:F0} req/s  ({result.KeyRps / result.PublicRps:P1} of the public function)");
        Console.WriteLine($"  public function, warning-level logs             {result.QuietPublicRps,10:F0} req/s  ({result.QuietPublicRps / result.BaselineRps:P1} of the baseline)");
        Console.WriteLine($"  key function (invoker key), warning-level logs  {result.QuietKeyRps,10:F0} req/s  ({result.QuietKeyRps / result.QuietPublicRps:P1} of the public function)");
        PrintNeighbours(result);
    }

    private static void PrintNeighbours(TenancyResult result)
    {
        Console.WriteLine($"Noisy neighbour: tenant A drives {NeighbourFunctions} functions that spin until their 5 s timeout, {CallersPerFunction} callers each; tenant B's JavaScript hello, one call at a time");
        Console.WriteLine($"  B alone                          p50 {result.AloneLatency.P50:F3} ms  p99 {result.AloneLatency.P99:F3} ms  ({result.AloneLatency.Count} calls)");
        foreach (var run in result.Neighbours)
        {
            Console.WriteLine($"  B beside A's {run.Runtime,-10} functions  p50 {run.Latency.P50:F3} ms  p99 {run.Latency.P99:F3} ms  ({run.Latency.P99 / result.AloneLatency.P99:F2}× alone; {run.Latency.Count} calls; the first {run.FirstCallMs:F1} ms; A: {run.Calls} calls, {run.Timeouts} timed out)");
        }
    }

    // Tenants a and b; b's public and key hello, an invoker key of b; a's spinning functions.
    private static async Task<string> SetUpAsync(HttpClient api)
    {
        foreach (var tenant in new[] { "a", "b" })
        {
            await SendOkAsync(api, HttpMethod.Put, $"/api/v1/tenants/{tenant}", new { });
        }

        await SendOkAsync(api, HttpMethod.Put, "/api/v1/tenants/b/workspaces/w/functions/hello", new { runtime = "nodejs", code = Hello });
        await SendOkAsync(api, HttpMethod.Put, "/api/v1/tenants/b/workspaces/w/functions/keyed", new { runtime = "nodejs", code = Hello, access = "key" });
        foreach (var (runtime, code) in s_spinners)
        {
            for (var i = 0; i < NeighbourFunctions; i++)
            {
                await SendOkAsync(api, HttpMethod.Put, $"/api/v1/tenants/a/workspaces/{runtime}/functions/s{i}", new { runtime, code, timeoutSeconds = 5 });
            }
        }

        using var key = JsonDocument.Parse(await SendOkAsync(api, HttpMethod.Post, "/api/v1/tenants/b/keys", new { role = "invoker", name = "bench" }));
        return key.RootElement.GetProperty("key").GetString()!;
    }

    // Tenant B's hello alone, then beside each runtime's spinning neighbours in turn; all after a warm-up of every path
    // the runs take. Without the neighbours' warm-up, the first 10 s beside them measured the JIT as much as the
    // neighbours: ~2,400 methods of the timeout, interrupt and isolate-making paths were compiled (tier 0, instrumented,
    // tier 1) on the tiered-compilation thread, which runs at the gateway's own priority, in max runs of 12 ms.
    private static async Task<(LatencyStats Alone, List<NeighbourRun> Neighbours)> AloneThenBesideNeighboursAsync(Uri gateway, LoadGenerator b, Options options, ErrorLog errors)
    {
        await b.SequentialAsync(BHello, 500, BenchProgram.ExpectedBody);
        foreach (var runtime in s_spinners.Keys)
        {
            Console.WriteLine($"  warm-up: B beside tenant A's {runtime} neighbours for {options.Duration.TotalSeconds:F0} s, not measured");
            _ = await NoisyNeighbourAsync(gateway, b, runtime, options, errors, announce: false);
        }

        await SequentialForAsync(b, BHello, TimeSpan.FromSeconds(2), errors);
        var alone = await SequentialForAsync(b, BHello, options.Duration, errors);
        List<NeighbourRun> neighbours = [];
        foreach (var runtime in s_spinners.Keys)
        {
            neighbours.Add(await NoisyNeighbourAsync(gateway, b, runtime, options, errors));
        }

        return (alone, neighbours);
    }

    private static async Task<NeighbourRun> NoisyNeighbourAsync(Uri gateway, LoadGenerator b, string runtime, Options options, ErrorLog errors, bool announce = true)
    {
        using var neighbour = new LoadGenerator(gateway, NeighbourFunctions * CallersPerFunction);
        using var stop = new CancellationTokenSource();
        var (calls, timeouts) = (0, 0);
        var callers = Enumerable.Range(0, NeighbourFunctions * CallersPerFunction).Select(i => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await neighbour.Client.PostAsync(new Uri($"/fn/a/{runtime}/s{i % NeighbourFunctions}", UriKind.Relative), null, CancellationToken.None);
                Interlocked.Increment(ref calls);
                if (response.StatusCode == HttpStatusCode.GatewayTimeout)
                {
                    Interlocked.Increment(ref timeouts);
                }
            }
        })).ToList();
        await Task.Delay(TimeSpan.FromSeconds(1));
        if (announce)
        {
            Console.WriteLine($"  tenant A's {runtime} neighbours are running; measuring B beside them for {options.Duration.TotalSeconds:F0} s");
        }

        var first = await b.SendAsync(BHello, BenchProgram.ExpectedBody, errors);
        var beside = await SequentialForAsync(b, BHello, options.Duration, errors);
        await stop.CancelAsync();
        await Task.WhenAll(callers);
        return new NeighbourRun(runtime, beside, first, calls, timeouts);
    }

    // One request after another for a while (covering several of the neighbour's 5 s timeouts).
    private static async Task<LatencyStats> SequentialForAsync(LoadGenerator client, string path, TimeSpan duration, ErrorLog errors)
    {
        var samples = new List<double>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            samples.Add(await client.SendAsync(path, BenchProgram.ExpectedBody, errors));
        }

        return LatencyStats.From(samples);
    }

    internal static async Task<double> RunWrkAsync(Uri url, string? key, int connections, TimeSpan duration, ErrorLog errors, string label)
    {
        var arguments = new List<string> { "-t2", $"-c{connections}", $"-d{(int)duration.TotalSeconds}s" };
        if (key is not null)
        {
            arguments.AddRange(["-H", $"Authorization: Bearer {key}"]);
        }

        arguments.Add(url.ToString());
        var start = new ProcessStartInfo(Wrk) { RedirectStandardOutput = true, RedirectStandardError = true };
        arguments.ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (NonSuccess().Match(output) is { Success: true } failed)
        {
            errors.Add($"{label}: non-2xx responses", failed.Value);
        }

        return RequestsPerSecond().Match(output) is { Success: true } match
            ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"wrk printed no requests per second: {output}");
    }

    private static async Task<string> SendOkAsync(HttpClient api, HttpMethod method, string path, object body)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) };
        using var response = await api.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? text : throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {text}");
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"Non-2xx or 3xx responses: \d+")]
    private static partial Regex NonSuccess();
}
