using System.Diagnostics;
using System.Globalization;
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
/// against it, and cold starts (idle function → first response through the gateway).
/// </summary>
internal static class BenchProgram
{
    private const string Workspace = "/api/v1/tenants/default/workspaces/bench/functions";
    private const string Invoke = "/fn/default/bench";
    private const string HelloCode = "module.exports = async () => ({ hello: 'world' });";
    private static readonly TimeSpan s_warmUp = TimeSpan.FromSeconds(2);
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    public static async Task<int> Main(string[] args)
    {
        if (Options.Parse(args) is not { } options)
        {
            return 2;
        }

        PrintHeader(options);
        var report = new Report();

        // 1. Baseline. The body and content type are those the Granary function answers with (checked below).
        var expectedBody = "{\"hello\":\"world\"}"u8.ToArray();
        await using (var baseline = await BaselineHost.StartAsync(expectedBody, "application/json"))
        {
            Console.WriteLine($"Baseline Kestrel listening on {baseline.BaseAddress} (started in {baseline.Startup.TotalMilliseconds:F0} ms)");
            report.Baseline = await MeasureWarmAsync(baseline.BaseAddress, BaselineHost.Path, expectedBody, options, report.Errors);
        }

        // 2-3. Granary.
        await using var granary = await GranaryHost.StartAsync();
        Console.WriteLine($"Granary gateway listening on {granary.BaseAddress} (started in {granary.Startup.TotalMilliseconds:F0} ms), storage {granary.StoragePath}");
        using var api = new LoadGenerator(granary.BaseAddress, 1);

        await DeployAsync(api.Client, "hello", idleTimeoutSeconds: null);
        using (var first = await api.Client.PostAsync(new Uri($"{Invoke}/hello", UriKind.Relative), null))
        {
            var body = await first.Content.ReadAsByteArrayAsync();
            Console.WriteLine($"First invocation of hello: {(int)first.StatusCode} {first.Content.Headers.ContentType} {Encoding.UTF8.GetString(body)}");
            if (first.StatusCode != HttpStatusCode.OK || !body.AsSpan().SequenceEqual(expectedBody))
            {
                report.Errors.Add("hello: first invocation", $"{(int)first.StatusCode} {Encoding.UTF8.GetString(body)}");
            }
        }

        report.Granary = await MeasureWarmAsync(granary.BaseAddress, $"{Invoke}/hello", expectedBody, options, report.Errors);

        // 3a. Cold start of functions that are idle and whose definition grains were collected too.
        report.ColdCollected = await MeasureColdCollectedAsync(granary, api.Client, expectedBody, options, report.Errors);

        // 3b. Cold start after the function scaled itself to zero; its definition grain stays active.
        report.ColdScaledToZero = await MeasureColdScaledToZeroAsync(granary, api.Client, expectedBody, options, report.Errors);

        Console.WriteLine("Stopping the hosts...");
        report.Print(options);
        return report.Errors.Total == 0 ? 0 : 1;
    }

    private static void PrintHeader(Options options)
    {
        var gc = GCSettings.IsServerGC ? "Server GC" : "Workstation GC";
        Console.WriteLine("Granary benchmark");
        Console.WriteLine($"  machine:  {Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription.Trim()}, {RuntimeInformation.ProcessArchitecture}, {RuntimeInformation.FrameworkDescription}, {gc}");
        Console.WriteLine($"  settings: sequential {options.Sequential} requests (+{options.SequentialWarmUp} warm-up) on one keep-alive connection; " +
            $"throughput {options.Connections} connections × {options.Duration.TotalSeconds:F0} s (+{s_warmUp.TotalSeconds:F0} s warm-up); " +
            $"cold starts {options.Cold} per variant, {options.ColdGap.TotalMilliseconds:F0} ms gap");
        Console.WriteLine("  client:   in-process HttpClient/SocketsHttpHandler, POST without body, every response checked for 200 + {\"hello\":\"world\"}");
        Console.WriteLine();
    }

