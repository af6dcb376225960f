using System.Collections.Frozen;
using System.Text;

namespace Granary.Runtime.JavaScript;

/// <summary>
/// The large parts of the isolate's built-ins (Scripts/ondemand/, Node's streams), kept out of the bootstrap every
/// isolate runs: an isolate gets one's source when its function first requires a module defined there.
/// </summary>
internal static class OnDemandScripts
{
    private const string Prefix = "Granary.Runtime.JavaScript.OnDemand.";

    private static readonly Lazy<FrozenDictionary<string, string>> s_sources = new(Read);

    /// <summary>Gets the source of the on-demand script <paramref name="name"/> (its file name without <c>.js</c>), or null.</summary>
    public static string? Source(string name) => s_sources.Value.GetValueOrDefault(name);

    private static FrozenDictionary<string, string> Read()
    {
        var assembly = typeof(OnDemandScripts).Assembly;
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (resource.StartsWith(Prefix, StringComparison.Ordinal) && resource.EndsWith(".js", StringComparison.Ordinal))
            {
                using var stream = assembly.GetManifestResourceStream(resource)!;
                using var reader = new StreamReader(stream, Encoding.UTF8);
                sources[resource[Prefix.Length..^3]] = reader.ReadToEnd();
            }
        }

        return sources.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
