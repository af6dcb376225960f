using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Granary.Bench;

/// <summary>One gateway's memory: its RSS at each step of <see cref="DensityBench"/>, in MiB, and its thread count when the active functions were warm.</summary>
internal sealed record DensityRow(
    string Gateway,
    int ActiveFunctions,
    int IdleFunctions,
    double StartMiB,
    double ActiveMiB,
    double RestedMiB,
    double IdleMiB,
    int ThreadsWhenActive,
    TimeSpan DeployIdleTime)
{
    /// <summary>Gets the RSS the active functions added, per function, in MiB.</summary>
    public double PerActiveMiB => (ActiveMiB - StartMiB) / ActiveFunctions;

    /// <summary>Gets the RSS the active functions added once they rested (unused for the silo's trim period), per function, in MiB.</summary>
    public double PerRestedMiB => (RestedMiB - StartMiB) / ActiveFunctions;

    /// <summary>Gets the RSS the idle (deployed, never called) functions added, in MiB.</summary>
    public double IdleGrowthMiB => IdleMiB - RestedMiB;
}

/// <summary>The figures of the <c>--only density</c> section: this build's gateway, and the one of <c>--before-gateway</c> when given.</summary>
internal sealed record DensityResult(IReadOnlyList<DensityRow> Rows);

/// <summary>
/// Memory per warm JavaScript function (<c>--only density</c>), issue 15 item 6: the embedded gateway runs as its own
/// process (its default configuration, except that the warm limits leave every function warm and the tenant may have them all); the benchmark deploys
/// <see cref="Options.DensityActive"/> distinct JavaScript hellos through the management API, calls each once, and reads
/// the process's RSS (<c>/proc/PID/status</c> VmRSS) before and after; then deploys <see cref="Options.DensityIdle"/>
/// more without calling them and reads the growth. Targets: the active ones in at most 1.5 GiB for the whole process,
/// the idle ones adding at most 50 MiB.
/// </summary>
internal static class DensityBench
{
    private const double ActiveTargetMiB = 1536;
    private const double IdleTargetMiB = 50;
    private const double MaxRssMiB = 8192;
    private const int DeployConnections = 8;
    private const int CallConnections = 4;
    private const string Workspace = "/api/v1/tenants/default/workspaces/density/functions";
    private const string Invoke = "/fn/default/density";
    private const string BeforeSuffix = " (before)";

    // A warm function unused this long has rested: the silo's sweep has trimmed the isolates a burst left (30 s unused,
    // noticed at the function's next 10 s heartbeat; FunctionGrain).
    private static readonly TimeSpan s_rest = TimeSpan.FromSeconds(45);

    /// <summary>Why the section cannot run on this machine, or null when it can.</summary>
    public static string? Unavailable() =>
        OperatingSystem.IsLinux() ? ClusterBench.Programs.Locate().Missing : "the process's RSS is read from /proc (Linux only)";

    public static async Task<DensityResult?> MeasureAsync(Options options, ErrorLog errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        var rows = new List<DensityRow>();
        var work = Directory.CreateTempSubdirectory("granary-bench-density-").FullName;
        try
        {
            Console.WriteLine(
                $"Density: {options.DensityActive} JavaScript functions deployed and called once each, then {options.DensityIdle} more deployed and never called; " +
                $"RSS of the gateway process (embedded silo) from /proc/PID/status");

            // One gateway at a time: each is measured alone, so neither's memory depends on the other's.
            if (options.BeforeGateway is { } before)
            {
                rows.Add(await MeasureOneAsync(before, BeforeSuffix, Path.Combine(work, "before"), options, errors));
            }

            rows.Add(await MeasureOneAsync(ClusterBench.Programs.Locate().Gateway, "", Path.Combine(work, "after"), options, errors));
            return new DensityResult(rows);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or IOException)
        {
            Console.WriteLine($"  density section aborted: {ex.Message}");
            errors.Add("density: section aborted", ex.Message);
            return null;
        }
        finally
        {
            LocalMachine.DeleteDirectory(work);
        }
    }

