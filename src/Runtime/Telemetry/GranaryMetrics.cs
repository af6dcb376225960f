using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Granary.Runtime.Telemetry;

/// <summary>
/// Granary's meter (<c>Granary</c>) and its instruments: one static meter for the process, as .NET's own libraries
/// have, so a call records without looking anything up. Names follow OpenTelemetry's FaaS conventions where they have
/// one (<c>faas.invocations</c>, <c>faas.errors</c>, <c>faas.timeouts</c>, <c>faas.coldstarts</c>,
/// <c>faas.invoke_duration</c>, <c>faas.init_duration</c>) and Granary's own (<c>granary.*</c>) for the rest. Durations
/// are in seconds, in explicit buckets from 1 ms to 60 s. With no listener (metrics off) recording costs a field read.
/// The counts a silo already keeps (its function activations, isolates and workers) are read when a reader collects,
/// from the sources registered with <see cref="Observe{T}"/>: one silo per process in production, summed when a test
/// runs several in one.
/// </summary>
public static class GranaryMetrics
{
    /// <summary>The meter's name, to add to a meter provider.</summary>
    public const string MeterName = "Granary";

    /// <summary>The tag of the function's tenant.</summary>
    public const string TenantTag = "granary.tenant";

    /// <summary>The tag of the function's workspace.</summary>
    public const string WorkspaceTag = "granary.workspace";

    /// <summary>The tag of the function's name (OpenTelemetry's <c>faas.name</c>).</summary>
    public const string FunctionTag = "faas.name";

    /// <summary>The tag of an invocation's outcome (<c>InvocationOutcomes</c>) on <c>faas.errors</c>.</summary>
    public const string OutcomeTag = "granary.outcome";

    /// <summary>The tag of who refused a throttled call: <c>tenant</c> (its quotas) or <c>function</c> (its queue was full).</summary>
    public const string ThrottleTag = "granary.throttle";

    /// <summary>The tag of a runtime (<c>javascript</c>, <c>python</c>, <c>node</c>) on pool metrics.</summary>
    public const string RuntimeTag = "granary.runtime";

    /// <summary>The tag of a storage operation (<c>read</c>, <c>write</c>, <c>clear</c>).</summary>
    public const string OperationTag = "granary.operation";

    /// <summary>The bucket boundaries of every duration histogram, in seconds: 1 ms to 60 s.</summary>
    public static IReadOnlyList<double> DurationBuckets { get; } = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private static readonly Meter s_meter = new(MeterName, typeof(GranaryMetrics).Assembly.GetName().Version?.ToString());
    private static readonly ConcurrentDictionary<SourceKey, Func<IEnumerable<Measurement<long>>>> s_sources = new();
    private static long s_isolates;

    /// <summary>Every call a function was asked to serve, whatever it answered (throttled calls included).</summary>
    public static Counter<long> Invocations { get; } = s_meter.CreateCounter<long>("faas.invocations", "{invocation}", "Invocations of functions, whatever their outcome");

    /// <summary>Calls whose function failed: it threw, ran out of memory or could not load.</summary>
    public static Counter<long> Errors { get; } = s_meter.CreateCounter<long>("faas.errors", "{invocation}", "Invocations that failed (granary.outcome: error, memory-limit, load-error)");

    /// <summary>Calls stopped at their function's timeout.</summary>
    public static Counter<long> Timeouts { get; } = s_meter.CreateCounter<long>("faas.timeouts", "{invocation}", "Invocations stopped at the function's timeout");

    /// <summary>Calls refused with 429, by the tenant's quotas or the function's full queue.</summary>
    public static Counter<long> Throttled { get; } = s_meter.CreateCounter<long>("granary.throttled", "{invocation}", "Invocations refused with 429 (granary.throttle: tenant quota or function queue)");

    /// <summary>Calls that waited for the function to load or for a new instance of it.</summary>
    public static Counter<long> ColdStarts { get; } = s_meter.CreateCounter<long>("faas.coldstarts", "{coldstart}", "Invocations that waited for a cold start");

    /// <summary>How long functions ran.</summary>
    public static Histogram<double> InvokeDuration { get; } = Seconds("faas.invoke_duration", "How long functions ran, per invocation");

