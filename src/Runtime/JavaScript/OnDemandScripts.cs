using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text;
using Microsoft.ClearScript;
using Microsoft.ClearScript.V8;

namespace Granary.Runtime.JavaScript;

/// <summary>
/// The large parts of the isolate's built-ins (Scripts/vendor/node-streams/, Node's streams), kept out of the bootstrap every
/// isolate runs: an isolate compiles one when its function first requires a module defined there. As the bootstrap,
/// the first compile keeps V8's code cache and every later isolate starts from it.
/// </summary>
internal static class OnDemandScripts
{
    private const string Prefix = "Granary.Runtime.JavaScript.OnDemand.";

    private static readonly Lazy<FrozenDictionary<string, string>> s_sources = new(Read);
    private static readonly ConcurrentDictionary<string, byte[]> s_codeCaches = new(StringComparer.Ordinal);

    /// <summary>Gets every on-demand script's source, by name, as an isolate compiles it.</summary>
    internal static IReadOnlyDictionary<string, string> Sources => s_sources.Value;

    /// <summary>
    /// Compiles and runs the on-demand script <paramref name="name"/> (its file name without <c>.js</c>) in
    /// <paramref name="engine"/>: the result is a function of <c>define</c> that runs the file. Null when there is none.
    /// </summary>
    public static object? Evaluate(V8ScriptEngine engine, string name)
    {
        if (!s_sources.Value.TryGetValue(name, out var code))
        {
            return null;
        }

        var document = new DocumentInfo($"node:{name}.js");
        V8Script script;
        if (s_codeCaches.TryGetValue(name, out var cache))
        {
            script = engine.Compile(document, code, V8CacheKind.Code, cache, out _);
        }
        else
        {
            script = engine.Compile(document, code, V8CacheKind.Code, out var produced);
            if (produced is { Length: > 0 })
            {
                s_codeCaches.TryAdd(name, produced);
            }
        }

        using (script)
        {
            return engine.Evaluate(script);
        }
    }

    // Each file is wrapped in a function of `define`, strict as Node's modules are; the parentheses make V8 compile it
    // (and the parenthesized module factories in it) at once, so the code cache holds them.
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
                sources[resource[Prefix.Length..^3]] = "(function (define) {\n'use strict';\n" + reader.ReadToEnd() + "\n})";
            }
        }

        return sources.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