    /// <summary>Prints the table and the targets.</summary>
    public static void PrintTable(DensityResult result, Options options)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        Console.WriteLine();
        Console.WriteLine("Density: RSS of the gateway process (embedded silo), MiB");
        Console.WriteLine($"  {"gateway",-22}{"start",8}{"active",9}{"per fn",9}{"rested",9}{"per fn",9}{"threads",9}{"+idle",9}{"idle growth",13}{"deploy idle s",15}");
        foreach (var row in result.Rows)
        {
            Console.WriteLine(
                $"  {(row.Gateway.Length == 0 ? "this build" : row.Gateway.Trim()),-22}{F(row.StartMiB, "F0"),8}{F(row.ActiveMiB, "F0"),9}{F(row.PerActiveMiB, "F2"),9}" +
                $"{F(row.RestedMiB, "F0"),9}{F(row.PerRestedMiB, "F2"),9}" +
                $"{row.ThreadsWhenActive,9}{F(row.IdleMiB, "F0"),9}{F(row.IdleGrowthMiB, "F0"),13}{F(row.DeployIdleTime.TotalSeconds, "F0"),15}");
        }

        Console.WriteLine(
            $"  active = once RSS settled after {options.DensityActive} functions were deployed and called once each; rested = {s_rest.TotalSeconds:F0} s after the last call, all still warm; " +
            $"+idle = after {options.DensityIdle} more were deployed, never called (growth from rested)");
        if (result.Rows.Any(r => r.Gateway == BeforeSuffix))
        {
            Console.WriteLine($"  before: the gateway of --before-gateway {options.BeforeGateway}, measured the same way first");
        }

