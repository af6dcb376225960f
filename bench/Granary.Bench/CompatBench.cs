using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Granary.Bench;

/// <summary>
/// What the Node compatibility paths cost (<c>--only compat</c>), with the gateway as a separate process in its default
/// configuration and real Node beside it in the same run: one <c>http.get</c> to a loopback server, one <c>pg</c> query
/// round trip (Debian's PostgreSQL, started with <c>pg_ctlcluster</c>), and a gzip of 1 MB, each measured inside the
/// function (the same module runs in the V8 isolate, in a Node worker process of <c>"isolation": "process"</c>, and in
/// plain <c>node</c>); then process-mode cold starts from the warm pool, and warm throughput under <c>wrk</c> of a
/// hello in process mode and in the isolate against functions-framework (Node) serving the same hello.
/// </summary>
internal static class CompatBench
{
    private const int Operations = 200;
    private const int GzipOperations = 20;
    private const int ColdStarts = 40;
    private const string PostgresUser = "granarybench";
    private const string Workspace = "/api/v1/tenants/default/workspaces/compat/functions";

    // One module per path, run as it is in all three places; each measures its own loop and answers {perOp, unit}.
    private const string HttpGet = """
        const http = require('http');
        const get = (url) => new Promise((ok, ko) => http.get(url, (r) => { let n = 0; r.on('data', (c) => { n += c.length; }); r.on('end', () => ok(n)); }).on('error', ko));
        module.exports = async (event) => {
          await get(event.url);
          const start = process.hrtime.bigint();
          for (let i = 0; i < event.n; i++) await get(event.url);
          return { perOp: Number(process.hrtime.bigint() - start) / 1000 / event.n, unit: 'µs' };
        };
        """;

    private const string PgQuery = """
        const { Client } = require('pg');
        module.exports = async (event) => {
          const client = new Client(event.pg);
          await client.connect();
          try {
            await client.query('SELECT 1 AS one');
            const start = process.hrtime.bigint();
            for (let i = 0; i < event.n; i++) await client.query('SELECT 1 AS one');
            return { perOp: Number(process.hrtime.bigint() - start) / 1000 / event.n, unit: 'µs' };
          } finally { await client.end(); }
        };
        """;

    // Text-like bytes (a fixed pseudo-random walk over letters), so that gzip works as it does on real payloads.
    private const string Gzip = """
        const zlib = require('zlib');
        module.exports = async (event) => {
          const data = Buffer.alloc(1 << 20);
          let x = 12345;
          for (let i = 0; i < data.length; i++) { x = (x * 1103515245 + 12345) & 0x7fffffff; data[i] = 97 + ((x >> 16) % 16); }
          zlib.gzipSync(data);
          const start = process.hrtime.bigint();
          let size = 0;
          for (let i = 0; i < event.n; i++) size = zlib.gzipSync(data).length;
          return { perOp: Number(process.hrtime.bigint() - start) / 1e6 / event.n, unit: 'ms', size };
        };
        """;

    private const string Hello = "module.exports = async () => ({ hello: 'world' });";
    private const string FrameworkHello = "exports.hello = (req, res) => { res.json({ hello: 'world' }); };\n";

    /// <summary>Why the section cannot run on this machine, or null when it can.</summary>
    public static string? Unavailable()
    {
        foreach (var (program, package) in new[] { ("/usr/bin/wrk", "wrk"), ("/usr/bin/node", "nodejs"), ("/usr/bin/npm", "npm"), ("/usr/bin/pg_ctlcluster", "postgresql") })
        {
            if (!File.Exists(program))
            {
                return $"{program} is missing; install it with: apt-get install -y {package}";
            }
        }

        return ClusterBench.Programs.Locate().Missing;
    }

