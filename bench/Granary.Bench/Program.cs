using System.Diagnostics;
using System.Net;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Granary.Functions;
using Granary.Runtime.JavaScript;

namespace Granary.Bench;

/// <summary>
/// Measures, in one process: a bare Kestrel endpoint (the baseline), the Granary gateway's warm invocation path
/// against it, and cold starts (idle function → first response through the gateway); then, with the gateway and
/// silos as separate processes, the cluster mode against the embedded one (<see cref="ClusterBench"/>).
/// </summary>
internal static class BenchProgram
{
    internal const string Functions = "/api/v1/tenants/default/workspaces/bench/functions";

    /// <summary>The admin key every Granary the benchmark starts is given (<c>Granary:Auth:AdminKey</c>).</summary>
    internal const string AdminKey = "gk_bench_admin_0123456789abcdef0123456789abcdef";

    /// <summary>The master key of tenant secrets every silo the benchmark starts is given (a cluster needs one).</summary>
    internal const string SecretsKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    internal const string Invoke = "/fn/default/bench";
    private const string HelloCode = "module.exports = async () => ({ hello: 'world' });";

    /// <summary>Gets what every hello function (and the baseline) answers.</summary>
    internal static byte[] ExpectedBody { get; } = "{\"hello\":\"world\"}"u8.ToArray();

    /// <summary>Gets the unmeasured closed-loop load before each throughput measurement.</summary>
    internal static TimeSpan ThroughputWarmUp { get; } = TimeSpan.FromSeconds(2);

    public static async Task<int> Main(string[] args)
    {
        if (args is ["--serve-kestrel", var port])
        {
            return await HttpBench.ServeKestrelAsync(port);
        }

        if (Options.Parse(args) is not { } options)
        {
            return 2;
        }

        PrintHeader(options);
        var report = new Report();
        if (options.RunSingleProcess)
        {
            await MeasureSingleProcessAsync(options, report);
        }

        if (options.RunCluster)
        {
            Console.WriteLine();
            if (ClusterBench.Unavailable() is { } reason)
            {
                Console.WriteLine($"Cluster: skipped: {reason}");
                report.ClusterSkipped = reason;
            }
            else
            {
                report.Cluster = await ClusterBench.MeasureAsync(options, report.Errors);
            }
        }

        if (options.RunTenancy)
        {
            Console.WriteLine();
            if (TenancyBench.Unavailable(options.NoisyOnly) is { } reason)
            {
                Console.WriteLine($"Tenancy: skipped: {reason}");
                report.Errors.Add("tenancy: skipped", reason);
            }
            else
            {
                report.Tenancy = await TenancyBench.MeasureAsync(options, report.Errors);
            }
        }

        if (options.RunCompat)
        {
            Console.WriteLine();
            if (CompatBench.Unavailable() is { } reason)
            {
                Console.WriteLine($"Compatibility: skipped: {reason}");
                report.Errors.Add("compat: skipped", reason);
            }
            else
            {
                await CompatBench.MeasureAsync(options, report.Errors);
            }
        }

        if (options.RunScaleOut)
        {
            Console.WriteLine();
            if (ScaleOutBench.Unavailable() is { } reason)
            {
                Console.WriteLine($"Scale-out: skipped: {reason}");
                report.Errors.Add("scaleout: skipped", reason);
            }
            else
            {
                report.ScaleOut = await ScaleOutBench.MeasureAsync(options, report.Errors);
            }
        }

        if (options.RunHttp)
        {
            Console.WriteLine();
            if (HttpBench.Unavailable() is { } reason)
            {
                Console.WriteLine($"HTTP from outside: skipped: {reason}");
                report.Errors.Add("http: skipped", reason);
            }
            else
            {
                report.Http = await HttpBench.MeasureAsync(options, report.Errors);
            }
        }

        if (options.RunJsCold)
        {
            Console.WriteLine();
            report.JsCold = await JsColdBench.MeasureAsync(options, report.Errors);
        }

        if (options.RunClusterHttp)
        {
            Console.WriteLine();
            if ((HttpBench.Unavailable() ?? ClusterBench.Unavailable()) is { } reason)
            {
                Console.WriteLine($"Cluster from outside: skipped: {reason}");
                report.Errors.Add("clusterhttp: skipped", reason);
            }
            else
            {
                report.ClusterHttp = await ClusterHttpBench.MeasureAsync(options, report.Errors);
            }
        }

        if (options.RunPythonCold)
        {
            Console.WriteLine();
            report.PythonCold = await PythonColdBench.MeasureAsync(options, report.Errors);
        }

        if (options.RunDensity)
        {
            Console.WriteLine();
            if (DensityBench.Unavailable() is { } reason)
            {
                Console.WriteLine($"Density: skipped: {reason}");
                report.Errors.Add("density: skipped", reason);
            }
            else
            {
                report.Density = await DensityBench.MeasureAsync(options, report.Errors);
            }
        }

        report.Print(options);
        var nothingMeasured = (options.Only == "cluster" && report.Cluster is null) || (options.Only is "tenancy" or "noisy" && report.Tenancy is null) ||
            (options.Only == "scaleout" && report.ScaleOut is null) || (options.Only == "http" && report.Http is null) ||
            (options.Only == "jscold" && report.JsCold is null) || (options.Only == "clusterhttp" && report.ClusterHttp is null) ||
            (options.Only == "pycold" && report.PythonCold is null) ||
            (options.Only == "density" && report.Density is null);
        return report.Errors.Total == 0 && !nothingMeasured ? 0 : 1;
    }

