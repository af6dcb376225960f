using System.Globalization;

namespace Granary.Bench;

/// <summary>
/// The command line: <c>--duration 10 --connections 32 --cold 200 --cold-gap-ms 20 --cold-warmup 20 --sequential 2000</c>,
/// and <c>--only single|cluster|tenancy|noisy|compat|scaleout|http|jscold|clusterhttp|pycold|density</c> to run one section (<c>noisy</c>: only the tenancy section's noisy neighbour);
/// <c>--set Key=Value</c> (repeatable) adds a setting, in environment form, to the tenancy section's gateways;
/// <c>--before-gateway path/Granary.Gateway.dll</c> has the scale-out section measure an earlier build's embedded hello too,
/// the http section that build's gateway beside this one's, the jscold section its cold starts, call by call in turn with this one's,
/// and the density section that build's memory before this one's.
/// </summary>
internal sealed record Options
{
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public int Connections { get; init; } = 32;

    public int Cold { get; init; } = 200;

    public TimeSpan ColdGap { get; init; } = TimeSpan.FromMilliseconds(20);

    public int ColdWarmUp { get; init; } = 20;

    public int Sequential { get; init; } = 2000;

    public int SequentialWarmUp { get; init; } = 200;

    /// <summary>Gets how many functions the density section deploys and calls once each (<c>--density-active</c>).</summary>
    public int DensityActive { get; init; } = 1000;

    /// <summary>Gets how many more functions the density section deploys and never calls (<c>--density-idle</c>).</summary>
    public int DensityIdle { get; init; } = 10000;

    /// <summary>Gets settings (environment form, <c>Granary__JavaScript__ScriptSliceMs=20</c>) for the tenancy section's gateways.</summary>
    public IReadOnlyDictionary<string, string> GatewaySettings { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets a <c>Granary.Gateway.dll</c> built from an earlier commit, whose embedded hello the scale-out section measures beside this build's.</summary>
    public string? BeforeGateway { get; init; }

    /// <summary>
    /// Gets whether the http section also measures this build's gateway with its telemetry off (<c>--telemetry-off</c>:
    /// <c>Granary__Telemetry__Metrics__Enabled=false</c>, <c>Granary__Telemetry__Traces__Enabled=false</c>), in the same
    /// rounds, for issue 16's 10 % bound.
    /// </summary>
    public bool TelemetryOff { get; init; }

    /// <summary>Gets the one section to run: <c>single</c> (everything in this process) or <c>cluster</c>; null runs both.</summary>
    public string? Only { get; init; }

    public bool RunSingleProcess => Only is null or "single";

    public bool RunCluster => Only is null or "cluster";

    public bool RunTenancy => Only is null or "tenancy" or "noisy";

    /// <summary>Gets whether the Node compatibility section runs (<see cref="CompatBench"/>).</summary>
    public bool RunCompat => Only is null or "compat";

    /// <summary>Gets whether the scale-out section runs (<see cref="ScaleOutBench"/>).</summary>
    public bool RunScaleOut => Only is null or "scaleout";

    /// <summary>Gets whether the section that measures every server from outside with wrk runs (<see cref="HttpBench"/>).</summary>
    public bool RunHttp => Only is null or "http";

    /// <summary>Gets whether the JavaScript cold starts are measured from outside (<see cref="JsColdBench"/>).</summary>
    public bool RunJsCold => Only is null or "jscold";

    /// <summary>Gets whether the embedded gateway and a client gateway over 3 silos are measured with wrk (<see cref="ClusterHttpBench"/>).</summary>
    public bool RunClusterHttp => Only is null or "clusterhttp";

    /// <summary>Gets whether to run the Python cold bursts against a gateway process (<see cref="PythonColdBench"/>).</summary>
    public bool RunPythonCold => Only is null or "pycold";

    /// <summary>Gets whether the section that measures memory per warm function runs (<see cref="DensityBench"/>).</summary>
    public bool RunDensity => Only is null or "density";

    /// <summary>Gets whether only the tenancy section's noisy neighbour runs (no wrk throughput rounds).</summary>
    public bool NoisyOnly => Only == "noisy";

    /// <summary>Parses the arguments; prints usage and returns null when they are wrong or help is asked for.</summary>
    public static Options? Parse(string[] args)
    {
        var options = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                PrintUsage();
                return null;
            }

            if (name == "--only")
            {
                if (i + 1 >= args.Length || args[i + 1] is not ("single" or "cluster" or "tenancy" or "noisy" or "compat" or "scaleout" or "http" or "jscold" or "clusterhttp" or "pycold" or "density"))
                {
                    Console.Error.WriteLine("--only needs 'single', 'cluster', 'tenancy', 'noisy', 'compat', 'scaleout', 'http', 'jscold', 'clusterhttp', 'pycold' or 'density'.");
                    PrintUsage();
                    return null;
                }

                options = options with { Only = args[++i] };
                continue;
            }

            if (name == "--telemetry-off")
            {
                options = options with { TelemetryOff = true };
                continue;
            }

            if (name == "--before-gateway")
            {
                if (i + 1 >= args.Length || !File.Exists(args[i + 1]))
                {
                    Console.Error.WriteLine("--before-gateway needs the path of a Granary.Gateway.dll.");
                    PrintUsage();
                    return null;
                }

                options = options with { BeforeGateway = Path.GetFullPath(args[++i]) };
                continue;
            }

            if (name == "--set")
            {
                var setting = i + 1 < args.Length ? args[++i].Split('=', 2) : [];
                if (setting.Length != 2 || setting[0].Length == 0)
                {
                    Console.Error.WriteLine("--set needs Key=Value.");
                    PrintUsage();
                    return null;
                }

                options = options with { GatewaySettings = new Dictionary<string, string>(options.GatewaySettings) { [setting[0]] = setting[1] } };
                continue;
            }

            if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 0)
            {
                Console.Error.WriteLine($"{name} needs a non-negative integer value.");
                PrintUsage();
                return null;
            }