    /// <summary>How long cold starts took (activation, or a new instance's load).</summary>
    public static Histogram<double> InitDuration { get; } = Seconds("faas.init_duration", "How long a cold start took to load the function");

    /// <summary>How long calls waited for a free instance of their function.</summary>
    public static Histogram<double> QueueWait { get; } = Seconds("granary.queue_wait", "How long invocations waited for a free instance of their function");

    /// <summary>Instances started ahead of need or on demand: V8 isolates and worker processes.</summary>
    public static Counter<long> PoolSpawns { get; } = s_meter.CreateCounter<long>("granary.pool.spawns", "{instance}", "V8 isolates and worker processes started (granary.runtime)");

    /// <summary>Grain storage operations that failed (an outage: a 503 to the caller).</summary>
    public static Counter<long> StorageFailures { get; } = s_meter.CreateCounter<long>("granary.storage.failures", "{operation}", "Grain storage reads, writes and clears that failed (granary.operation)");

    static GranaryMetrics()
    {
        s_meter.CreateObservableGauge("granary.isolates", static () => Interlocked.Read(ref s_isolates), "{isolate}", "V8 isolates alive in this process, warm ones included");
        s_meter.CreateObservableGauge("granary.functions.active", () => Read("active"), "{activation}", "Function activations on this silo");
        s_meter.CreateObservableGauge("granary.invocations.in_flight", () => Read("in-flight"), "{invocation}", "Invocations running or queued on this silo");
        s_meter.CreateObservableGauge("granary.workers", () => Read("workers"), "{process}", "Worker processes alive on this silo (granary.runtime: python, node)");
    }

    /// <summary>
    /// Registers something a silo counts, read as <paramref name="gauge"/> (<c>active</c>, <c>in-flight</c>,
    /// <c>workers</c>) when a reader collects, until <see cref="Forget"/>.
    /// </summary>
    public static void Observe<T>(T source, string gauge, Func<T, IEnumerable<Measurement<long>>> read)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(read);
        s_sources[new SourceKey(source, gauge)] = () => read(source);
    }

    /// <summary>Stops reading a source registered with <see cref="Observe{T}"/>.</summary>
    public static void Forget(object source, string gauge) => s_sources.TryRemove(new SourceKey(source, gauge), out _);

    /// <summary>Counts an isolate started (<paramref name="delta"/> 1) or ended (-1).</summary>
    public static void IsolateAlive(int delta)
    {
        Interlocked.Add(ref s_isolates, delta);
        if (delta > 0)
        {
            PoolSpawns.Add(1, new KeyValuePair<string, object?>(RuntimeTag, "javascript"));
        }
    }

    /// <summary>Records a duration in milliseconds on a histogram in seconds.</summary>
    public static void RecordMs(Histogram<double> histogram, double ms, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        histogram.Record(ms / 1000, tags);
    }

    // Sums what every registered source of one gauge reports, per tag set.
    private static IEnumerable<Measurement<long>> Read(string gauge)
    {
        var sums = new Dictionary<string, (long Value, KeyValuePair<string, object?>[] Tags)>(StringComparer.Ordinal);
        foreach (var (key, read) in s_sources)
        {
            if (key.Gauge != gauge)
            {
                continue;
            }

            foreach (var measurement in read())
            {
                var tags = measurement.Tags.ToArray();
                var id = string.Join(',', tags.Select(t => $"{t.Key}={t.Value}"));
                var before = sums.TryGetValue(id, out var sum) ? sum.Value : 0;
                sums[id] = (before + measurement.Value, tags);
            }
        }

        return sums.Count == 0 && gauge != "workers" ? [new Measurement<long>(0)] : sums.Values.Select(s => new Measurement<long>(s.Value, s.Tags));
    }

    private static Histogram<double> Seconds(string name, string description) =>
        s_meter.CreateHistogram(name, "s", description, tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    private sealed record SourceKey(object Source, string Gauge)
    {
        public bool Equals(SourceKey? other) => other is not null && ReferenceEquals(Source, other.Source) && Gauge == other.Gauge;

        public override int GetHashCode() => HashCode.Combine(RuntimeHelpersHash(Source), Gauge);

        private static int RuntimeHelpersHash(object o) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(o);
    }
}