    private static async Task MeasureSingleProcessAsync(Options options, Report report)
    {
        // 1. Baseline: same body and content type as the Granary function answers with (checked below).
        await using (var baseline = await BaselineHost.StartAsync(ExpectedBody, "application/json; charset=utf-8"))
        {
            Console.WriteLine($"Baseline Kestrel listening on {baseline.BaseAddress} (started in {baseline.Startup.TotalMilliseconds:F0} ms)");
            report.Baseline = await MeasureWarmAsync(baseline.BaseAddress, BaselineHost.Path, options, report.Errors);
        }

        // 2. Granary, warm.
        await using var granary = await GranaryHost.StartAsync();
        Console.WriteLine($"Granary gateway listening on {granary.BaseAddress} (started in {granary.Startup.TotalMilliseconds:F0} ms), storage {granary.StoragePath}");
        using var management = new LoadGenerator(granary.BaseAddress, 1);
        var api = management.Client;

        await DeployAsync(api, "hello", idleTimeoutSeconds: null);
        using (var first = await api.PostAsync(new Uri($"{Invoke}/hello", UriKind.Relative), null))
        {
            var body = await first.Content.ReadAsByteArrayAsync();
            Console.WriteLine($"First invocation of hello: {(int)first.StatusCode} {first.Content.Headers.ContentType} {Encoding.UTF8.GetString(body)}");
            if (first.StatusCode != HttpStatusCode.OK || !body.AsSpan().SequenceEqual(ExpectedBody))
            {
                report.Errors.Add("hello: first invocation", $"{(int)first.StatusCode} {Encoding.UTF8.GetString(body)}");
            }
        }

        report.Granary = await MeasureWarmAsync(granary.BaseAddress, $"{Invoke}/hello", options, report.Errors);

        // 2b. Custom Code API: the seed's hello snippet and a cache increment, warm.
        Console.WriteLine("Custom Code API (/v2/functions/bench/run/…), sequential:");
        report.Snippets = await CustomCodeBench.MeasureAsync(granary.BaseAddress, options, report.Errors);

        // 2c. Python: a hello through Granary against Flask on gunicorn, then Python cold starts.
        Console.WriteLine("Python:");
        report.Python = await PythonBench.MeasureAsync(granary, options, report.Errors);

        // 3a. Cold start of never-run functions whose definition grains were collected too (read from storage).
        var collected = Names("cold", options);
        Console.WriteLine($"Cold (definition grain collected): deploying {collected.Length} functions (default settings)...");
        await DeployAllAsync(api, collected, idleTimeoutSeconds: null);
        var grains = granary.Grains.GetGrain<IManagementGrain>(0);
        await grains.ForceActivationCollection(TimeSpan.Zero);
        await WaitIdleAsync(api, [collected[0]]);
        await grains.ForceActivationCollection(TimeSpan.Zero); // reading cold0's status re-activated its definition grain
        Console.WriteLine($"  before measuring: {await CountActivationsAsync(grains)}");
        report.ColdCollected = await MeasureColdAsync(granary, api, collected, options, report.Errors);
        await DeleteAllAsync(api, collected); // frees their activations and isolates (idle timeout 300 s) before the next variant

        // 3b. Cold start after each function scaled itself to zero; its definition grain stays active.
        var scaled = Names("idle", options);
        Console.WriteLine($"Cold (scaled to zero, definition grain active): deploying {scaled.Length} functions with idleTimeoutSeconds 1, invoking each once...");
        await DeployAllAsync(api, scaled, idleTimeoutSeconds: 1);
        var (_, firstRunErrors) = await SequentialOverAsync(management, scaled.Select(n => $"{Invoke}/{n}"));
        report.Errors.AddRange(firstRunErrors);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await WaitIdleAsync(api, scaled);
        Console.WriteLine($"  before measuring: {await CountActivationsAsync(grains)}");
        report.ColdScaledToZero = await MeasureColdAsync(granary, api, scaled, options, report.Errors);

        // Delete what is left so that every function grain detaches from its definition grain before the silo stops.
        Console.WriteLine("Deleting the functions and stopping the gateway...");
        await DeleteAllAsync(api, [.. scaled, "hello"]);
        var stopping = Stopwatch.GetTimestamp();
        await granary.DisposeAsync();
        Console.WriteLine($"  stopped in {Stopwatch.GetElapsedTime(stopping).TotalMilliseconds:F0} ms; temp storage deleted: {!Directory.Exists(granary.StoragePath)}");
    }