    private static async Task<WarmResult> MeasureWarmAsync(Uri baseAddress, string path, byte[] expectedBody, Options options, ErrorLog allErrors)
    {
        using var single = new LoadGenerator(baseAddress, 1);
        var (_, warmErrors) = await single.SequentialAsync(path, options.SequentialWarmUp, expectedBody);
        var (sequential, sequentialErrors) = await single.SequentialAsync(path, options.Sequential, expectedBody);

        using var load = new LoadGenerator(baseAddress, options.Connections);
        var warmLoad = await load.ThroughputAsync(path, s_warmUp, expectedBody);
        var throughput = await load.ThroughputAsync(path, options.Duration, expectedBody);

        var errors = new ErrorLog();
        errors.AddRange(warmErrors);
        errors.AddRange(sequentialErrors);
        errors.AddRange(warmLoad.Errors);
        errors.AddRange(throughput.Errors);
        allErrors.AddRange(errors);
        Console.WriteLine($"  {path}: sequential p50 {sequential.P50:F3} ms, throughput {throughput.RequestsPerSecond:F0} req/s, errors {errors.Total}");
        return new WarmResult(sequential, throughput, errors.Total);
    }

    private static async Task<ColdResult> MeasureColdCollectedAsync(GranaryHost granary, HttpClient api, byte[] expectedBody, Options options, ErrorLog allErrors)
    {
        var names = Enumerable.Range(0, options.Cold).Select(i => $"cold{i}").ToArray();
        Console.WriteLine($"Cold (definition grain collected): deploying {names.Length} functions...");
        foreach (var name in names)
        {
            await DeployAsync(api, name, idleTimeoutSeconds: null);
        }

        // Deployment never activates a function grain; collecting every idle activation also removes the
        // definition and workspace grains, so the first request has to read the definition from storage.
        var management = granary.Grains.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);
        await WaitIdleAsync(api, names[..1]);
        await management.ForceActivationCollection(TimeSpan.Zero); // the status read above re-activated cold0's definition grain
        var counts = await CountActivationsAsync(management);
        Console.WriteLine($"  before measuring: {counts}");

        var result = await MeasureColdAsync(granary, api, names, expectedBody, options, allErrors);

        // Free the 200 activations (and their isolates) before the next variant.
        foreach (var name in names)
        {
            using var response = await api.DeleteAsync(new Uri($"{Workspace}/{name}", UriKind.Relative));
            CheckStatus(response, HttpStatusCode.NoContent, $"delete {name}");
        }

