using System.Text;

namespace Granary.Runtime.JavaScript;

/// <summary>
/// The script every isolate runs before any function code: the parts under Scripts/, in name order,
/// wrapped in one function that receives the host bridge and returns the entry points.
/// </summary>
internal static class Bootstrap
{
    /// <summary>Gets the bootstrap source, read once from the embedded resources.</summary>
    public static string Source { get; } = Build();

    private static string Build()
    {
        var assembly = typeof(Bootstrap).Assembly;
        var parts = assembly.GetManifestResourceNames()
            .Where(n => n.Contains(".JavaScript.Scripts.", StringComparison.Ordinal) && n.EndsWith(".js", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        var source = new StringBuilder("(function granaryBootstrap(host) {\n'use strict';\n");
        foreach (var part in parts)
        {
            using var stream = assembly.GetManifestResourceStream(part)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            source.Append(reader.ReadToEnd()).Append('\n');
        }

        return source.Append("})").ToString();
    }
}
