using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Granary.Bench;

/// <summary>
/// One server under <c>wrk -t2 -c64 --latency</c>: req/s and latencies of its median round, answers and the gateway's
/// console lines summed over every round, and what the gateway wrote for one request (<see cref="OneRequestLog"/>).
/// </summary>
internal sealed record HttpRow(
    string Server,
    string Path,
    int ExpectedStatus,
    double RequestsPerSecond,
    long Requests,
    double P50Ms,
    double P99Ms,
    long NonSuccess,
    long SocketErrors,
    long? LogLines,
    IReadOnlyList<string> OneRequestLog,
    IReadOnlyList<double> RoundRequestsPerSecond)
{
    /// <summary>Gets the console lines the gateway wrote per request of the measured runs, or NaN for other servers.</summary>
    public double LogLinesPerRequest => LogLines is { } lines && Requests > 0 ? (double)lines / Requests : double.NaN;
}

/// <summary>The figures of the <c>--only http</c> section, and what the Granary gateway logged per request.</summary>
internal sealed record HttpResult(IReadOnlyList<HttpRow> Rows, int GunicornWorkers, string FrameworkVersion, int Rounds)
{
    public HttpRow? Row(string server) => Rows.FirstOrDefault(r => r.Server == server);
}

/// <summary>
/// Every server measured from outside (<c>--only http</c>): each one runs as its own process, all started first and
/// idle while another is measured, and <c>wrk -t2 -c64 --latency</c> (another process) drives a hello on each, 10 s of
/// warm-up, then three rounds of the measured run in turning order (each row is its median round). The servers: a
/// bare Kestrel minimal API (this program with <c>--serve-kestrel &lt;port&gt;</c>, the logging of the ASP.NET Core
/// template), functions-framework (Node, installed by npm into a temporary folder), Flask on gunicorn ((2 × cores) + 1
/// sync workers), and the Granary gateway in its default configuration (embedded silo, a temporary working directory
/// for <c>./data</c>, console logging as shipped, written to a file) serving a JavaScript hello, a Python hello, an
/// unknown function (404) and <c>/healthz</c>. The table gives the ratios of issue 15.
/// </summary>
internal static partial class HttpBench
{
    public const string Kestrel = "bare Kestrel hello";
    public const string Framework = "functions-framework (Node) hello";
    public const string Flask = "Flask on gunicorn hello";
    public const string GranaryJs = "Granary JS hello";
    public const string GranaryPython = "Granary Python hello";
    public const string GranaryMiss = "Granary unknown function (404)";
    public const string GranaryHealth = "Granary /healthz";

    private const string Wrk = "/usr/bin/wrk";
    private const int Threads = 2;
    private const int Connections = 64;
    private const string Body = "hello";
    private const string Workspace = "/api/v1/tenants/default/workspaces/http/functions";
    private const string Invoke = "/fn/default/http";
    private const int Rounds = 3;
    private const string BeforeSuffix = " (before)";
    private const string TelemetryOffSuffix = " (telemetry off)";

    // Issue 16: telemetry on may cost at most 10 % of warm throughput against telemetry off.
    private const double TelemetryTarget = 0.9;

    // What --telemetry-off turns off: metrics and traces.
    private static readonly Dictionary<string, string> s_telemetryOff = new()
    {
        ["Granary__Telemetry__Metrics__Enabled"] = "false",
        ["Granary__Telemetry__Traces__Enabled"] = "false",
    };
    // A gateway reaches its steady state after 10 to 20 s of load (tiered compilation with its PGO pass, the thread pool's
    // growth, a Python function's workers): 5 s rounds of the Python hello on a fresh gateway measured 5.3k, 7.5k, 11.0k,
    // 12.4k and 14.3k req/s. Every server gets the same warm-up.
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(10);

    // The plainest hello of each server: "hello" as the body. A string result of Granary's default signature (handler)
    // is sent as Express sends it (text/html); Kestrel's and Flask's string results are text/plain and text/html.
    private const string JsHello = "module.exports = async () => \"hello\";";
    private const string PythonHello = "def main(event, context):\n    return \"hello\"\n";
    private const string FrameworkHello = "exports.hello = (req, res) => { res.send('hello'); };\n";
    private const string FlaskApp = "from flask import Flask\napp = Flask(__name__)\n\n@app.route('/')\ndef hello():\n    return 'hello'\n";

