using System.Globalization;
using System.Text.Json;

namespace Granary.Cluster.Tests.Infrastructure;

/// <summary>
/// A real Prometheus server (Debian's <c>prometheus</c> package) on a free loopback port in a temporary directory,
/// scraping the given targets every second with a bearer token read from a file, as a deployment's would.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly ServerProcess _process;
    private readonly string _root;
    private readonly HttpClient _http;

    private PrometheusServer(ServerProcess process, string root, int port)
    {
        _process = process;
        _root = root;
        Port = port;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"), Timeout = TimeSpan.FromSeconds(5) };
    }

    /// <summary>Gets the HTTP API's port.</summary>
    public int Port { get; }

    /// <summary>Gets the server's recent log, for failure messages.</summary>
    public string Output => _process.Output.ToString();

    /// <summary>Starts Prometheus scraping <paramref name="targets"/> (<c>host:port</c>) with <paramref name="token"/>.</summary>
    public static PrometheusServer Start(IEnumerable<string> targets, string token)
    {
        var program = Binaries.Require("/usr/bin/prometheus", "prometheus");
        var root = Directory.CreateTempSubdirectory("granary-prometheus-").FullName;
        var tokenFile = Path.Combine(root, "granary-metrics-token");
        File.WriteAllText(tokenFile, token);
        var config = Path.Combine(root, "prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: granary
                metrics_path: /metrics
                authorization:
                  type: Bearer
                  credentials_file: {tokenFile}
                static_configs:
                  - targets: [{string.Join(", ", targets.Select(t => $"'{t}'"))}]
            """);
        var port = Ports.FreePort();
        var process = ServerProcess.Start(program, [
            $"--config.file={config}",
            $"--storage.tsdb.path={Path.Combine(root, "data")}",
            $"--web.listen-address=127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
            "--log.level=warn",
        ], user: null, workingDirectory: root);
        return new PrometheusServer(process, root, port);
    }

    /// <summary>Runs an instant query and returns its result vector (<c>data.result</c>), or null while Prometheus is not answering.</summary>
    public async Task<JsonElement?> QueryAsync(string query)
    {
        try
        {
            var text = await _http.GetStringAsync($"api/v1/query?query={Uri.EscapeDataString(query)}");
            using var document = JsonDocument.Parse(text);
            return document.RootElement.GetProperty("data").GetProperty("result").Clone();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await _process.StopAsync(ServerProcess.SigTerm, TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
        _http.Dispose();
        TempDirectory.Delete(_root);
    }
}
