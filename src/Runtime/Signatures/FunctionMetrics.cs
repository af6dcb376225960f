namespace Granary.Runtime.Signatures;

/// <summary>
/// What one function version counts on one activation: its calls, their failures and a histogram of their durations.
/// A signature decides whether to count a run (<see cref="IFunctionSignature.Finish"/>) and how to name and serve the
/// counts (Kyma's <c>GET /metrics</c>).
/// </summary>
public sealed class FunctionMetrics
{
    private static readonly double[] s_bounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
    private readonly Lock _gate = new();
    private readonly long[] _buckets = new long[s_bounds.Length + 1];
    private long _calls;
    private long _failures;
    private double _sum;

    /// <summary>Gets the upper bounds of the duration histogram's buckets, in milliseconds (a last bucket takes the rest).</summary>
    public static IReadOnlyList<double> BucketBounds => s_bounds;

    /// <summary>Counts one run.</summary>
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

    /// <summary>Reads every count at one moment.</summary>
    internal Snapshot Read()
    {
        lock (_gate)
        {
            return new Snapshot(_calls, _failures, _sum, [.. _buckets]);
        }
    }

    /// <summary>The counts at one moment.</summary>
    /// <param name="Calls">How many runs were counted.</param>
    /// <param name="Failures">How many of them failed.</param>
    /// <param name="SumMs">Their durations added up.</param>
    /// <param name="Buckets">How many runs fell in each bucket of <see cref="BucketBounds"/> (not cumulative), then the rest.</param>
    internal sealed record Snapshot(long Calls, long Failures, double SumMs, long[] Buckets);
}