    private static readonly (string Name, string Numerator, string Denominator, double Target)[] Ratios =
    [
        ("Granary JS / Kestrel", GranaryJs, Kestrel, 0.5),
        ("Granary JS / functions-framework", GranaryJs, Framework, 6),
        ("Granary Python / Flask-gunicorn", GranaryPython, Flask, 2.5),
        ("404 / Granary JS hello", GranaryMiss, GranaryJs, 0.8),
    ];

    /// <summary>Why the section cannot run on this machine, or null when it can.</summary>
    public static string? Unavailable()
    {
        foreach (var (program, package) in new[] { (Wrk, "wrk"), ("/usr/bin/node", "nodejs"), ("/usr/bin/npm", "npm"), ("/usr/bin/gunicorn", "gunicorn"), ("/usr/bin/python3", "python3-flask") })
        {
            if (!File.Exists(program))
            {
                return $"{program} is missing; install it with: apt-get install -y {package}";
            }
        }

        return ClusterBench.Programs.Locate().Missing;
    }

    /// <summary>The bare Kestrel hello, run as its own process: <c>Granary.Bench --serve-kestrel &lt;port&gt;</c>.</summary>
    /// <remarks>Logging as the ASP.NET Core template's appsettings.json sets it: Information, Microsoft.AspNetCore at Warning.</remarks>
    public static async Task<int> ServeKestrelAsync(string port)
    {
        var builder = WebApplication.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["urls"] = $"http://127.0.0.1:{port}",
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        });
        var app = builder.Build();
        app.MapGet("/", () => Body);
        await app.RunAsync();
        return 0;
    }

    public static async Task<HttpResult?> MeasureAsync(Options options, ErrorLog errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        var started = Stopwatch.GetTimestamp();
        var work = Directory.CreateTempSubdirectory("granary-bench-http-").FullName;
        var processes = new List<ChildProcess>();
        try
        {
            Console.WriteLine(
                $"HTTP from outside: each server its own process; wrk -t{Threads} -c{Connections} --latency, {WarmUp.TotalSeconds:F0} s warm-up each, " +
                $"then {Rounds} rounds of {options.Duration.TotalSeconds:F0} s per server in turning order (median round)");
            var targets = new List<Target>();

            var kestrelPort = LocalMachine.FreePorts(1)[0];
            var kestrel = Started(processes, ChildProcess.Start(
                Kestrel, "dotnet", [typeof(HttpBench).Assembly.Location, "--serve-kestrel", Port(kestrelPort)], [], kestrelPort, new Uri($"http://127.0.0.1:{kestrelPort}")));
            await WaitListeningAsync(kestrel, "/");
            targets.Add(new Target(Kestrel, new Uri(kestrel.Http, "/"), 200, null));

            Console.WriteLine("  installing @google-cloud/functions-framework (npm, into a temporary folder)...");
            var node = Path.Combine(work, "node");
            Directory.CreateDirectory(node);
            await CompatBench.RunAsync("npm", node, "install", "--no-audit", "--no-fund", "--silent", "@google-cloud/functions-framework");
            await File.WriteAllTextAsync(Path.Combine(node, "index.js"), FrameworkHello);
            using var package = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(node, "node_modules", "@google-cloud", "functions-framework", "package.json")));
            var frameworkVersion = package.RootElement.GetProperty("version").GetString() ?? "?";
            var frameworkPort = LocalMachine.FreePorts(1)[0];
            var framework = Started(processes, ChildProcess.Start(
                Framework, "/usr/bin/node", [Path.Combine(node, "node_modules", ".bin", "functions-framework"), "--target=hello", $"--port={frameworkPort}"], [], frameworkPort, new Uri($"http://127.0.0.1:{frameworkPort}"), node));
            await WaitListeningAsync(framework, "/");
            targets.Add(new Target(Framework, new Uri(framework.Http, "/"), 200, null));

            var workers = (2 * Environment.ProcessorCount) + 1;
            var flask = Path.Combine(work, "flask");
            Directory.CreateDirectory(flask);
            await File.WriteAllTextAsync(Path.Combine(flask, "app.py"), FlaskApp);
            var flaskPort = LocalMachine.FreePorts(1)[0];
            var gunicorn = Started(processes, ChildProcess.Start(
                Flask, "/usr/bin/gunicorn", ["-w", Port(workers), "-b", $"127.0.0.1:{flaskPort}", "app:app"], [], flaskPort, new Uri($"http://127.0.0.1:{flaskPort}"), flask));
            await WaitListeningAsync(gunicorn, "/");
            await Task.Delay(1000); // every worker booted
            targets.Add(new Target(Flask, new Uri(gunicorn.Http, "/"), 200, null));

            targets.AddRange(await StartGranaryAsync(Path.Combine(work, "granary"), ClusterBench.Programs.Locate().Gateway, "", processes));
            if (options.BeforeGateway is { } before)
            {
                targets.AddRange(await StartGranaryAsync(Path.Combine(work, "granary-before"), before, BeforeSuffix, processes));
            }

            if (options.TelemetryOff)
            {
                targets.AddRange(await StartGranaryAsync(Path.Combine(work, "granary-telemetry-off"), ClusterBench.Programs.Locate().Gateway, TelemetryOffSuffix, processes, s_telemetryOff));
            }

            var oneRequestLogs = new Dictionary<string, IReadOnlyList<string>>();
            foreach (var target in targets)
            {
                await CheckAnswerAsync(target, errors);
                oneRequestLogs[target.Server] = target.Log is { } log ? await OneRequestLogAsync(log, target.Url) : [];
                await RunWrkAsync(target.Url, WarmUp);
            }

            // Every server stays up, idle while the others are measured; the order turns each round, so that the
            // other work on a shared machine lands on all of them alike, and each row is its median round.
            var runs = targets.ToDictionary(t => t.Server, _ => new List<(WrkRun Run, long? Lines)>());
            for (var round = 0; round < Rounds; round++)
            {
                foreach (var target in targets.Skip(round % targets.Count).Concat(targets.Take(round % targets.Count)))
                {
                    var linesBefore = target.Log is { } log ? await log.SettledLinesAsync() : 0;
                    var run = await RunWrkAsync(target.Url, options.Duration);
                    long? lines = target.Log is { } after ? await after.SettledLinesAsync() - linesBefore : null;
                    runs[target.Server].Add((run, lines));
                    Console.WriteLine(
                        $"  round {round + 1} {target.Server}: {F(run.RequestsPerSecond, "F0")} req/s, p50 {F(run.P50Ms, "F2")} ms, p99 {F(run.P99Ms, "F2")} ms, " +
                        $"non-2xx {run.NonSuccess}, socket errors {run.SocketErrors}" + (lines is null ? "" : $", gateway log lines {lines}"));
                }
            }

            var rows = targets.Select(t => Row(t, runs[t.Server], oneRequestLogs[t.Server], errors)).ToList();
            Console.WriteLine($"  http section took {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s");
            return new HttpResult(rows, workers, frameworkVersion, Rounds);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or IOException)
        {
            Console.WriteLine($"  http section aborted: {ex.Message}");
            errors.Add("http: section aborted", ex.Message);
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

    /// <summary>Prints the table, the ratios with their targets, and what the gateway logged per request.</summary>
    public static void PrintTable(HttpResult result, Options options)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        Console.WriteLine();
        Console.WriteLine(
            $"HTTP from outside: wrk -t{Threads} -c{Connections} -d{options.Duration.TotalSeconds:F0}s --latency, each server its own process; median of {result.Rounds} rounds " +
            $"in turning order after {WarmUp.TotalSeconds:F0} s of warm-up; gunicorn {result.GunicornWorkers} sync workers; functions-framework {result.FrameworkVersion}");
        Console.WriteLine($"  {"server",-43}{"req/s",10}{"p50 ms",9}{"p99 ms",9}{"non-2xx",12}{"sock err",9}{"log lines/req",15}   rounds (req/s)");
        foreach (var row in result.Rows)
        {
            var nonSuccess = row.ExpectedStatus == 200 ? F(row.NonSuccess, "N0") : $"{F(row.NonSuccess, "N0")}*";
            var log = row.LogLines is null ? "" : F(row.LogLinesPerRequest, "F2");
            Console.WriteLine(
                $"  {row.Server,-43}{F(row.RequestsPerSecond, "N0"),10}{F(row.P50Ms, "F2"),9}{F(row.P99Ms, "F2"),9}{nonSuccess,12}{F(row.SocketErrors, "N0"),9}{log,15}   " +
                string.Join(", ", row.RoundRequestsPerSecond.Select(r => F(r, "N0"))));
        }

        Console.WriteLine("  * every answer is meant to be 404 there; p50/p99 are those of the median round; non-2xx, socket errors and log lines sum every round");
        if (result.Rows.Any(r => r.Server.EndsWith(BeforeSuffix, StringComparison.Ordinal)))
        {
            Console.WriteLine($"  {BeforeSuffix.Trim()}: the gateway of --before-gateway {options.BeforeGateway}, started the same way and measured in the same rounds");
        }

        foreach (var suffix in new[] { "", BeforeSuffix })
        {
            if (result.Row(GranaryJs + suffix) is { LogLines: { } lines } js)
            {
                Console.WriteLine($"  the gateway's console{suffix} grew by {F(lines, "N0")} lines during the measured JS runs ({F(js.Requests, "N0")} requests)");
            }
        }

        foreach (var row in result.Rows.Where(r => r.LogLines is not null))
        {
            Console.WriteLine($"  what the gateway wrote for one request of {row.Server}: {(row.OneRequestLog.Count == 0 ? "nothing" : $"{row.OneRequestLog.Count} lines")}");
            foreach (var line in row.OneRequestLog)
            {
                Console.WriteLine($"    | {line}");
            }
        }

        foreach (var line in TargetLines(result).Concat(TargetLines(result, BeforeSuffix)))
        {
            Console.WriteLine($"  {line}");
        }

        if (result.Row(GranaryJs) is { } on && result.Row(GranaryJs + TelemetryOffSuffix) is { } off)
        {
            var ratio = on.RequestsPerSecond / off.RequestsPerSecond;
            var rounds = on.RoundRequestsPerSecond.Zip(off.RoundRequestsPerSecond, (a, b) => a / b).ToArray();
            Console.WriteLine(
                $"  http: Granary JS telemetry on / off >= {F(TelemetryTarget, "0.##")}x: {ratio:F2}x  {(ratio >= TelemetryTarget ? "MET" : "MISSED")}  " +
                $"(round by round: {string.Join(", ", rounds.Select(r => F(r, "F2")))}; met in {rounds.Count(r => r >= TelemetryTarget)} of {rounds.Length})");
        }

        if (result.Row(GranaryHealth) is { } health && result.Row(Kestrel) is { } kestrel)
        {
            Console.WriteLine($"  (no target) Granary /healthz / Kestrel: {health.RequestsPerSecond / kestrel.RequestsPerSecond:F2}x");
        }
    }

    /// <summary>The ratio lines of this build (or, with <paramref name="suffix"/>, of --before-gateway), each with its target and MET or MISSED.</summary>
    public static IEnumerable<string> TargetLines(HttpResult result, string suffix = "")
    {
        ArgumentNullException.ThrowIfNull(result);
        foreach (var (name, numerator, denominator, target) in Ratios)
        {
            var granary = suffix.Length > 0 && numerator.StartsWith("Granary", StringComparison.Ordinal);
            if (result.Row(granary ? numerator + suffix : numerator) is { } top &&
                result.Row(granary && denominator.StartsWith("Granary", StringComparison.Ordinal) ? denominator + suffix : denominator) is { } bottom)
            {
                var ratio = top.RequestsPerSecond / bottom.RequestsPerSecond;
                // The verdict is the medians'; the rounds say how firm it is on a shared machine.
                var rounds = top.RoundRequestsPerSecond.Zip(bottom.RoundRequestsPerSecond, (a, b) => a / b).ToArray();
                yield return
                    $"http{suffix}: {name} >= {F(target, "0.##")}x: {ratio:F2}x  {(ratio >= target ? "MET" : "MISSED")}  " +
                    $"(round by round: {string.Join(", ", rounds.Select(r => F(r, "F2")))}; met in {rounds.Count(r => r >= target)} of {rounds.Length})";
            }
        }
    }

    // The gateway as a user starts it (dotnet Granary.Gateway.dll, no settings beyond the admin key, the HTTP address
    // and free silo ports so that it never meets another silo on this shared machine), in its own working directory.
    // With --before-gateway, an earlier build is started the same way beside it; its rows carry BeforeSuffix.
    private static async Task<Target[]> StartGranaryAsync(string directory, string dll, string suffix, List<ChildProcess> processes, IReadOnlyDictionary<string, string>? settings = null)
    {
        Directory.CreateDirectory(directory);
        var ports = LocalMachine.FreePorts(3);
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ports[2]}",
            ["Granary__Auth__AdminKey"] = BenchProgram.AdminKey,
            ["Granary__Cluster__SiloPort"] = Port(ports[0]),
            ["Granary__Cluster__GatewayPort"] = Port(ports[1]),
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        // Its console goes to a file, as a service manager would keep it: reading it line by line from a pipe would
        // have this process spend CPU on every line during the measured runs, beside the gateway on two cores.
        var log = new GatewayLog(Path.Combine(directory, "console.log"));
        var gateway = Started(processes, ChildProcess.Start(
            $"Granary gateway (default configuration){suffix}",
            "/bin/sh",
            ["-c", "exec dotnet \"$0\" >\"$1\" 2>&1", dll, log.Path],
            environment,
            ports[2],
            new Uri($"http://127.0.0.1:{ports[2]}"),
            directory));
        try
        {
            var ready = await gateway.WaitReadyAsync(expected: null);
            Console.WriteLine($"  Granary gateway{suffix} ({dll}) ready in {ready.TotalSeconds:F1} s, working directory {directory}, console to {log.Path}");
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            throw new InvalidOperationException($"{ex.Message}{Environment.NewLine}its console:{Environment.NewLine}{string.Join(Environment.NewLine, log.Tail(30))}", ex);
        }

        using var api = new LoadGenerator(gateway.Http, 1);
        await DeployAsync(api.Client, "hello", "nodejs", JsHello);
        await DeployAsync(api.Client, "pyhello", "python", PythonHello);
        return
        [
            new Target(GranaryJs + suffix, new Uri(gateway.Http, $"{Invoke}/hello"), 200, log),
            new Target(GranaryPython + suffix, new Uri(gateway.Http, $"{Invoke}/pyhello"), 200, log),
            new Target(GranaryMiss + suffix, new Uri(gateway.Http, $"{Invoke}/no-such-function"), 404, log),
            new Target(GranaryHealth + suffix, new Uri(gateway.Http, "/healthz"), 200, log),
        ];
    }

    // A row: the median round's req/s and latencies; answers and log lines summed over every round.
    private static HttpRow Row(Target target, List<(WrkRun Run, long? Lines)> runs, IReadOnlyList<string> oneRequestLog, ErrorLog errors)
    {
        var median = runs.OrderBy(r => r.Run.RequestsPerSecond).ElementAt(runs.Count / 2).Run;
        var requests = runs.Sum(r => r.Run.Requests);
        var nonSuccess = runs.Sum(r => r.Run.NonSuccess);
        var socket = runs.Sum(r => r.Run.SocketErrors);
        var unexpected = target.ExpectedStatus == 200 ? nonSuccess : requests - nonSuccess;
        if (unexpected > 0 || socket > 0)
        {
            errors.Add($"http {target.Server}: unexpected answers", $"{(target.ExpectedStatus == 200 ? "non-2xx" : "not 404")} {unexpected}, socket errors {socket}");
        }

        long? lines = target.Log is null ? null : runs.Sum(r => r.Lines ?? 0);
        return new HttpRow(
            target.Server, target.Url.PathAndQuery, target.ExpectedStatus, median.RequestsPerSecond, requests, median.P50Ms, median.P99Ms, nonSuccess, socket, lines, oneRequestLog,
            [.. runs.Select(r => r.Run.RequestsPerSecond)]);
    }

    private static ChildProcess Started(List<ChildProcess> processes, ChildProcess process)
    {
        processes.Add(process);
        return process;
    }

    // What the gateway writes for one more request after the first (which may have activated the function).
    private static async Task<IReadOnlyList<string>> OneRequestLogAsync(GatewayLog log, Uri url)
    {
        var before = await log.SettledLinesAsync();
        using (var client = new HttpClient())
        {
            using var response = await client.GetAsync(url);
        }

        var lines = (int)(await log.SettledLinesAsync() - before);
        return log.Tail(lines);
    }

    private static async Task CheckAnswerAsync(Target target, ErrorLog errors)
    {
        using var client = new HttpClient();
        using var response = await client.GetAsync(target.Url);
        var body = await response.Content.ReadAsStringAsync();
        Console.WriteLine($"  {target.Server}: GET {target.Url.PathAndQuery} -> {(int)response.StatusCode} {response.Content.Headers.ContentType} {Shorten(body)}");
        if ((int)response.StatusCode != target.ExpectedStatus || (target.Url.AbsolutePath != "/healthz" && target.ExpectedStatus == 200 && body != Body))
        {
            errors.Add($"http {target.Server}: first answer", $"{(int)response.StatusCode} {Shorten(body)}");
        }
    }

    internal static async Task<WrkRun> RunWrkAsync(Uri url, TimeSpan duration, string? script = null)
    {
        var start = new ProcessStartInfo(Wrk) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { $"-t{Threads}", $"-c{Connections}", $"-d{(int)duration.TotalSeconds}s", "--timeout", "10s", "--latency", url.ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        if (script is not null)
        {
            start.ArgumentList.Add("--script");
            start.ArgumentList.Add(script);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var rps = RequestsPerSecond().Match(output) is { Success: true } match
            ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"wrk printed no requests per second: {output}");
        var requests = long.Parse(TotalRequests().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var nonSuccess = NonSuccess().Match(output) is { Success: true } failed ? long.Parse(failed.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var socket = SocketErrors().Match(output) is { Success: true } s ? Enumerable.Range(1, 4).Sum(g => long.Parse(s.Groups[g].Value, CultureInfo.InvariantCulture)) : 0;
        var percentiles = Percentiles().Matches(output).ToDictionary(m => m.Groups[1].Value, m => Milliseconds(m.Groups[2].Value, m.Groups[3].Value));
        return new WrkRun(rps, requests, percentiles.GetValueOrDefault("50", double.NaN), percentiles.GetValueOrDefault("99", double.NaN), nonSuccess, socket);
    }

    private static double Milliseconds(string value, string unit) => double.Parse(value, CultureInfo.InvariantCulture) * unit switch
    {
        "us" => 0.001,
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        _ => double.NaN,
    };

    private static async Task DeployAsync(HttpClient api, string name, string runtime, string code)
    {
        using var response = await api.PutAsJsonAsync(new Uri($"{Workspace}/{name}", UriKind.Relative), new { runtime, code });
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"deploy {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static async Task WaitListeningAsync(ChildProcess process, string path)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        for (var attempt = 0; attempt < 300; attempt++)
        {
            process.ThrowIfExited();
            try
            {
                using var response = await client.GetAsync(new Uri(process.Http, path));
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException($"{process.Name} did not listen on {process.Http}: {process.Tail()}");
    }

    private static string Shorten(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= 80 ? line : string.Concat(line.AsSpan(0, 80), "…");
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(\d+) requests in ")]
    private static partial Regex TotalRequests();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex NonSuccess();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();

    [GeneratedRegex(@"^\s+(50|99)%\s+([0-9.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline)]
    private static partial Regex Percentiles();

    // The gateway's console file: lines counted as it grows (newlines in the bytes appended since the last count).
    private sealed class GatewayLog(string path)
    {
        private long _offset;
        private long _lines;

        public string Path { get; } = path;

        // The console logger writes from a queue: the count is read once the file stopped growing for 300 ms.
        public async Task<long> SettledLinesAsync()
        {
            var last = Count();
            for (var quiet = 0; quiet < 3;)
            {
                await Task.Delay(100);
                var now = Count();
                quiet = now == last ? quiet + 1 : 0;
                last = now;
            }

            return last;
        }

        public IReadOnlyList<string> Tail(int lines)
        {
            if (lines <= 0 || !File.Exists(Path))
            {
                return [];
            }

            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(Math.Max(0, stream.Length - (64 * 1024)), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            return [.. reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines)];
        }

        private long Count()
        {
            if (!File.Exists(Path))
            {
                return 0;
            }

            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(_offset, SeekOrigin.Begin);
            var buffer = new byte[1 << 20];
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                _lines += buffer.AsSpan(0, read).Count((byte)'\n');
                _offset += read;
            }

            return _lines;
        }
    }

    private sealed record Target(string Server, Uri Url, int ExpectedStatus, GatewayLog? Log);

    internal sealed record WrkRun(double RequestsPerSecond, long Requests, double P50Ms, double P99Ms, long NonSuccess, long SocketErrors);
}
