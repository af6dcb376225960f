using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Granary.Functions;

namespace Granary.Runtime.Signatures.CustomCode;

/// <summary>
/// Failures Granary answers for a snippet (timeout, memory, a full queue, a module that no longer loads), in the
/// Custom Code service's shape: <c>{"error", "message", "logs", "duration"}</c> rather than problem details.
/// </summary>
public static class SnippetResults
{
    /// <summary>Reshapes a problem-details result of the runtime into the Custom Code error body.</summary>
    public static ExecutionResult FromProblem(ExecutionResult problem, double durationMs)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var error = problem.Outcome switch
        {
            InvocationOutcomes.Timeout => "TimeoutError",
            InvocationOutcomes.MemoryLimit => "MemoryLimitError",
            InvocationOutcomes.Throttled => "TooManyRequestsError",
            InvocationOutcomes.LoadError => "LoadError",
            _ => "Error",
        };
        var logs = new JsonArray();
        foreach (var line in problem.Logs)
        {
            logs.Add(new JsonObject
            {
                ["level"] = line.Level,
                ["message"] = line.Message,
                ["timestamp"] = line.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            });
        }

        var body = FailedRun(error, problem.Error ?? error, logs, durationMs);
        var headers = problem.Headers.Where(h => !h.Name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            .Prepend(new HttpHeader("Content-Type", "application/json; charset=utf-8"))
            .ToImmutableArray();
        return problem with { Headers = headers, Body = System.Text.Encoding.UTF8.GetBytes(body.ToJsonString(SnippetJson.Options)) };
    }

    /// <summary>The body of a run that failed: <c>{"error", "message", "logs", "duration"}</c>.</summary>
    public static JsonObject FailedRun(string error, string message, JsonArray? logs = null, double durationMs = 0) => new()
    {
        ["error"] = error,
        ["message"] = message,
        ["logs"] = logs ?? [],
        ["duration"] = Math.Round(durationMs, 3),
    };

    /// <summary>
    /// Turns a run whose cache changes the workspace refused (the cache would outgrow its limit) into a 500
    /// <c>CacheLimitError</c>, keeping the run's logs and duration.
    /// </summary>
    public static ExecutionResult CacheFull(ExecutionResult run, long limitBytes)
    {
        ArgumentNullException.ThrowIfNull(run);
        JsonObject body;
        try
        {
            body = JsonNode.Parse(run.Body.Span) as JsonObject ?? [];
        }
        catch (System.Text.Json.JsonException)
        {
            body = [];
        }

        body.Remove("result");
        body["error"] = "CacheLimitError";
        body["message"] = $"The workspace cache would grow beyond its limit of {limitBytes} bytes (Granary:Workspaces:MaxCacheBytes); this run's changes to it were not kept.";
        body["logs"] ??= new JsonArray();
        body["duration"] ??= Math.Round(run.DurationMs, 3);
        return run with
        {
            StatusCode = 500,
            Outcome = InvocationOutcomes.Error,
            Error = "CacheLimitError",
            Body = System.Text.Encoding.UTF8.GetBytes(body.ToJsonString(SnippetJson.Options)),
        };
    }
}