    private static void PrintHeader(Options options)
    {
        var gc = GCSettings.IsServerGC ? "Server GC" : "Workstation GC";
        Console.WriteLine("Granary benchmark");
        Console.WriteLine($"  machine:  {Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription.Trim()}, {RuntimeInformation.ProcessArchitecture}, {RuntimeInformation.FrameworkDescription}, {gc}");
        Console.WriteLine($"  warm:     sequential {options.Sequential} requests (+{options.SequentialWarmUp} warm-up) on one keep-alive connection; " +
            $"throughput {options.Connections} connections x {options.Duration.TotalSeconds:F0} s (+{ThroughputWarmUp.TotalSeconds:F0} s warm-up)");
        Console.WriteLine($"  cold:     {options.Cold} measured cold starts per variant (+{options.ColdWarmUp} unmeasured first), {options.ColdGap.TotalMilliseconds:F0} ms gap between cold starts");
        Console.WriteLine("  client:   in-process HttpClient/SocketsHttpHandler, POST without body; every response checked for 200 + {\"hello\":\"world\"}");
        Console.WriteLine();
    }

    internal static async Task<WarmResult> MeasureWarmAsync(Uri baseAddress, string path, Options options, ErrorLog allErrors, byte[]? expectedBody = null)
    {
        var expected = expectedBody ?? ExpectedBody;
        using var single = new LoadGenerator(baseAddress, 1);
        var (_, warmErrors) = await single.SequentialAsync(path, options.SequentialWarmUp, expected);
        var (sequential, sequentialErrors) = await single.SequentialAsync(path, options.Sequential, expected);

        using var load = new LoadGenerator(baseAddress, options.Connections);
        var warmLoad = await load.ThroughputAsync(path, ThroughputWarmUp, expected);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var throughput = await load.ThroughputAsync(path, options.Duration, expected);
        var cpuPerRequestUs = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / throughput.Requests;

        var errors = new ErrorLog();
        errors.AddRange(warmErrors);
        errors.AddRange(sequentialErrors);
        errors.AddRange(warmLoad.Errors);
        errors.AddRange(throughput.Errors);
        allErrors.AddRange(errors);
        Console.WriteLine($"  {path}: sequential p50 {sequential.P50:F3} ms, throughput {throughput.RequestsPerSecond:F0} req/s, errors {errors.Total}");
        return new WarmResult(sequential, throughput, cpuPerRequestUs, errors.Total);
    }

    // Invokes each idle function once, in order, on one keep-alive connection, pausing before each cold start so
    // that the silo's warm isolate pool can refill. The first ColdWarmUp functions are invoked but not measured.
    private static async Task<ColdResult> MeasureColdAsync(GranaryHost granary, HttpClient api, string[] names, Options options, ErrorLog allErrors)
    {
        var pool = granary.Services.GetRequiredService<IsolatePool>();
        var memoryLimitMb = new FunctionSpec { Runtime = "nodejs", Code = HelloCode }.MemoryLimitMb;
        await pool.WarmUpAsync(memoryLimitMb); // deployments drained it: each one validates the code in a pool isolate

        using var client = new LoadGenerator(granary.BaseAddress, 1);
        var errors = new ErrorLog();
        await client.SendAsync($"{Invoke}/hello", ExpectedBody, errors); // opens the connection before the first cold start
        var latencies = new List<double>();
        var poolEmpty = 0;
        for (var i = 0; i < names.Length; i++)
        {
            await Task.Delay(options.ColdGap);
            var measured = i >= options.ColdWarmUp;
            if (measured && pool.ReadyCount(memoryLimitMb) == 0)
            {
                poolEmpty++;
            }

            var latency = await client.SendAsync($"{Invoke}/{names[i]}", ExpectedBody, errors);
            if (measured)
            {
                latencies.Add(latency);
            }
        }

        // What the gateway recorded for each measured invocation: was it a cold start, and how long the activation took.
        var initMs = new List<double>();
        foreach (var name in names[options.ColdWarmUp..])
        {
            if (await LatestInvocationAsync(api, name) is { Cold: true } record)
            {
                initMs.Add(record.InitMs);
            }
        }

        var notCold = latencies.Count - initMs.Count;
        if (notCold > 0)
        {
            errors.Add("not a cold start", $"{notCold} of {latencies.Count} invocation records say cold=false or are missing");
        }

        allErrors.AddRange(errors);
        var stats = LatencyStats.From(latencies);
        Console.WriteLine($"  measured {stats.Count}: p50 {stats.P50:F2} ms, p99 {stats.P99:F2} ms, errors {errors.Total}");
        return new ColdResult(stats, LatencyStats.From(initMs), errors.Total, poolEmpty, initMs.Count);
    }

