using System.Diagnostics;
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
