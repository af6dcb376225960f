using System.Globalization;

namespace Granary.Bench;

/// <summary>Sequential latency and closed-loop throughput of one endpoint.</summary>
internal sealed record WarmResult(LatencyStats Sequential, ThroughputResult Throughput, double CpuPerRequestUs, int Errors);

/// <summary>Client-observed cold-start latency, the activation time the gateway recorded, and sanity counts.</summary>
internal sealed record ColdResult(LatencyStats Latency, LatencyStats ServerInitMs, int Errors, int PoolEmpty, int ConfirmedCold);

/// <summary>Collects the results of a run and prints them as one table.</summary>
internal sealed class Report
{
    private const double ThroughputTarget = 0.5;
    private const double ColdP50TargetMs = 5;

    public ErrorLog Errors { get; } = new();

    public WarmResult? Baseline { get; set; }

    public WarmResult? Granary { get; set; }

    public ColdResult? ColdCollected { get; set; }

    public ColdResult? ColdScaledToZero { get; set; }

    public IReadOnlyList<SnippetResult> Snippets { get; set; } = [];

    public PythonResult? Python { get; set; }

    public ClusterResult? Cluster { get; set; }

    public TenancyResult? Tenancy { get; set; }

    public ScaleOutResult? ScaleOut { get; set; }

    public HttpResult? Http { get; set; }

    public JsColdResult? JsCold { get; set; }

    public ClusterHttpResult? ClusterHttp { get; set; }

    public IReadOnlyList<PythonColdRow>? PythonCold { get; set; }

    public DensityResult? Density { get; set; }

    /// <summary>Gets or sets why the cluster section did not run (a missing program), or null.</summary>
    public string? ClusterSkipped { get; set; }

    public void Print(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Console.WriteLine();
        Console.WriteLine("======================================================== RESULTS ========================================================");
        if (Baseline is { } b && Granary is { } g)
        {
            PrintSingleProcess(options, b, g);
        }

        if (Cluster is { } cluster)
        {
            ClusterBench.PrintTable(cluster, options);
        }
        else if (ClusterSkipped is { } reason)
        {
            Console.WriteLine();
            Console.WriteLine($"Cluster mode: skipped: {reason}");
        }

        if (Tenancy is { } tenancy)
        {
            TenancyBench.PrintTable(tenancy, options);
        }

        if (ScaleOut is { } scaleOut)
        {
            ScaleOutBench.PrintTable(scaleOut, options);
        }

        if (Http is { } http)
        {
            HttpBench.PrintTable(http, options);
        }

        if (JsCold is { } jsCold)
        {
            JsColdBench.PrintTable(jsCold);
        }

        if (ClusterHttp is { } clusterHttp)
        {
            ClusterHttpBench.PrintTable(clusterHttp, options);
        }

        if (PythonCold is { Count: > 0 } pythonCold)
        {
            PythonColdBench.PrintTable(pythonCold);
        }

        if (Density is { } density)
        {
            DensityBench.PrintTable(density, options);
        }

        Console.WriteLine();
        Console.WriteLine("Targets");
        if (Baseline is { } baseline && Granary is { } granary)
        {
            var ratio = granary.Throughput.RequestsPerSecond / baseline.Throughput.RequestsPerSecond;
            Console.WriteLine($"  Granary throughput >= {ThroughputTarget:P0} of baseline: {ratio:P1}  {Verdict(ratio >= ThroughputTarget)}");
        }

        foreach (var (name, cold) in new[] { ("definition collected", ColdCollected), ("scaled to zero", ColdScaledToZero) })
        {
            if (cold is not null)
            {
                Console.WriteLine($"  cold start p50 <= {ColdP50TargetMs:F0} ms ({name}): {cold.Latency.P50:F2} ms  {Verdict(cold.Latency.P50 <= ColdP50TargetMs)}");
            }
        }

        if (Python is { } target)
        {
            var pyRatio = target.Granary.Throughput.RequestsPerSecond / target.Gunicorn.Throughput.RequestsPerSecond;
            Console.WriteLine($"  Python warm throughput >= 1.0x gunicorn+Flask: {pyRatio:F2}x  {Verdict(pyRatio >= 1.0)}");
            Console.WriteLine($"  Python cold start p50 <= 20 ms: {target.Cold.Latency.P50:F2} ms  {Verdict(target.Cold.Latency.P50 <= 20)}");
        }

        foreach (var snippet in Snippets)
        {
            Console.WriteLine($"  run {snippet.Name}: duration p50 < 1 ms: {snippet.Duration.P50:F3} ms  {Verdict(snippet.Duration.P50 < 1)}; end-to-end p50 < 2 ms: {snippet.EndToEnd.P50:F3} ms  {Verdict(snippet.EndToEnd.P50 < 2)}");
        }

        if (Cluster is { } clusterTargets)
        {
            foreach (var line in ClusterBench.TargetLines(clusterTargets))
            {
                Console.WriteLine($"  {line}");
            }
        }

        if (ScaleOut is { } scaleOutTargets)
        {
            foreach (var line in ScaleOutBench.TargetLines(scaleOutTargets))
            {
                Console.WriteLine($"  {line}");
            }
        }

        if (Http is { } httpTargets)
        {
            foreach (var line in HttpBench.TargetLines(httpTargets))
            {
                Console.WriteLine($"  {line}");
            }
        }

        foreach (var line in (JsCold is { } c ? JsColdBench.TargetLines(c) : []).Concat(ClusterHttp is { } h ? ClusterHttpBench.TargetLines(h) : []))
        {
            Console.WriteLine($"  {line}");
        }

        if (Density is { } densityTargets)
        {
            foreach (var line in DensityBench.TargetLines(densityTargets))
            {
                Console.WriteLine($"  {line}");
            }
        }

        Console.WriteLine();
        if (Errors.Total == 0)
        {
            var cold = ColdCollected is null && ColdScaledToZero is null ? "" : ", every measured cold start was recorded as cold";
            Console.WriteLine($"Errors: none (every response was 200 with the expected body{cold}).");
        }
        else
        {
            Console.WriteLine($"ERRORS: {Errors.Total} — these results include failed requests and are NOT valid:");
            foreach (var line in Errors.Describe())
            {
                Console.WriteLine($"  {line}");
            }
        }
    }