        return result;
    }

    private static async Task<ColdResult> MeasureColdScaledToZeroAsync(GranaryHost granary, HttpClient api, byte[] expectedBody, Options options, ErrorLog allErrors)
    {
        var names = Enumerable.Range(0, options.Cold).Select(i => $"idle{i}").ToArray();
        Console.WriteLine($"Cold (scaled to zero, definition grain active): deploying {names.Length} functions with idleTimeoutSeconds 1, invoking each once...");
        var warmErrors = new ErrorLog();
        using var client = new LoadGenerator(granary.BaseAddress, 1);
        foreach (var name in names)
        {
            await DeployAsync(api, name, idleTimeoutSeconds: 1);
            await client.SendAsync($"{Invoke}/{name}", expectedBody, warmErrors);
        }

        allErrors.AddRange(warmErrors);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await WaitIdleAsync(api, names);
        var counts = await CountActivationsAsync(granary.Grains.GetGrain<IManagementGrain>(0));
        Console.WriteLine($"  before measuring: {counts}");
        return await MeasureColdAsync(granary, api, names, expectedBody, options, allErrors);
    }

    // Invokes each idle function once, in order, over one keep-alive connection, with a pause between cold starts.
    private static async Task<ColdResult> MeasureColdAsync(GranaryHost granary, HttpClient api, string[] names, byte[] expectedBody, Options options, ErrorLog allErrors)
    {
        var pool = granary.Services.GetRequiredService<IsolatePool>();
        var memoryLimitMb = new FunctionSpec { Runtime = "nodejs", Code = HelloCode }.MemoryLimitMb;
        await pool.WarmUpAsync(memoryLimitMb);

        using var client = new LoadGenerator(granary.BaseAddress, 1);
        await client.SendAsync($"{Invoke}/hello", expectedBody, allErrors); // the connection is open before the first sample
        var errors = new ErrorLog();
        var latencies = new double[names.Length];
        var poolEmpty = 0;
        for (var i = 0; i < names.Length; i++)
        {
            await Task.Delay(options.ColdGap);
            if (pool.ReadyCount(memoryLimitMb) == 0)
            {
                poolEmpty++;
            }

            latencies[i] = await client.SendAsync($"{Invoke}/{names[i]}", expectedBody, errors);
        }

        // What the gateway recorded for each of those invocations: was it cold, and how long the activation took.
        var initMs = new List<double>();
        var notCold = 0;
        foreach (var name in names)
        {
            var record = await LatestInvocationAsync(api, name);
            if (record is { Cold: true })
            {
                initMs.Add(record.Value.InitMs);
            }
            else
            {
                notCold++;
            }
        }

        if (notCold > 0)
        {
            errors.Add("not a cold start", $"{notCold} of {names.Length} invocation records say cold=false or are missing");
        }

        allErrors.AddRange(errors);
        var stats = LatencyStats.From(latencies);
        Console.WriteLine($"  measured: p50 {stats.P50:F2} ms, p99 {stats.P99:F2} ms, errors {errors.Total}, warm pool empty before {poolEmpty} of {names.Length}");
        return new ColdResult(stats, LatencyStats.From(initMs), errors.Total, poolEmpty, names.Length - notCold);
    }

    private static async Task DeployAsync(HttpClient api, string name, int? idleTimeoutSeconds)
    {
        var spec = idleTimeoutSeconds is { } idle
            ? JsonSerializer.Serialize(new { runtime = "nodejs", code = HelloCode, idleTimeoutSeconds = idle })
            : JsonSerializer.Serialize(new { runtime = "nodejs", code = HelloCode });
        using var content = new StringContent(spec, Encoding.UTF8, "application/json");
        using var response = await api.PutAsync(new Uri($"{Workspace}/{name}", UriKind.Relative), content);
        CheckStatus(response, HttpStatusCode.Created, $"deploy {name}");
    }

    private static void CheckStatus(HttpResponseMessage response, HttpStatusCode expected, string what)
    {
        if (response.StatusCode != expected)
        {
            var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            throw new InvalidOperationException($"{what}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        }
    }

    // Polls the management API until every named function reports status idle.
    private static async Task WaitIdleAsync(HttpClient api, string[] names)
    {
        var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
        foreach (var name in names)
        {
            while (true)
            {
                using var response = await api.GetAsync(new Uri($"{Workspace}/{name}", UriKind.Relative));
                CheckStatus(response, HttpStatusCode.OK, $"get {name}");
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

        Console.WriteLine($"  verified status idle: {(names.Length == 1 ? names[0] : $"all {names.Length} functions")}");
    }

    private static async Task<(bool Cold, double InitMs)?> LatestInvocationAsync(HttpClient api, string name)
    {
        using var response = await api.GetAsync(new Uri($"{Workspace}/{name}/invocations?limit=1", UriKind.Relative));
        CheckStatus(response, HttpStatusCode.OK, $"invocations of {name}");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var records = json.RootElement.GetProperty("invocations");
        if (records.GetArrayLength() == 0)
        {
            return null;
        }

        var latest = records[0];
        return (latest.GetProperty("cold").GetBoolean(), latest.GetProperty("initMs").GetDouble());
    }

    private static async Task<string> CountActivationsAsync(IManagementGrain management)
    {
        var stats = await management.GetSimpleGrainStatistics();
        int Count(string type) => stats.Where(s => s.GrainType.EndsWith(type, StringComparison.Ordinal)).Sum(s => s.ActivationCount);
        return $"{Count(".FunctionGrain")} function grain and {Count(".FunctionDefinitionGrain")} definition grain activations in the silo";
    }
}