    public static async Task MeasureAsync(Options options, ErrorLog errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        var work = Directory.CreateTempSubdirectory("granary-bench-compat-").FullName;
        var storage = Directory.CreateTempSubdirectory("granary-bench-compat-data-").FullName;
        ChildProcess? framework = null;
        try
        {
            Console.WriteLine("Compatibility: installing pg and @google-cloud/functions-framework for the Node baselines (npm)...");
            await RunAsync("npm", work, "install", "--no-audit", "--no-fund", "--silent", "pg@^8.11.0", "@google-cloud/functions-framework@^3");
            await StartPostgresAsync();
            await using var server = await BaselineHost.StartAsync(BenchProgram.ExpectedBody, "application/json; charset=utf-8");
            var url = new Uri(server.BaseAddress, BaselineHost.Path).ToString();

            var ports = LocalMachine.FreePorts(4);
            var settings = new Dictionary<string, string>
            {
                ["Granary__Cluster__SiloPort"] = Port(ports[0]),
                ["Granary__Cluster__GatewayPort"] = Port(ports[1]),
                ["Granary__Storage__Path"] = storage,
                ["Granary__Egress__Allow__0"] = $"127.0.0.1:{server.BaseAddress.Port}",
                ["Granary__Egress__Allow__1"] = "127.0.0.1:5432",
            };
            await using var gateway = ChildProcess.StartDotnet("compat gateway (default configuration)", ClusterBench.Programs.Locate().Gateway, ports[2], settings, defaultLogs: true);
            await gateway.WaitReadyAsync(expected: null);
            using var api = new LoadGenerator(gateway.Http, 1);

            var pgConnection = new { host = "127.0.0.1", port = 5432, user = PostgresUser, password = PostgresUser, database = "postgres" };
            var paths = new (string Name, string Code, object Event, Dictionary<string, string>? Dependencies)[]
            {
                ("http.get", HttpGet, new { url, n = Operations }, null),
                ("pg query", PgQuery, new { pg = pgConnection, n = Operations }, new() { ["pg"] = "^8.11.0" }),
                ("gzip 1 MB", Gzip, new { n = GzipOperations }, null),
            };
            var rows = new List<(string Path, string Unit, double Isolate, double Process, double Node)>();
            foreach (var (name, code, input, dependencies) in paths)
            {
                var slug = new string([.. name.Where(char.IsAsciiLetterOrDigit)]);
                var isolate = await PerOpAsync(api.Client, $"{slug}-isolate", code, "isolate", dependencies, input, errors);
                var process = await PerOpAsync(api.Client, $"{slug}-process", code, "process", dependencies, input, errors);
                var node = await NodeAsync(work, slug, code, input, errors);
                rows.Add((name, node.Unit, isolate.PerOp, process.PerOp, node.PerOp));
                Console.WriteLine($"  {name}: isolate {isolate.PerOp:F1} {node.Unit}, process {process.PerOp:F1} {node.Unit}, node {node.PerOp:F1} {node.Unit}");
            }

            var cold = await ColdStartsAsync(api.Client, errors);

            await File.WriteAllTextAsync(Path.Combine(work, "index.js"), FrameworkHello);
            framework = ChildProcess.Start("functions-framework (Node)", "/usr/bin/node", [Path.Combine(work, "node_modules/@google-cloud/functions-framework/build/src/main.js"), "--target=hello", $"--port={ports[3]}"], [], ports[3], new Uri($"http://127.0.0.1:{ports[3]}"), work);
            await WaitListeningAsync(framework);
            await DeployAsync(api.Client, "hello-isolate", Hello, "isolate", null);
            await DeployAsync(api.Client, "hello-process", Hello, "process", null);
            var targets = new (string Name, Uri Url)[]
            {
                ("functions-framework (Node)", new Uri(framework.Http, "/")),
                ("Granary, isolate", new Uri(gateway.Http, "/fn/default/compat/hello-isolate")),
                ("Granary, process mode", new Uri(gateway.Http, "/fn/default/compat/hello-process")),
            };
            var throughput = new Dictionary<string, double>();
            foreach (var (name, target) in targets)
            {
                await TenancyBench.RunWrkAsync(target, null, options.Connections, TimeSpan.FromSeconds(3), errors, name + " warm-up");
                throughput[name] = await TenancyBench.RunWrkAsync(target, null, options.Connections, options.Duration, errors, name);
                Console.WriteLine($"  {name}: {throughput[name]:F0} req/s");
            }

            Print(rows, cold, throughput, options);
        }
        finally
        {
            if (framework is not null)
            {
                await framework.DisposeAsync();
            }

            LocalMachine.DeleteDirectory(work);
            LocalMachine.DeleteDirectory(storage);
        }
    }

    private static void Print(List<(string Path, string Unit, double Isolate, double Process, double Node)> rows, LatencyStats cold, Dictionary<string, double> throughput, Options options)
    {
        Console.WriteLine();
        Console.WriteLine("Compatibility paths (per operation, measured inside the function; same module in each place)");
        Console.WriteLine($"  {"path",-12} {"isolate",12} {"process mode",14} {"node",10}   isolate/node");
        foreach (var (path, unit, isolate, process, node) in rows)
        {
            Console.WriteLine($"  {path,-12} {isolate,9:F1} {unit,-2} {process,11:F1} {unit,-2} {node,7:F1} {unit,-2}   {isolate / node,6:F2}×");
        }

        Console.WriteLine($"Process-mode cold start (first call of a newly deployed hello, from the warm pool): p50 {cold.P50:F2} ms  p99 {cold.P99:F2} ms  ({cold.Count} functions; target p50 ≤ 10 ms)");
        var framework = throughput["functions-framework (Node)"];
        Console.WriteLine($"Warm hello under wrk -t2 -c{options.Connections}, {options.Duration.TotalSeconds:F0} s (target: process mode ≥ 1× functions-framework)");
        foreach (var (name, rps) in throughput)
        {
            Console.WriteLine($"  {name,-28} {rps,10:F0} req/s  ({rps / framework:F2}× functions-framework)");
        }
    }