    private void PrintSingleProcess(Options options, WarmResult b, WarmResult g)
    {
        var ratio = g.Throughput.RequestsPerSecond / b.Throughput.RequestsPerSecond;
        const string WarmTitle = "Warm path (POST, 200 + {\"hello\":\"world\"})";
        Console.WriteLine($"{WarmTitle,-52}{"Kestrel baseline",16}  {"Granary",12}  Granary vs baseline");
        LatencyRow($"sequential latency p50 (ms, n={b.Sequential.Count})", b.Sequential.P50, g.Sequential.P50);
        LatencyRow("sequential latency p90 (ms)", b.Sequential.P90, g.Sequential.P90);
        LatencyRow("sequential latency p99 (ms)", b.Sequential.P99, g.Sequential.P99);
        LatencyRow("sequential latency mean (ms)", b.Sequential.Mean, g.Sequential.Mean);
        Row(
            $"throughput (req/s, {options.Connections} conn, {options.Duration.TotalSeconds:F0} s)",
            F(b.Throughput.RequestsPerSecond, "F0"),
            F(g.Throughput.RequestsPerSecond, "F0"),
            $"{ratio:P1} of baseline");
        Row("requests completed", F(b.Throughput.Requests, "N0"), F(g.Throughput.Requests, "N0"), "");
        Row("process CPU per request (us, client included)", F(b.CpuPerRequestUs, "F0"), F(g.CpuPerRequestUs, "F0"), $"{g.CpuPerRequestUs / b.CpuPerRequestUs:F1}x");
        LatencyRow("latency under load p50 (ms)", b.Throughput.Latency.P50, g.Throughput.Latency.P50);
        LatencyRow("latency under load p99 (ms)", b.Throughput.Latency.P99, g.Throughput.Latency.P99);
        Row("errors (all warm requests)", F(b.Errors, "N0"), F(g.Errors, "N0"), "");

        Console.WriteLine();
        Console.WriteLine($"Cold start: idle function -> first response through the gateway (client-observed ms, one keep-alive connection, {options.ColdGap.TotalMilliseconds:F0} ms gap)");
        Console.WriteLine($"  {"variant",-46}{"n",5}{"p50",8}{"p99",8}{"mean",8}{"min",8}{"max",8}   {"server initMs p50/p99",22}{"cold ok",9}{"pool empty",11}{"errors",8}");
        ColdRow("idle, definition grain collected (default)", ColdCollected);
        ColdRow("scaled to zero by itself, definition active", ColdScaledToZero);
        Console.WriteLine("  server initMs = the activation time the gateway recorded (attach to definition grain + load code into a warm isolate);");
        Console.WriteLine("  cold ok = invocation records with cold=true; pool empty = cold starts that found no warm isolate ready just before the request.");

        Console.WriteLine();
        Console.WriteLine($"Custom Code API, warm (POST /v2/functions/{{ws}}/run/{{fn}}, sequential on one keep-alive connection, n={options.Sequential})");
        Console.WriteLine($"  {"snippet",-46}{"e2e p50",9}{"e2e p99",9}{"duration p50",14}{"duration p99",14}{"errors",8}");
        foreach (var snippet in Snippets)
        {
            Console.WriteLine(
                $"  {snippet.Name,-46}{F(snippet.EndToEnd.P50, "F3"),9}{F(snippet.EndToEnd.P99, "F3"),9}" +
                $"{F(snippet.Duration.P50, "F3"),14}{F(snippet.Duration.P99, "F3"),14}{snippet.Errors,8}");
        }

        Console.WriteLine("  e2e = client-observed ms; duration = the run's own \"duration\" field (ms inside the isolate).");

        if (Python is { } py)
        {
            Console.WriteLine();
            Console.WriteLine($"Python hello (POST; Granary handler function vs Flask on gunicorn, {py.GunicornWorkers} sync workers)");
            Console.WriteLine($"{"",-52}{"gunicorn+Flask",16}  {"Granary",12}  Granary vs gunicorn");
            LatencyRow($"sequential latency p50 (ms, n={py.Gunicorn.Sequential.Count})", py.Gunicorn.Sequential.P50, py.Granary.Sequential.P50);
            LatencyRow("sequential latency p99 (ms)", py.Gunicorn.Sequential.P99, py.Granary.Sequential.P99);
            Row(
                $"throughput (req/s, {options.Connections} conn, {options.Duration.TotalSeconds:F0} s)",
                F(py.Gunicorn.Throughput.RequestsPerSecond, "F0"),
                F(py.Granary.Throughput.RequestsPerSecond, "F0"),
                $"{py.Granary.Throughput.RequestsPerSecond / py.Gunicorn.Throughput.RequestsPerSecond:F2}x");
            LatencyRow("latency under load p50 (ms)", py.Gunicorn.Throughput.Latency.P50, py.Granary.Throughput.Latency.P50);
            LatencyRow("latency under load p99 (ms)", py.Gunicorn.Throughput.Latency.P99, py.Granary.Throughput.Latency.P99);
            Row("errors (all warm requests)", F(py.Gunicorn.Errors, "N0"), F(py.Granary.Errors, "N0"), "");
            Console.WriteLine($"  (CPU per request is not comparable here: gunicorn's workers are other processes; Granary's workers are too.)");
            Console.WriteLine($"Python cold start (scaled to zero, {py.ColdGap.TotalMilliseconds:F0} ms gap)");
            Console.WriteLine($"  {"variant",-46}{"n",5}{"p50",8}{"p99",8}{"mean",8}{"min",8}{"max",8}   {"server initMs p50/p99",22}{"cold ok",9}{"pool empty",11}{"errors",8}");
            ColdRow("python, scaled to zero by itself", py.Cold);
        }
    }

    private static void LatencyRow(string label, double baseline, double granary) =>
        Row(label, F(baseline, "F3"), F(granary, "F3"), $"{granary - baseline:+0.000;-0.000} ms ({granary / baseline:F1}x)");

    private static void Row(string label, string baseline, string granary, string comparison) =>
        Console.WriteLine($"  {label,-50}{baseline,16}  {granary,12}  {comparison}");

    private static void ColdRow(string label, ColdResult? cold)
    {
        if (cold is null)
        {
            Console.WriteLine($"  {label,-46}  not measured");
            return;
        }

        var l = cold.Latency;
        var init = $"{F(cold.ServerInitMs.P50, "F2")} / {F(cold.ServerInitMs.P99, "F2")}";
        Console.WriteLine(
            $"  {label,-46}{l.Count,5}{F(l.P50, "F2"),8}{F(l.P99, "F2"),8}{F(l.Mean, "F2"),8}{F(l.Min, "F2"),8}{F(l.Max, "F2"),8}   " +
            $"{init,22}{$"{cold.ConfirmedCold}/{l.Count}",9}{cold.PoolEmpty,11}{cold.Errors,8}");
    }

    private static string Verdict(bool met) => met ? "MET" : "NOT MET";

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