            i++;
            Options? next = name switch
            {
                "--duration" when value >= 1 => options with { Duration = TimeSpan.FromSeconds(value) },
                "--connections" when value >= 1 => options with { Connections = value },
                "--cold" when value >= 1 => options with { Cold = value },
                "--cold-gap-ms" => options with { ColdGap = TimeSpan.FromMilliseconds(value) },
                "--cold-warmup" => options with { ColdWarmUp = value },
                "--sequential" when value >= 1 => options with { Sequential = value },
                "--density-active" when value >= 1 => options with { DensityActive = value },
                "--density-idle" => options with { DensityIdle = value },
                _ => null,
            };
            if (next is null)
            {
                Console.Error.WriteLine($"Unknown option or value out of range: {name} {value}");
                PrintUsage();
                return null;
            }

            options = next;
        }

        return options;
    }

    private static void PrintUsage() => Console.Error.WriteLine(
        "usage: dotnet run -c Release --project bench/Granary.Bench -- [--duration <s, 10>] [--connections <32>] " +
        "[--cold <count, 200>] [--cold-gap-ms <20>] [--cold-warmup <unmeasured cold starts first, 20>] [--sequential <2000>] " +
        "[--only <single: the in-process sections | cluster: gateway and silos as separate processes | tenancy: public and key functions under wrk, the noisy neighbour | noisy: the noisy neighbour alone | compat: Node built-ins, pg and process mode against plain Node | scaleout: maxInstances 1 and 3 on 1 and 3 silos, time to a second instance, routing cost | http: Kestrel, functions-framework, Flask on gunicorn and the Granary gateway (default configuration) each as its own process under wrk -t2 -c64 | jscold: JS cold starts of never-activated functions through the gateway as its own process, one keep-alive client | clusterhttp: wrk -t2 -c64 against the embedded gateway and a client gateway over 3 silos | pycold: 100 never-called Python functions called back to back against a gateway process | density: RSS of the gateway with 1,000 warm JS functions and 10,000 idle ones>] " +
        "[--density-active <1000>] [--density-idle <10000>] " +
        "[--set <Key=Value: a setting for the tenancy gateways, repeatable>] " +
        "[--telemetry-off (http: also this build's gateway with its metrics and traces off, in the same rounds)] " +
            "[--before-gateway <a Granary.Gateway.dll of an earlier commit: scaleout measures its embedded hello beside this build's, http its gateway's rows, jscold its cold starts in turn with this build's, pycold its bursts, density its memory>]");
}
