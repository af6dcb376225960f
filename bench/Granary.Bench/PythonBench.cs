using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Granary.Runtime.Workers;

namespace Granary.Bench;

/// <summary>Warm throughput of a Python hello through Granary and through Flask on gunicorn, and Python cold starts.</summary>
internal sealed record PythonResult(WarmResult Gunicorn, WarmResult Granary, ColdResult Cold, int GunicornWorkers, TimeSpan ColdGap);

/// <summary>
/// The Python part of the benchmark. The baseline is what a Python user would otherwise run: a Flask hello served
/// by gunicorn's sync workers (Debian's <c>python3-flask</c> and <c>gunicorn</c>), (2 × cores) + 1 workers as
/// gunicorn's documentation advises, on the same machine in the same run.
/// </summary>
internal static class PythonBench
{
    private const string HelloCode = "def main(event, context):\n    return {'hello': 'world'}\n";
    private const string FlaskApp = "from flask import Flask\napp = Flask(__name__)\n\n@app.post('/hello')\ndef hello():\n    return {'hello': 'world'}\n";

    public static async Task<PythonResult?> MeasureAsync(GranaryHost granary, Options options, ErrorLog allErrors)
    {
        if (!File.Exists("/usr/bin/gunicorn") || !File.Exists("/usr/bin/python3"))
        {
            allErrors.Add("python: baseline missing", "gunicorn or python3 is not installed; install them with: apt-get install -y python3 python3-flask gunicorn");
            return null;
        }

        var workers = (2 * Environment.ProcessorCount) + 1;
        WarmResult gunicornResult;
        await using (var gunicorn = await GunicornHost.StartAsync(FlaskApp, workers))
        {
            Console.WriteLine($"gunicorn ({workers} sync workers, Flask) listening on {gunicorn.BaseAddress}");
            var expected = await FirstBodyAsync(gunicorn.BaseAddress, "/hello", allErrors);
            gunicornResult = await BenchProgram.MeasureWarmAsync(gunicorn.BaseAddress, "/hello", options, allErrors, expected);
        }

        using var management = new LoadGenerator(granary.BaseAddress, 1);
        var api = management.Client;
        await DeployAsync(api, "pyhello", idleTimeoutSeconds: null, maxConcurrency: workers);
        var granaryExpected = await FirstBodyAsync(granary.BaseAddress, $"{BenchProgram.Invoke}/pyhello", allErrors);
        var granaryResult = await BenchProgram.MeasureWarmAsync(granary.BaseAddress, $"{BenchProgram.Invoke}/pyhello", options, allErrors, granaryExpected);
        await DeleteAsync(api, "pyhello");

        // Cold starts: functions that scaled to zero by their idle timeout; the gap lets the pool start a worker.
        var gap = options.ColdGap < TimeSpan.FromMilliseconds(100) ? TimeSpan.FromMilliseconds(100) : options.ColdGap;
        var count = Math.Min(options.Cold, 100);
        var names = Enumerable.Range(0, count + 5).Select(i => $"pycold{i}").ToArray();
        Console.WriteLine($"Python cold (scaled to zero): deploying {names.Length} functions with idleTimeoutSeconds 1...");
        foreach (var name in names)
        {
            await DeployAsync(api, name, idleTimeoutSeconds: 1, maxConcurrency: 10);
        }

        using var client = new LoadGenerator(granary.BaseAddress, 1);
        var errors = new ErrorLog();
        foreach (var name in names)
        {
            await client.SendAsync($"{BenchProgram.Invoke}/{name}", granaryExpected, errors);
        }

        await Task.Delay(TimeSpan.FromSeconds(3));
        var pool = granary.Services.GetRequiredService<WorkerPool>();
        await pool.WarmUpAsync();
        var latencies = new List<double>();
        var poolEmpty = 0;
        for (var i = 0; i < names.Length; i++)
        {
            await Task.Delay(gap);
            var measured = i >= 5;
            if (measured && pool.ReadyCount == 0)
            {
                poolEmpty++;
            }

            var latency = await client.SendAsync($"{BenchProgram.Invoke}/{names[i]}", granaryExpected, errors);
            if (measured)
            {
                latencies.Add(latency);
            }
        }

        var initMs = new List<double>();
        foreach (var name in names[5..])
        {
            using var response = await api.GetAsync(new Uri($"{BenchProgram.Functions}/{name}/invocations?limit=1", UriKind.Relative));
            using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var record = json.RootElement.GetProperty("invocations")[0];
            if (record.GetProperty("cold").GetBoolean())
            {
                initMs.Add(record.GetProperty("initMs").GetDouble());
            }
        }

        if (initMs.Count < latencies.Count)
        {
            errors.Add("python: not a cold start", $"{latencies.Count - initMs.Count} of {latencies.Count} records say cold=false");
        }

        foreach (var name in names)
        {
            await DeleteAsync(api, name);
        }

        allErrors.AddRange(errors);
        var stats = LatencyStats.From(latencies);
        Console.WriteLine($"  measured {stats.Count}: p50 {stats.P50:F2} ms, p99 {stats.P99:F2} ms, errors {errors.Total}");
        return new PythonResult(gunicornResult, granaryResult, new ColdResult(stats, LatencyStats.From(initMs), errors.Total, poolEmpty, initMs.Count), workers, gap);
    }

