using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Granary.Functions;

namespace Granary.Runtime.Snippets;

/// <summary>
/// A workspace's Custom Code snippets turned into one CommonJS module, as the seed service gathers a workspace's
/// functions into one generated file: each snippet becomes an async function whose declared parameters are in scope
/// by name, every snippet can <c>await</c> its siblings by name, and <c>cache</c> is the workspace's shared memory.
/// The module exports <see cref="Export"/>, which the <c>snippets</c> signature adapter runs.
/// </summary>
public sealed partial class SnippetModule
{
    /// <summary>The export the generated module offers the adapter.</summary>
    public const string Export = "__snippets";

    /// <summary>
    /// The comment that ends a module whose snippets mention <c>cache</c>: only such modules get the workspace cache
    /// with each run, so the others cost no call to the workspace grain.
    /// </summary>
    public const string UsesCacheMarker = "// granary:uses-cache";

    /// <summary>How deep snippets may call each other before the call fails.</summary>
    public const int MaxCallDepth = 64;

    private static readonly FrozenSet<string> s_allowedFields = FrozenSet.Create("code", "parameters", "language");
    private static readonly FrozenSet<string> s_types = FrozenSet.Create("string", "number", "integer", "boolean", "object", "array", "null");
    private static readonly FrozenSet<string> s_reserved = FrozenSet.Create(
        "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum", "export",
        "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null", "return", "super",
        "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield", "let", "static",
        "implements", "interface", "package", "private", "protected", "public", "await", "async", "arguments", "eval",
        "cache", "require", "module", "exports", "console", "undefined");

    private readonly List<(string Function, int FirstLine, int LastLine)> _lines;

    private SnippetModule(string code, List<(string Function, int FirstLine, int LastLine)> lines)
    {
        Code = code;
        _lines = lines;
    }

    /// <summary>Gets the generated module source.</summary>
    public string Code { get; }

