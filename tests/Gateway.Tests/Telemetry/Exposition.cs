using System.Globalization;
using System.Text.RegularExpressions;

namespace Granary.Gateway.Tests.Telemetry;

/// <summary>Reads a Prometheus text exposition: the samples of a metric whose labels include the ones asked for.</summary>
public static partial class Exposition
{
    /// <summary>Sums the samples of <paramref name="metric"/> (its full name, e.g. <c>faas_invocations_total</c>) carrying every label of <paramref name="labels"/>.</summary>
    public static double Sum(string text, string metric, params (string Name, string Value)[] labels) =>
        Samples(text, metric).Where(s => labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value)).Sum(s => s.Value);

    /// <summary>Asserts the sum of <see cref="Sum"/>, failing with the metric's lines, so that a run that fails says what it scraped.</summary>
    public static void AssertSum(double expected, string text, string metric, params (string Name, string Value)[] labels)
    {
        var actual = Sum(text, metric, labels);
        if (actual != expected)
        {
            var lines = text.Split('\n').Where(l => l.StartsWith(metric, StringComparison.Ordinal));
            Xunit.Assert.Fail($"{metric}{{{string.Join(",", labels.Select(l => $"{l.Name}=\"{l.Value}\""))}}}: expected {expected}, scraped {actual}:\n{string.Join('\n', lines)}");
        }
    }

    /// <summary>Gets every sample of a metric with its labels.</summary>
    public static IEnumerable<(Dictionary<string, string> Labels, double Value)> Samples(string text, string metric)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var line in text.Split('\n'))
        {
            var match = Sample().Match(line);
            if (!match.Success || match.Groups["name"].Value != metric)
            {
                continue;
            }

            var labels = Label().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups["k"].Value, m => Regex.Unescape(m.Groups["v"].Value), StringComparer.Ordinal);
            yield return (labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Gets the names of the metric families the exposition declares (<c># TYPE name …</c>), with their samples' suffixed names.</summary>
    public static HashSet<string> Names(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                names.Add(line.Split(' ')[2]);
            }
            else if (Sample().Match(line) is { Success: true } sample)
            {
                names.Add(sample.Groups["name"].Value);
            }
        }

        return names;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( \d+)?$")]
    private static partial Regex Sample();

    [GeneratedRegex("(?<k>[a-zA-Z_][a-zA-Z0-9_]*)=\"(?<v>(?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex Label();
}