    private static async Task<byte[]?> FirstBodyAsync(Uri baseAddress, string path, ErrorLog errors)
    {
        using var client = new HttpClient { BaseAddress = baseAddress };
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), null);
        var body = await response.Content.ReadAsByteArrayAsync();
        Console.WriteLine($"  first answer of {path}: {(int)response.StatusCode} {Encoding.UTF8.GetString(body).Trim()}");
        if (response.StatusCode != HttpStatusCode.OK || !Encoding.UTF8.GetString(body).Contains("\"hello\"", StringComparison.Ordinal))
        {
            errors.Add($"python: first answer of {path}", $"{(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
            return null;
        }

        return body;
    }

    private static async Task DeployAsync(HttpClient api, string name, int? idleTimeoutSeconds, int maxConcurrency)
    {
        using var response = await api.PutAsJsonAsync(
            new Uri($"{BenchProgram.Functions}/{name}", UriKind.Relative),
            new { runtime = "python", code = HelloCode, idleTimeoutSeconds = idleTimeoutSeconds ?? 300, maxConcurrency });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Deploying {name} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static async Task DeleteAsync(HttpClient api, string name)
    {
        using var _ = await api.DeleteAsync(new Uri($"{BenchProgram.Functions}/{name}", UriKind.Relative));
    }
}

/// <summary>gunicorn serving a Flask app from a temporary directory on a free loopback port.</summary>
internal sealed class GunicornHost : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly string _directory;

    private GunicornHost(ChildProcess process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    public Uri BaseAddress => _process.Http;

    public static async Task<GunicornHost> StartAsync(string app, int workers)
    {
        var directory = Directory.CreateTempSubdirectory("granary-bench-flask-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "app.py"), app);
        var port = LocalMachine.FreePorts(1)[0];
        var process = ChildProcess.Start(
            "gunicorn",
            "/usr/bin/gunicorn",
            ["--workers", workers.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", $"127.0.0.1:{port}", "--log-level", "warning", "app:app"],
            [],
            port,
            new Uri($"http://127.0.0.1:{port}"),
            directory);
        var host = new GunicornHost(process, directory);
        using var probe = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30) && !process.HasExited)
        {
            try
            {
                using var response = await probe.PostAsync(new Uri("/hello", UriKind.Relative), null);
                if (response.IsSuccessStatusCode)
                {
                    // Let every worker finish booting before measuring.
                    await Task.Delay(1000);
                    return host;
                }
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100);
            }
        }

        var output = process.Tail();
        await host.DisposeAsync();
        throw new InvalidOperationException($"gunicorn did not start within 30 s; its last output:{Environment.NewLine}{output}");
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        LocalMachine.DeleteDirectory(_directory);
    }
}