    private static string[] Names(string prefix, Options options) =>
        [.. Enumerable.Range(0, options.ColdWarmUp + options.Cold).Select(i => $"{prefix}{i}")];

    private static async Task<(LatencyStats Latency, ErrorLog Errors)> SequentialOverAsync(LoadGenerator client, IEnumerable<string> paths)
    {
        var errors = new ErrorLog();
        var latencies = new List<double>();
        foreach (var path in paths)
        {
            latencies.Add(await client.SendAsync(path, ExpectedBody, errors));
        }

        return (LatencyStats.From(latencies), errors);
    }

    private static async Task DeployAllAsync(HttpClient api, string[] names, int? idleTimeoutSeconds)
    {
        foreach (var name in names)
        {
            await DeployAsync(api, name, idleTimeoutSeconds);
        }
    }

    internal static async Task DeployAsync(HttpClient api, string name, int? idleTimeoutSeconds)
    {
        var spec = idleTimeoutSeconds is { } idle
            ? JsonSerializer.Serialize(new { runtime = "nodejs", code = HelloCode, idleTimeoutSeconds = idle })
            : JsonSerializer.Serialize(new { runtime = "nodejs", code = HelloCode });
        using var content = new StringContent(spec, Encoding.UTF8, "application/json");
        using var response = await api.PutAsync(new Uri($"{Functions}/{name}", UriKind.Relative), content);
        await CheckStatusAsync(response, HttpStatusCode.Created, $"deploy {name}");
    }

    private static async Task DeleteAllAsync(HttpClient api, string[] names)
    {
        foreach (var name in names)
        {
            using var response = await api.DeleteAsync(new Uri($"{Functions}/{name}", UriKind.Relative));
            await CheckStatusAsync(response, HttpStatusCode.NoContent, $"delete {name}");
        }
    }

    private static async Task CheckStatusAsync(HttpResponseMessage response, HttpStatusCode expected, string what)
    {
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync();
            throw new InvalidOperationException($"{what}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        }
    }

    // Polls the management API until every named function reports status idle (at most 10 s).
    private static async Task WaitIdleAsync(HttpClient api, string[] names)
    {
        var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
        foreach (var name in names)
        {
            while (true)
            {
                using var response = await api.GetAsync(new Uri($"{Functions}/{name}", UriKind.Relative));
                await CheckStatusAsync(response, HttpStatusCode.OK, $"get {name}");
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                var state = json.RootElement.GetProperty("status").GetProperty("state").GetString();
                if (state == "idle")
                {
                    break;
                }

                if (Stopwatch.GetTimestamp() > deadline)
                {
                    throw new InvalidOperationException($"{name} did not become idle within 10 s (status {state}).");
                }

                await Task.Delay(100);
            }
        }

        Console.WriteLine($"  verified \"status\":{{\"state\":\"idle\"}}: {(names.Length == 1 ? names[0] : $"all {names.Length} functions")}");
    }

    internal static async Task<(bool Cold, double InitMs)?> LatestInvocationAsync(HttpClient api, string name)
    {
        using var response = await api.GetAsync(new Uri($"{Functions}/{name}/invocations?limit=1", UriKind.Relative));
        await CheckStatusAsync(response, HttpStatusCode.OK, $"invocations of {name}");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var records = json.RootElement.GetProperty("invocations");
        if (records.GetArrayLength() == 0)
        {
            return null;
        }

        var latest = records[0];
        return (latest.GetProperty("cold").GetBoolean(), latest.GetProperty("initMs").GetDouble());
    }

    private static async Task<string> CountActivationsAsync(IManagementGrain grains)
    {
        var stats = await grains.GetSimpleGrainStatistics();
        int Count(Type type) => stats.Where(s => s.GrainType.Split(',')[0] == type.FullName).Sum(s => s.ActivationCount);
        return $"{Count(typeof(FunctionGrain))} function grain and {Count(typeof(FunctionDefinitionGrain))} definition grain activations in the silo (incl. the warm 'hello')";
    }
}
