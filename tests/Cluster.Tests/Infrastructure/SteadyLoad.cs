using System.Collections.Concurrent;
using System.Diagnostics;

namespace Granary.Cluster.Tests.Infrastructure;

/// <summary>
/// Steady load on a gateway: a few callers, each invoking the given functions in turn as fast as they answer,
/// recording every request's start, duration, status and body.
/// </summary>
public sealed class SteadyLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _callers;
    private readonly ConcurrentQueue<Result> _results = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>Starts <paramref name="callers"/> callers over <paramref name="functions"/> of workspace <c>w</c>.</summary>
    public SteadyLoad(HttpClient gateway, IReadOnlyList<string> functions, int callers = 4)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        ArgumentNullException.ThrowIfNull(functions);
        _callers = [.. Enumerable.Range(0, callers).Select(c => Task.Run(() => CallAsync(gateway, functions, c)))];
    }

    /// <summary>Gets the time since the load started.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Gets the results so far.</summary>
    public IReadOnlyList<Result> Results => [.. _results];

    /// <summary>Stops the callers (each finishes its request in flight) and returns every result.</summary>
    public async Task<IReadOnlyList<Result>> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_callers);
        return Results;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task CallAsync(HttpClient gateway, IReadOnlyList<string> functions, int caller)
    {
        for (var i = caller; !_stop.IsCancellationRequested; i++)
        {
            var function = functions[i % functions.Count];
            var started = _clock.Elapsed;
            int status;
            string body;
            try
            {
                using var response = await gateway.PostAsync(new Uri($"/fn/default/w/{function}", UriKind.Relative), null);
                status = (int)response.StatusCode;
                body = await response.Content.ReadAsStringAsync();
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                status = -1;
                body = ex.Message;
            }

            _results.Enqueue(new Result(function, started, _clock.Elapsed - started, status, body));
        }
    }

    /// <summary>One request: which function, when it started (since the load began), how long it took, what came back.</summary>
    public sealed record Result(string Function, TimeSpan Started, TimeSpan Duration, int Status, string Body)
    {
        /// <inheritdoc />
        public override string ToString() => $"{Function} at {Started.TotalSeconds:F2}s took {Duration.TotalMilliseconds:F0} ms: {Status} {Body[..Math.Min(Body.Length, 300)]}";
    }
}
