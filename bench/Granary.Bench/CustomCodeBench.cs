using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Granary.Bench;

/// <summary>One Custom Code snippet run, sequentially: client-observed latency and the <c>duration</c> the run reported.</summary>
internal sealed record SnippetResult(string Name, LatencyStats EndToEnd, LatencyStats Duration, int Errors);

/// <summary>
/// The Custom Code API's warm path: the seed document's <c>hello</c> snippet and a cache-increment snippet, each run
/// sequentially on one keep-alive connection through <c>POST /v2/functions/{workspace}/run/{function}</c>.
/// </summary>
internal static class CustomCodeBench
{
    private const string Workspace = "/v2/functions/bench";

    private const string Functions = """
        {"functions": {
          "hello": {"code": "return \"Hello \" + name;", "parameters": {"name": {"type": "string"}}},
          "counter": {"code": "return await cache.incr('counter');"}
        }}
        """;

    public static async Task<IReadOnlyList<SnippetResult>> MeasureAsync(Uri baseAddress, Options options, ErrorLog allErrors)
    {
        using var client = new LoadGenerator(baseAddress, 1);
        using (var stored = await client.Client.PostAsync(new Uri(Workspace, UriKind.Relative), new StringContent(Functions, Encoding.UTF8, "application/json")))
        {
            if (stored.StatusCode != HttpStatusCode.OK)
            {
                allErrors.Add("custom code: store workspace", $"{(int)stored.StatusCode} {await stored.Content.ReadAsStringAsync()}");
                return [];
            }
        }

        var results = new List<SnippetResult>
        {
            await RunAsync(client.Client, "hello", "{\"parameters\":{\"name\":\"world\"}}", "Hello world", options, allErrors),
            await RunAsync(client.Client, "counter", "{\"parameters\":{}}", null, options, allErrors),
        };
        using (await client.Client.DeleteAsync(new Uri(Workspace, UriKind.Relative)))
        {
        }

        return results;
    }

    private static async Task<SnippetResult> RunAsync(HttpClient client, string function, string body, string? expected, Options options, ErrorLog allErrors)
    {
        var errors = new ErrorLog();
        var content = Encoding.UTF8.GetBytes(body);
        var endToEnd = new List<double>(options.Sequential);
        var durations = new List<double>(options.Sequential);
        double? previous = null;
        for (var i = 0; i < options.SequentialWarmUp + options.Sequential; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{Workspace}/run/{function}") { Content = new ByteArrayContent(content) };
            request.Content.Headers.ContentType = new("application/json");
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                errors.Add($"{function}: HTTP {(int)response.StatusCode}", text);
                continue;
            }

            using var json = JsonDocument.Parse(text);
            var result = json.RootElement.GetProperty("result");
            if (expected is not null ? result.GetString() != expected : previous is { } p && result.GetDouble() != p + 1)
            {
                errors.Add($"{function}: unexpected result", text);
            }

            previous = expected is null ? result.GetDouble() : null;
            if (i >= options.SequentialWarmUp)
            {
                endToEnd.Add(elapsed);
                durations.Add(json.RootElement.GetProperty("duration").GetDouble());
            }
        }

        var stats = LatencyStats.From(endToEnd);
        Console.WriteLine($"  run {function}: end-to-end p50 {stats.P50:F3} ms, errors {errors.Total}");
        allErrors.AddRange(errors);
        return new SnippetResult(function, stats, LatencyStats.From(durations), errors.Total);
    }
}