        foreach (var line in TargetLines(result))
        {
            Console.WriteLine($"  {line}");
        }
    }

    /// <summary>The target lines of each gateway measured, with MET or MISSED.</summary>
    public static IEnumerable<string> TargetLines(DensityResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        foreach (var row in result.Rows)
        {
            yield return $"density{row.Gateway}: {row.ActiveFunctions} active JS functions <= {F(ActiveTargetMiB, "F0")} MiB RSS: {F(row.ActiveMiB, "F0")} MiB just after the calls  {(row.ActiveMiB <= ActiveTargetMiB ? "MET" : "MISSED")}; " +
                $"{F(row.RestedMiB, "F0")} MiB rested  {(row.RestedMiB <= ActiveTargetMiB ? "MET" : "MISSED")}";
            yield return $"density{row.Gateway}: {row.IdleFunctions} idle functions add <= {F(IdleTargetMiB, "F0")} MiB: {F(row.IdleGrowthMiB, "F0")} MiB  {(row.IdleGrowthMiB <= IdleTargetMiB ? "MET" : "MISSED")}";
        }
    }

    private static async Task<DensityRow> MeasureOneAsync(string dll, string suffix, string directory, Options options, ErrorLog errors)
    {
        Directory.CreateDirectory(directory);
        var ports = LocalMachine.FreePorts(3);
        var total = options.DensityActive + options.DensityIdle;
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ports[2]}",
            ["Granary__Auth__AdminKey"] = BenchProgram.AdminKey,
            ["Granary__Cluster__SiloPort"] = Port(ports[0]),
            ["Granary__Cluster__GatewayPort"] = Port(ports[1]),

            // Every function stays warm: the count limit and the memory budget are raised past what the run activates.
            ["Granary__Limits__MaxActiveFunctions"] = Port(total + 100),
            ["Granary__Limits__WarmMemoryBudgetMb"] = Port(64 * 1024),

            // One tenant holds them all (the default quota is 1,000 functions per tenant).
            ["Granary__Tenants__Defaults__MaxFunctions"] = Port(total + 100),
        };
        await using var gateway = ChildProcess.Start(
            $"Granary gateway{suffix}",
            "/bin/sh",
            ["-c", "exec dotnet \"$0\" >\"$1\" 2>&1", dll, Path.Combine(directory, "console.log")],
            environment,
            ports[2],
            new Uri($"http://127.0.0.1:{ports[2]}"),
            directory);
        var ready = await gateway.WaitReadyAsync(expected: null);
        Console.WriteLine($"  gateway{suffix} ({dll}) ready in {ready.TotalSeconds:F1} s, pid {gateway.Id}");

        using var api = new LoadGenerator(gateway.Http, DeployConnections);
        var names = Enumerable.Range(0, total).Select(i => $"d{i:D5}").ToArray();
        var active = names[..options.DensityActive];
        var idle = names[options.DensityActive..];

        // A first function deployed and called, so that start-up work (the first isolate, JIT) is in the baseline.
        await DeployAsync(api.Client, "warmup", errors);
        await CallAsync(api.Client, "warmup", errors);
        var start = await SettledRssAsync(gateway.Id);
        Console.WriteLine($"  start (one function warm): {F(start, "F0")} MiB");

        var clock = Stopwatch.StartNew();
        await ForEachAsync(active, DeployConnections, name => DeployAsync(api.Client, name, errors));
        Console.WriteLine($"  deployed {active.Length} in {clock.Elapsed.TotalSeconds:F1} s; RSS {F(Rss(gateway.Id), "F0")} MiB");
        clock.Restart();
        await ForEachAsync(active, CallConnections, name => CallAsync(api.Client, name, errors));
        var activeRss = await SettledRssAsync(gateway.Id);
        var threads = Threads(gateway.Id);
        Console.WriteLine($"  called each once in {clock.Elapsed.TotalSeconds:F1} s; RSS {F(activeRss, "F0")} MiB ({F((activeRss - start) / active.Length, "F2")} MiB per function), {threads} threads");
        await Task.Delay(s_rest);
        var restedRss = await SettledRssAsync(gateway.Id);
        Console.WriteLine($"  rested ({s_rest.TotalSeconds:F0} s after the calls): RSS {F(restedRss, "F0")} MiB ({F((restedRss - start) / active.Length, "F2")} MiB per function)");

        clock.Restart();
        await ForEachAsync(idle, DeployConnections, name => DeployAsync(api.Client, name, errors));
        var deployIdle = clock.Elapsed;
        var idleRss = await SettledRssAsync(gateway.Id);
        Console.WriteLine($"  deployed {idle.Length} more in {deployIdle.TotalSeconds:F1} s, never called; RSS {F(idleRss, "F0")} MiB (+{F(idleRss - restedRss, "F0")} MiB)");
        return new DensityRow(suffix, active.Length, idle.Length, start, activeRss, restedRss, idleRss, threads, deployIdle);
    }

    private static async Task ForEachAsync(IEnumerable<string> names, int parallelism, Func<string, Task> action) =>
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (name, _) => await action(name));

    private static async Task DeployAsync(HttpClient api, string name, ErrorLog errors)
    {
        // Distinct code per function: no two share a compiled script. An hour's idle timeout: the called ones stay
        // warm while the rest deploy (the default, 300 s, would scale them to zero midway).
        var spec = JsonSerializer.Serialize(new { runtime = "nodejs", code = $"module.exports = async () => ({{ hello: '{name}' }});", idleTimeoutSeconds = 3600 });
        using var content = new StringContent(spec, Encoding.UTF8, "application/json");
        try
        {
            using var response = await api.PutAsync(new Uri($"{Workspace}/{name}", UriKind.Relative), content);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                errors.Add($"density: deploy {(int)response.StatusCode}", await response.Content.ReadAsStringAsync());
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            errors.Add($"density: deploy {ex.GetType().Name}", $"{name}: {ex.Message}");
        }
    }

    private static async Task CallAsync(HttpClient api, string name, ErrorLog errors)
    {
        try
        {
            using var response = await api.PostAsync(new Uri($"{Invoke}/{name}", UriKind.Relative), null);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK || !body.Contains(name, StringComparison.Ordinal))
            {
                errors.Add($"density: call {(int)response.StatusCode}", body);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            errors.Add($"density: call {ex.GetType().Name}", $"{name}: {ex.Message}");
        }
    }

    // RSS once it stopped moving: the isolate pool refills and the GC settles in the seconds after a burst.
    private static async Task<double> SettledRssAsync(int pid)
    {
        var last = Rss(pid);
        for (var steady = 0; steady < 3;)
        {
            await Task.Delay(1000);
            var now = Rss(pid);
            if (now > MaxRssMiB)
            {
                // A shared machine: a gateway that runs away is stopped (disposing it kills it) before the OOM killer picks.
                throw new InvalidOperationException($"the gateway's RSS reached {F(now, "F0")} MiB, past the section's limit of {F(MaxRssMiB, "F0")} MiB");
            }

            steady = Math.Abs(now - last) < 2 ? steady + 1 : 0;
            last = now;
        }

        return last;
    }

    private static double Rss(int pid) => Status(pid, "VmRSS:") / 1024.0;

    private static int Threads(int pid) => (int)Status(pid, "Threads:");

    private static long Status(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(field.Length).Trim().ToString().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"/proc/{pid}/status has no {field}");
    }

    private static string Port(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
