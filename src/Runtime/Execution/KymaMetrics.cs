using System.Globalization;
using System.Text;
using Granary.Functions;

namespace Granary.Runtime.Execution;

/// <summary>
/// The metrics Kyma's Node runtime serves at <c>GET /metrics</c> of a function (OpenTelemetry's Prometheus
/// exporter): calls, failures and a duration histogram, labelled with the function name. Counted per activation,
/// as Kyma counts them per pod.
/// </summary>
internal sealed class KymaMetrics
{
    private static readonly double[] s_bounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
    private readonly Lock _gate = new();
    private readonly long[] _buckets = new long[s_bounds.Length + 1];
    private long _calls;
    private long _failures;
    private double _sum;

    public static bool IsRequest(InvocationRequest request) => request.Method == "GET" && request.Path == "/metrics";

    public void Record(double durationMs, bool failed)
    {
        lock (_gate)
        {
            _calls++;
            if (failed)
            {
                _failures++;
            }

            _sum += durationMs;
            // The first bound the duration is within, else the +Inf bucket; a loop, so a call allocates nothing.
            var bucket = 0;
            while (bucket < s_bounds.Length && !(durationMs <= s_bounds[bucket]))
            {
                bucket++;
            }

            _buckets[bucket]++;
        }
    }

    public ExecutionResult Respond(string function)
    {
        var label = $"otel_scope_name=\"{function.Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
        var text = new StringBuilder();
        lock (_gate)
        {
            text.Append("# HELP function_calls_total Number of calls to user function\n# TYPE function_calls_total counter\n");
            text.Append(CultureInfo.InvariantCulture, $"function_calls_total{{{label}}} {_calls}\n");
            text.Append("# HELP function_failures_total Number of exceptions in user function\n# TYPE function_failures_total counter\n");
            text.Append(CultureInfo.InvariantCulture, $"function_failures_total{{{label}}} {_failures}\n");
            text.Append("# HELP function_duration_miliseconds Duration of user function in milliseconds\n# TYPE function_duration_miliseconds histogram\n");
            long cumulative = 0;
            for (var i = 0; i < s_bounds.Length; i++)
            {
                cumulative += _buckets[i];
                text.Append(CultureInfo.InvariantCulture, $"function_duration_miliseconds_bucket{{{label},le=\"{s_bounds[i]}\"}} {cumulative}\n");
            }

            cumulative += _buckets[s_bounds.Length];
            text.Append(CultureInfo.InvariantCulture, $"function_duration_miliseconds_bucket{{{label},le=\"+Inf\"}} {cumulative}\n");
            text.Append(CultureInfo.InvariantCulture, $"function_duration_miliseconds_sum{{{label}}} {_sum}\n");
            text.Append(CultureInfo.InvariantCulture, $"function_duration_miliseconds_count{{{label}}} {_calls}\n");
        }

        return new ExecutionResult
        {
            StatusCode = 200,
            Headers = [new HttpHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
            Body = Encoding.UTF8.GetBytes(text.ToString()),
            Outcome = InvocationOutcomes.Ok,
        };
    }
}
