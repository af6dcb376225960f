using System.Globalization;
using System.Text;
using Granary.Functions;

namespace Granary.Runtime.Signatures.Kyma;

/// <summary>
/// The metrics Kyma's Node runtime serves at <c>GET /metrics</c> of a function (OpenTelemetry's Prometheus
/// exporter): calls, failures and a duration histogram, labelled with the function name. Counted per activation,
/// as Kyma counts them per pod.
/// </summary>
internal static class KymaMetrics
{
    public static bool IsRequest(InvocationRequest request) => request.Method == "GET" && request.Path == "/metrics";

    public static ExecutionResult Respond(FunctionMetrics metrics, string function)
    {
        var label = $"otel_scope_name=\"{function.Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
        var counts = metrics.Read();
        var bounds = FunctionMetrics.BucketBounds;
        var text = new StringBuilder();
        text.Append("# HELP function_calls_total Number of calls to user function\n# TYPE function_calls_total counter\n");
        text.Append(CultureInfo.InvariantCulture, $"function_calls_total{{{label}}} {counts.Calls}\n");
        text.Append("# HELP function_failures_total Number of exceptions in user function\n# TYPE function_failures_total counter\n");
        text.Append(CultureInfo.InvariantCulture, $"function_failures_total{{{label}}} {counts.Failures}\n");
        text.Append("# HELP function_duration_miliseconds Duration of user function in milliseconds\n# TYPE function_duration_miliseconds histogram\n");
        long cumulative = 0;
        for (var i = 0; i < bounds.Count; i++)
        {
            cumulative += counts.Buckets[i];
            text.Append(CultureInfo.InvariantCulture, $"function_duration_miliseconds_bucket{{{label},le=\"{bounds[i]}\"}} {cumulative}\n");
        }

        cumulative += counts.Buckets[bounds.Count];
        text.Append(CultureInfo.InvariantCulture, $"function_duration_miliseconds_bucket{{{label},le=\"+Inf\"}} {cumulative}\n");
        text.Append(CultureInfo.InvariantCulture, $"function_duration_miliseconds_sum{{{label}}} {counts.SumMs}\n");
        text.Append(CultureInfo.InvariantCulture, $"function_duration_miliseconds_count{{{label}}} {counts.Calls}\n");
        return new ExecutionResult
        {
            StatusCode = 200,
            Headers = [new HttpHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
            Body = Encoding.UTF8.GetBytes(text.ToString()),
            Outcome = InvocationOutcomes.Ok,
        };
    }
}