/// <summary>One gateway's cold bursts: every round's latencies of first calls, and the burst's whole time.</summary>
/// <remarks><see cref="InitWaited"/>: calls whose load (its record's initMs: the wait for a worker, then the load) took over 20 ms.</remarks>
internal sealed record PythonColdRow(string Gateway, LatencyStats Latency, IReadOnlyList<LatencyStats> Rounds, int Errors, LatencyStats Init, int InitWaited);

/// <summary>
/// Python cold starts from outside (<c>--only pycold</c>): the Granary gateway as a user starts it (its own process,
/// default configuration, a temporary working directory), <see cref="Functions"/> Python hello functions deployed and
/// never called, then each called once, back to back, through one keep-alive connection: every call activates its
/// function and loads a worker. Issue 15: p99 &lt;= 30 ms. With <c>--before-gateway</c>, an earlier build runs the same
/// burst in alternating rounds (A B A B), each round on functions of its own.
/// </summary>
internal static class PythonColdBench
{
    private const int Functions = 100;
    private const int Rounds = 2;
    private const string Workspace = "/api/v1/tenants/default/workspaces/pycold/functions";
    private const string Invoke = "/fn/default/pycold";
    private const string Hello = "def main(event, context):\n    return \"hello\"\n";
    private const double TargetP99Ms = 30;

    // After the deploys (each validates the code in a scratch worker, a rent of its own), the pool is left to settle
    // as it would between a deploy and the first traffic.
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(20);