    /// <summary>
    /// Validates a workspace body's <c>functions</c> map the way the seed service's OpenAPI validation does and
    /// generates the module. Returns the module, or the error to answer with.
    /// </summary>
    public static (SnippetModule? Module, SnippetError? Error) Create(JsonObject functions)
    {
        ArgumentNullException.ThrowIfNull(functions);
        var code = new StringBuilder();
        var specs = new JsonObject();
        var bodies = new StringBuilder();
        var lines = new List<(string, int, int)>();
        var usesCache = false;
        foreach (var (name, value) in functions)
        {
            var path = $"request/body/functions/{name}";
            if (!FunctionPattern().IsMatch(name) || name.StartsWith("__", StringComparison.Ordinal))
            {
                return (null, Invalid($"{path} must match pattern \"^[A-Za-z_$][A-Za-z0-9_$-]*$\" and not start with \"__\""));
            }

            if (value is not JsonObject definition)
            {
                return (null, Invalid($"{path} must be object"));
            }

            foreach (var (field, _) in definition)
            {
                if (!s_allowedFields.Contains(field))
                {
                    return (null, Invalid($"{path}/{field} must NOT have additional properties"));
                }
            }

            if (definition["code"] is not JsonValue codeValue || !codeValue.TryGetValue<string>(out var body))
            {
                return (null, Invalid(definition["code"] is null ? $"{path} must have required property 'code'" : $"{path}/code must be string"));
            }

            var language = definition["language"] is JsonValue languageValue && languageValue.TryGetValue<string>(out var l) ? l : definition["language"] is null ? FunctionRuntimes.NodeJs : null;
            if (language is not (FunctionRuntimes.NodeJs or "python"))
            {
                return (null, Invalid($"{path}/language must be equal to one of the allowed values: nodejs, python"));
            }

            if (language == "python")
            {
                return (null, new SnippetError("RequestValidationError", $"{path}/language: Python snippets need the Python runtime, which this Granary does not have yet."));
            }

            var (spec, paramError) = Parameters(path, definition["parameters"]);
            if (paramError is not null)
            {
                return (null, paramError);
            }

            specs[name] = spec;
            var names = spec!["params"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();
            bodies.Append("__bodies[").Append(JsonSerializer.Serialize(name)).Append("] = async function ({ ")
                .Append(string.Join(", ", names)).Append(" } = {}) {\n");
            usesCache |= CachePattern().IsMatch(body);
            var bodyLines = body.Split('\n').Length;
            lines.Add((name, 0, bodyLines));
            bodies.Append(body).Append("\n};\n");
        }

        code.Append("let cache = {};\nlet __depth = 0;\n");
        code.Append("const __specs = ").Append(specs.ToJsonString()).Append(";\n");
        code.Append("const __bodies = Object.create(null);\n");
        code.Append("async function __call(name, parameters) {\n");
        code.Append("  const spec = __specs[name];\n");
        code.Append("  if (!spec) throw new ReferenceError(`${name} is not a function of this workspace`);\n");
        code.Append(System.Globalization.CultureInfo.InvariantCulture, $"  if (__depth >= {MaxCallDepth}) throw new RangeError(`Maximum function call depth of {MaxCallDepth} exceeded calling '${{name}}'`);\n");
        code.Append("  const args = Object.assign({}, spec.defaults, parameters === undefined || parameters === null ? {} : parameters);\n");
        code.Append("  __depth++;\n  try { return await __bodies[name](args); } finally { __depth--; }\n}\n");
        foreach (var (name, _) in functions)
        {
            if (IdentifierPattern().IsMatch(name) && !s_reserved.Contains(name))
            {
                code.Append("async function ").Append(name).Append("(parameters) { return __call(").Append(JsonSerializer.Serialize(name)).Append(", parameters); }\n");
            }
        }

        // Record where each body starts, now that the prelude's length is known.
        var line = code.ToString().Split('\n').Length;
        for (var i = 0; i < lines.Count; i++)
        {
            var (function, _, count) = lines[i];
            lines[i] = (function, line + 1, line + count);
            line += count + 2;
        }

        code.Append(bodies);
        code.Append("module.exports.").Append(Export).Append(" = { specs: __specs, call: __call, setCache(c) { cache = c; } };\n");
        if (usesCache)
        {
            code.Append(UsesCacheMarker).Append('\n');
        }

        return (new SnippetModule(code.ToString(), lines), null);
    }

    /// <summary>
    /// Says which snippet a compile or load error of the module comes from, with the line in that snippet
    /// (an error past a snippet's last line, such as an unclosed bracket, is put at its end).
    /// </summary>
    public SnippetError Describe(CodeError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var kind = error.Kind == CodeErrorKinds.Compile ? "CompilationError" : "LoadError";
        if (error.Line is { } line && _lines.LastOrDefault(l => l.FirstLine - 1 <= line) is { Function: not null } owner)
        {
            var inSnippet = Math.Clamp(line - owner.FirstLine + 1, 1, Math.Max(1, owner.LastLine - owner.FirstLine + 1));
            var details = new JsonObject { ["function"] = owner.Function, ["line"] = inSnippet };
            if (error.Column is { } column && line >= owner.FirstLine && line <= owner.LastLine)
            {
                details["column"] = column;
            }

            return new SnippetError(kind, $"{error.Message} (function '{owner.Function}', line {inSnippet})", details);
        }

        return new SnippetError(kind, error.Message);
    }

    private static (JsonObject? Spec, SnippetError? Error) Parameters(string path, JsonNode? parameters)
    {
        var names = new JsonArray();
        var types = new JsonObject();
        var defaults = new JsonObject();
        if (parameters is not null and not JsonObject)
        {
            return (null, Invalid($"{path}/parameters must be object"));
        }

        foreach (var (name, value) in parameters as JsonObject ?? [])
        {
            if (!IdentifierPattern().IsMatch(name) || s_reserved.Contains(name))
            {
                return (null, Invalid($"{path}/parameters/{name}: the parameter name must be a JavaScript identifier that is not a reserved word"));
            }

            if (value is not JsonObject parameter)
            {
                return (null, Invalid($"{path}/parameters/{name} must be object"));
            }

            var type = parameter["type"];
            var allowed = type switch
            {
                null => [],
                JsonValue single when single.TryGetValue<string>(out var t) => [t],
                JsonArray many => many.Select(t => t is JsonValue v && v.TryGetValue<string>(out var s) ? s : "?").ToArray(),
                _ => new[] { "?" },
            };
            if (allowed.Any(t => !s_types.Contains(t)))
            {
                return (null, Invalid($"{path}/parameters/{name}/type must be one of: {string.Join(", ", s_types)}"));
            }

            names.Add(name);
            if (allowed.Length > 0)
            {
                types[name] = new JsonArray([.. allowed.Select(t => (JsonNode)t)]);
            }

            if (parameter.TryGetPropertyValue("default", out var fallback))
            {
                defaults[name] = fallback?.DeepClone();
            }
        }

        return (new JsonObject { ["params"] = names, ["types"] = types, ["defaults"] = defaults }, null);
    }

    private static SnippetError Invalid(string message) => new("RequestValidationError", message);

    [GeneratedRegex("^[A-Za-z_$][A-Za-z0-9_$-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex FunctionPattern();

    [GeneratedRegex("^[A-Za-z_$][A-Za-z0-9_$]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex(@"(?<![A-Za-z0-9_$])cache(?![A-Za-z0-9_$])", RegexOptions.CultureInvariant)]
    private static partial Regex CachePattern();
}
