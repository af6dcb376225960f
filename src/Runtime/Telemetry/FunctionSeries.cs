using System.Collections.Concurrent;
using Granary.Functions;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.Telemetry;

/// <summary>
/// The cardinality guard of a silo's function metrics: hands each function activation its tag set, at most
/// <see cref="MetricsOptions.MaxFunctionSeries"/> distinct functions per silo (counted from its start); a function first
/// seen past the cap gets its tenant's overflow set, <c>granary.workspace="_other"</c>, <c>faas.name="_other"</c>.
/// Asked once per activation, never per call.
/// </summary>
public sealed class FunctionSeries(IOptions<MetricsOptions> options)
{
    /// <summary>The workspace and function name of the overflow series.</summary>
    public const string Other = "_other";

    private readonly int _max = options.Value.MaxFunctionSeries;
    private readonly ConcurrentDictionary<(string Tenant, string Workspace, string Name), FunctionSeriesTags> _known = new();
    private readonly ConcurrentDictionary<string, FunctionSeriesTags> _overflow = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Gets how many functions have series of their own on this silo.</summary>
    public int Count => _known.Count;

    /// <summary>Gets the metrics of a function: its own series, or its tenant's overflow series past the cap.</summary>
    public FunctionSeriesTags For(FunctionId id)
    {
        var key = (id.Tenant, id.Workspace, id.Name);
        if (_known.TryGetValue(key, out var known))
        {
            return known;
        }

        lock (_gate)
        {
            if (_known.TryGetValue(key, out known))
            {
                return known;
            }

            if (_known.Count < _max)
            {
                return _known[key] = new FunctionSeriesTags(id.Tenant, id.Workspace, id.Name);
            }
        }

        return _overflow.GetOrAdd(id.Tenant, static tenant => new FunctionSeriesTags(tenant, Other, Other));
    }
}
