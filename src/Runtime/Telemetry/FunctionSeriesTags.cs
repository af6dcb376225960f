using Granary.Functions;

namespace Granary.Runtime.Telemetry;

/// <summary>
/// One function's series (<see cref="FunctionSeries"/>): its tags, made once, and what recording an invocation
/// adds. A call costs a few instrument updates with the cached tags (and a <see cref="System.Diagnostics.TagList"/> on the stack for an
/// error's outcome), no allocation.
/// </summary>
public sealed class FunctionSeriesTags
{
    private readonly KeyValuePair<string, object?>[] _tags;

    /// <summary>Creates the series of a tenant's function.</summary>
    public FunctionSeriesTags(string tenant, string workspace, string name)
    {
        _tags =
        [
            new(GranaryMetrics.TenantTag, tenant),
            new(GranaryMetrics.WorkspaceTag, workspace),
            new(GranaryMetrics.FunctionTag, name),
        ];
    }

    /// <summary>Gets the series' tags: tenant, workspace and function name.</summary>
    public ReadOnlySpan<KeyValuePair<string, object?>> Tags => _tags;

    /// <summary>
    /// Records an invocation that a function's activation answered: counted, its errors, timeouts and 429s (a full
    /// queue), its cold start and init time, and how long it waited and ran.
    /// </summary>
    public void Invoked(string outcome, bool cold, double initMs, double waitMs, double durationMs)
    {
        var tags = Tags;
        GranaryMetrics.Invocations.Add(1, tags);
        switch (outcome)
        {
            case InvocationOutcomes.Error or InvocationOutcomes.MemoryLimit or InvocationOutcomes.LoadError:
                var failed = new System.Diagnostics.TagList(tags) { { GranaryMetrics.OutcomeTag, outcome } };
                GranaryMetrics.Errors.Add(1, failed);
                break;
            case InvocationOutcomes.Timeout:
                GranaryMetrics.Timeouts.Add(1, tags);
                break;
            case InvocationOutcomes.Throttled:
                Throttled("function");
                return;
        }

        if (cold)
        {
            GranaryMetrics.ColdStarts.Add(1, tags);
            GranaryMetrics.RecordMs(GranaryMetrics.InitDuration, initMs, tags);
        }

        if (outcome is not (InvocationOutcomes.LoadError or InvocationOutcomes.BadRequest))
        {
            GranaryMetrics.RecordMs(GranaryMetrics.QueueWait, waitMs, tags);
            GranaryMetrics.RecordMs(GranaryMetrics.InvokeDuration, durationMs, tags);
        }
    }

    /// <summary>Records a call the tenant's quotas refused with 429 before it reached the function.</summary>
    public void RefusedByTenant()
    {
        GranaryMetrics.Invocations.Add(1, Tags);
        Throttled("tenant");
    }

    private void Throttled(string by)
    {
        var throttled = new System.Diagnostics.TagList(Tags) { { GranaryMetrics.ThrottleTag, by } };
        GranaryMetrics.Throttled.Add(1, throttled);
    }
}