    private static async Task<(double PerOp, string Unit)> PerOpAsync(HttpClient api, string name, string code, string isolation, Dictionary<string, string>? dependencies, object input, ErrorLog errors)
    {
        await DeployAsync(api, name, code, isolation, dependencies);
        using var response = await api.PostAsJsonAsync(new Uri($"/fn/default/compat/{name}", UriKind.Relative), input);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            errors.Add($"compat {name}", $"{(int)response.StatusCode} {text}");
            return (double.NaN, "?");
        }

        using var result = JsonDocument.Parse(text);
        return (result.RootElement.GetProperty("perOp").GetDouble(), result.RootElement.GetProperty("unit").GetString()!);
    }

    // The same module under plain node: a script that requires it and prints its answer.
    private static async Task<(double PerOp, string Unit)> NodeAsync(string work, string slug, string code, object input, ErrorLog errors)
    {
        await File.WriteAllTextAsync(Path.Combine(work, $"{slug}.js"), code);
        var script = $"require('./{slug}.js')({JsonSerializer.Serialize(input)}).then((r) => console.log(JSON.stringify(r)), (e) => {{ console.error(e); process.exit(1); }});";
        try
        {
            var output = await RunAsync("/usr/bin/node", work, "-e", script);
            using var result = JsonDocument.Parse(output);
            return (result.RootElement.GetProperty("perOp").GetDouble(), result.RootElement.GetProperty("unit").GetString()!);
        }
        catch (InvalidOperationException ex)
        {
            errors.Add($"compat node {slug}", ex.Message);
            return (double.NaN, "?");
        }
    }

    // Newly deployed process-mode hellos, each called once, a pause between them so that the warm pool refills.
    private static async Task<LatencyStats> ColdStartsAsync(HttpClient api, ErrorLog errors)
    {
        var names = Enumerable.Range(0, ColdStarts).Select(i => $"cold{i}").ToList();
        foreach (var name in names)
        {
            await DeployAsync(api, name, Hello, "process", null);
        }

        var samples = new List<double>();
        foreach (var name in names)
        {
            await Task.Delay(200);
            var started = Stopwatch.GetTimestamp();
            using var response = await api.PostAsync(new Uri($"/fn/default/compat/{name}", UriKind.Relative), null);
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (!response.IsSuccessStatusCode)
            {
                errors.Add("compat cold start", $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        return LatencyStats.From(samples);
    }

    private static async Task DeployAsync(HttpClient api, string name, string code, string isolation, Dictionary<string, string>? dependencies)
    {
        var spec = new Dictionary<string, object> { ["runtime"] = "nodejs", ["code"] = code, ["timeoutSeconds"] = 60, ["isolation"] = isolation };
        if (dependencies is not null)
        {
            spec["dependencies"] = dependencies;
        }

        using var response = await api.PutAsJsonAsync(new Uri($"{Workspace}/{name}", UriKind.Relative), spec);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"deploy {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    // Debian's cluster, with a password user for the functions; the benchmark leaves the server running.
    private static async Task StartPostgresAsync()
    {
        try
        {
            await RunAsync("/usr/bin/pg_ctlcluster", "/", "15", "main", "start");
        }
        catch (InvalidOperationException)
        {
            // Already running.
        }

        var sql = $"DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='{PostgresUser}') THEN CREATE USER {PostgresUser} PASSWORD '{PostgresUser}'; END IF; END$$";
        await RunAsync("/usr/sbin/runuser", "/", "-u", "postgres", "--", "psql", "-qc", sql);
    }

    private static async Task WaitListeningAsync(ChildProcess process)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        for (var attempt = 0; attempt < 100; attempt++)
        {
            process.ThrowIfExited();
            try
            {
                using var response = await client.GetAsync(process.Http);
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException($"{process.Name} did not listen on {process.Http}: {process.Tail()}");
    }

    /// <summary>Runs a program to its end and returns its output; throws with its error output when it fails.</summary>
    internal static async Task<string> RunAsync(string program, string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? await output : throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}");
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