    public static async Task<IReadOnlyList<PythonColdRow>?> MeasureAsync(Options options, ErrorLog errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        var work = Directory.CreateTempSubdirectory("granary-bench-pycold-").FullName;
        var processes = new List<ChildProcess>();
        try
        {
            var gateways = new List<(string Name, ChildProcess Process)>
            {
                ("this build", await StartGatewayAsync(Path.Combine(work, "a"), ClusterBench.Programs.Locate().Gateway, options, processes)),
            };
            if (options.BeforeGateway is { } before)
            {
                gateways.Add(("before", await StartGatewayAsync(Path.Combine(work, "b"), before, options, processes)));
            }

            Console.WriteLine(
                $"Python cold from outside: {Functions} never-called Python hello functions, each called once back to back through one keep-alive connection; " +
                $"{Rounds} rounds per gateway, alternating; {s_settle.TotalSeconds:F0} s between the deploys and a burst");
            var samples = gateways.ToDictionary(g => g.Name, _ => new List<LatencyStats>());
            var all = gateways.ToDictionary(g => g.Name, _ => new List<double>());
            var failed = gateways.ToDictionary(g => g.Name, _ => new ErrorLog());
            var inits = gateways.ToDictionary(g => g.Name, _ => new List<double>());
            for (var round = 0; round < Rounds; round++)
            {
                foreach (var (name, gateway) in gateways)
                {
                    using var client = new LoadGenerator(gateway.Http, 1);
                    var names = Enumerable.Range(0, Functions).Select(i => $"r{round}f{i}").ToArray();
                    foreach (var function in names)
                    {
                        await DeployAsync(client.Client, function);
                    }

                    await Task.Delay(s_settle);

                    // The connection is opened (and the invocation path warmed) by a call nobody measures.
                    await client.SendAsync("/healthz", null, new ErrorLog());
                    var latencies = new List<double>(Functions);
                    foreach (var function in names)
                    {
                        latencies.Add(await client.SendAsync($"{Invoke}/{function}", "hello"u8.ToArray(), failed[name]));
                    }

                    var stats = LatencyStats.From(latencies);
                    samples[name].Add(stats);
                    all[name].AddRange(latencies);
                    // What each call's record says of its load: the wait for a worker and the load itself (initMs).
                    var init = new List<double>(Functions);
                    foreach (var function in names)
                    {
                        init.Add(await InitMsAsync(client.Client, function));
                    }

                    inits[name].AddRange(init);
                    Console.WriteLine(
                        $"  round {round + 1} {name}: p50 {stats.P50:F2} ms, p99 {stats.P99:F2} ms, max {stats.Max:F2} ms, errors {failed[name].Total}; " +
                        $"load (initMs) p50 {LatencyStats.From(init).P50:F2} ms, over 20 ms {init.Count(ms => ms > 20)}");
                    foreach (var function in names)
                    {
                        using var _ = await client.Client.DeleteAsync(new Uri($"{Workspace}/{function}", UriKind.Relative));
                    }
                }
            }

            foreach (var (_, log) in failed)
            {
                errors.AddRange(log);
            }

            return [.. gateways.Select(g => new PythonColdRow(
                g.Name, LatencyStats.From(all[g.Name]), samples[g.Name], failed[g.Name].Total, LatencyStats.From(inits[g.Name]), inits[g.Name].Count(ms => ms > 20)))];
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or IOException)
        {
            Console.WriteLine($"  pycold section aborted: {ex.Message}");
            errors.Add("pycold: section aborted", ex.Message);
            return null;
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }

            LocalMachine.DeleteDirectory(work);
        }
    }

    public static void PrintTable(IReadOnlyList<PythonColdRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        Console.WriteLine();
        Console.WriteLine($"Python cold starts from outside: {Functions} never-called functions back to back, one keep-alive connection, {Rounds} rounds (all calls of a gateway together)");
        Console.WriteLine($"  {"gateway",-12}{"calls",7}{"p50 ms",9}{"p90 ms",9}{"p99 ms",9}{"max ms",9}{"errors",8}{"load p50",10}{"load >20ms",12}   p99 by round");
        foreach (var row in rows)
        {
            Console.WriteLine(
                $"  {row.Gateway,-12}{row.Latency.Count,7}{row.Latency.P50,9:F2}{row.Latency.P90,9:F2}{row.Latency.P99,9:F2}{row.Latency.Max,9:F2}{row.Errors,8}" +
                $"{row.Init.P50,10:F2}{row.InitWaited,12}   " +
                string.Join(", ", row.Rounds.Select(r => r.P99.ToString("F2", CultureInfo.InvariantCulture))));
        }

        var mine = rows[0].Latency.P99;
        Console.WriteLine($"  pycold: Python cold p99 <= {TargetP99Ms:F0} ms: {mine:F2} ms  {(mine <= TargetP99Ms ? "MET" : "MISSED")}");
    }

    // The default configuration, plus what --set adds (to try a setting; the figures of record use none).
    private static async Task<ChildProcess> StartGatewayAsync(string directory, string dll, Options options, List<ChildProcess> processes)
    {
        Directory.CreateDirectory(directory);
        var ports = LocalMachine.FreePorts(3);
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ports[2]}",
            ["Granary__Auth__AdminKey"] = BenchProgram.AdminKey,
            ["Granary__Cluster__SiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
            ["Granary__Cluster__GatewayPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in options.GatewaySettings)
        {
            environment[key] = value;
        }

        // The console goes to a file, as in the http section: nothing reads it during the bursts.
        var gateway = ChildProcess.Start(
            $"Granary gateway {dll}", "/bin/sh", ["-c", "exec dotnet \"$0\" >\"$1\" 2>&1", dll, Path.Combine(directory, "console.log")], environment, ports[2],
            new Uri($"http://127.0.0.1:{ports[2]}"), directory);
        processes.Add(gateway);
        var ready = await gateway.WaitReadyAsync(expected: null);
        Console.WriteLine($"  gateway {dll} ready in {ready.TotalSeconds:F1} s, working directory {directory}");
        return gateway;
    }

    private static async Task<double> InitMsAsync(HttpClient api, string name)
    {
        using var response = await api.GetAsync(new Uri($"{Workspace}/{name}/invocations?limit=1", UriKind.Relative));
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("invocations")[0].GetProperty("initMs").GetDouble();
    }

    private static async Task DeployAsync(HttpClient api, string name)
    {
        using var response = await api.PutAsJsonAsync(new Uri($"{Workspace}/{name}", UriKind.Relative), new { runtime = "python", code = Hello });
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"deploy {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
