using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;

namespace Granary.Bench;

/// <summary>Counts failed requests by kind (status code, unexpected body, exception type) and keeps one sample of each.</summary>
internal sealed class ErrorLog
{
    private readonly ConcurrentDictionary<string, (int Count, string Sample)> _errors = new(StringComparer.Ordinal);

    public int Total => _errors.Values.Sum(e => e.Count);

    public void Add(string kind, string sample) =>
        _errors.AddOrUpdate(kind, (1, sample), static (_, e) => (e.Count + 1, e.Sample));

    public void AddRange(ErrorLog other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (kind, (count, sample)) in other._errors)
        {
            _errors.AddOrUpdate(kind, (count, sample), (_, e) => (e.Count + count, e.Sample));
        }
    }

    public IEnumerable<string> Describe() =>
        _errors.OrderByDescending(e => e.Value.Count).Select(e => $"{e.Value.Count} × {e.Key} (e.g. {Shorten(e.Value.Sample)})");

    private static string Shorten(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= 300 ? line : line[..300] + "…";
    }
}

/// <summary>The outcome of a closed-loop throughput run.</summary>
internal sealed record ThroughputResult(long Requests, TimeSpan Elapsed, LatencyStats Latency, ErrorLog Errors)
{
    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;

    /// <summary>Gets every request's latency in ms, so that the percentiles of several runs can be taken together.</summary>
    public IReadOnlyList<double> Samples { get; init; } = [];
}

/// <summary>
/// An in-process HTTP load generator: a fixed number of worker loops, each sending one request at a time over a
/// pool of keep-alive connections (one connection per worker), checking that every answer is 200 with the expected body.
/// </summary>
internal sealed class LoadGenerator : IDisposable
{
    private readonly HttpClient _client;
    private readonly int _connections;

    public LoadGenerator(Uri baseAddress, int connections)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(connections, 1);
        _connections = connections;
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        _client = new HttpClient(new AdminKeyHandler { InnerHandler = handler }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public HttpClient Client => _client;

    /// <summary>Sends one POST without a body and returns the client-observed latency in ms; failures go to <paramref name="errors"/>.</summary>
    public async Task<double> SendAsync(string path, byte[]? expectedBody, ErrorLog errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path);
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            var body = await response.Content.ReadAsByteArrayAsync();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                errors.Add($"HTTP {(int)response.StatusCode}", Encoding.UTF8.GetString(body));
            }
            else if (expectedBody is not null && !body.AsSpan().SequenceEqual(expectedBody))
            {
                errors.Add("unexpected body", Encoding.UTF8.GetString(body));
            }

            return elapsed;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            errors.Add(ex.GetType().Name, ex.Message);
            return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
    }

    /// <summary>Sends <paramref name="count"/> requests one after another (a single connection is used).</summary>
    public async Task<(LatencyStats Latency, ErrorLog Errors)> SequentialAsync(string path, int count, byte[]? expectedBody)
    {
        var errors = new ErrorLog();
        var samples = new double[count];
        for (var i = 0; i < count; i++)
        {
            samples[i] = await SendAsync(path, expectedBody, errors);
        }

        return (LatencyStats.From(samples), errors);
    }

    /// <summary>Runs one worker loop per connection for <paramref name="duration"/>; requests in flight at the end complete and count.</summary>
    public Task<ThroughputResult> ThroughputAsync(string path, TimeSpan duration, byte[]? expectedBody) =>
        ThroughputAsync([path], duration, expectedBody);

    /// <summary>As <see cref="ThroughputAsync(string, TimeSpan, byte[])"/>, each worker on one of <paramref name="paths"/>, taken round-robin.</summary>
    public async Task<ThroughputResult> ThroughputAsync(IReadOnlyList<string> paths, TimeSpan duration, byte[]? expectedBody)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentOutOfRangeException.ThrowIfZero(paths.Count);
        var errors = new ErrorLog();
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, _connections).Select(worker => Task.Run(async () =>
        {
            var path = paths[worker % paths.Count];
            var samples = new List<double>(4096);
            while (Stopwatch.GetTimestamp() < deadline)
            {
                samples.Add(await SendAsync(path, expectedBody, errors));
            }

            return samples;
        })).ToArray();
        var all = await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var latencies = all.SelectMany(s => s).ToArray();
        return new ThroughputResult(latencies.Length, elapsed, LatencyStats.From(latencies), errors) { Samples = latencies };
    }

    public void Dispose() => _client.Dispose();
}

/// <summary>
/// Sends the benchmark's admin key (<see cref="BenchProgram.AdminKey"/>) on management and Custom Code API calls only,
/// so that invocations are measured exactly as an anonymous caller makes them.
/// </summary>
internal sealed class AdminKeyHandler : DelegatingHandler
{
    private static readonly System.Net.Http.Headers.AuthenticationHeaderValue s_key = new("Bearer", BenchProgram.AdminKey);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri?.AbsolutePath is { } path && (path.StartsWith("/api/", StringComparison.Ordinal) || path.StartsWith("/v2/", StringComparison.Ordinal)))
        {
            request.Headers.Authorization = s_key;
        }

        return base.SendAsync(request, cancellationToken);
    }
}
