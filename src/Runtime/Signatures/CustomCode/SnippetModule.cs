using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Granary.Functions;

namespace Granary.Runtime.Signatures.CustomCode;

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

    /// <summary>The text that marks a Python snippets module (<see cref="CreatePython"/>) whose snippets use <c>cache</c>.</summary>
    public const string PythonUsesCacheMarker = "\"usesCache\":true}";

    /// <summary>Gets whether a generated snippets module (of either language) uses the workspace cache.</summary>
    public static bool UsesCache(FunctionSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Signature == FunctionSignatures.Snippets && spec.Code.EndsWith(
            spec.Runtime == FunctionRuntimes.Python ? PythonUsesCacheMarker : s_usesCacheLine,
            StringComparison.Ordinal);
    }

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

    private static readonly string s_usesCacheLine = UsesCacheMarker + "\n";
    private static readonly FrozenSet<string> s_pythonReserved = FrozenSet.Create(
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
        "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or",
        "pass", "raise", "return", "try", "while", "with", "yield", "cache");

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
            var (definition, language, spec, error) = Check(name, value);
            if (error is not null)
            {
                return (null, error);
            }

            if (language is not FunctionRuntimes.NodeJs)
            {
                return (null, Invalid($"request/body/functions/{name}/language: only nodejs snippets belong in this module (use Split first)"));
            }

            var body = definition!["code"]!.GetValue<string>();
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
    /// Validates every function of a workspace body the way the seed service's OpenAPI validation does and splits
    /// them by <c>language</c>: the JavaScript ones become one module (<see cref="Create"/>), the Python ones another
    /// (<see cref="CreatePython"/>).
    /// </summary>
    public static (JsonObject NodeJs, JsonObject Python, SnippetError? Error) Split(JsonObject functions)
    {
        ArgumentNullException.ThrowIfNull(functions);
        var nodejs = new JsonObject();
        var python = new JsonObject();
        foreach (var (name, value) in functions)
        {
            var (definition, language, _, error) = Check(name, value);
            if (error is not null)
            {
                return ([], [], error);
            }

            (language == FunctionRuntimes.Python ? python : nodejs)[name] = definition!.DeepClone();
        }

        return (nodejs, python, null);
    }

    /// <summary>
    /// The module of a workspace's Python snippets: the validated functions map itself, as JSON, which the Python
    /// worker's <c>snippets</c> adapter compiles (each body parsed as the body of an <c>async def</c>, so its line
    /// numbers are the snippet's own).
    /// </summary>
    public static string CreatePython(JsonObject functions)
    {
        ArgumentNullException.ThrowIfNull(functions);
        var specs = new JsonObject();
        foreach (var (name, value) in functions)
        {
            var definition = (JsonObject)value!;
            var (spec, _) = Parameters($"request/body/functions/{name}", definition["parameters"], FunctionRuntimes.Python);
            specs[name] = new JsonObject
            {
                ["code"] = definition["code"]!.DeepClone(),
                ["parameters"] = definition["parameters"]?.DeepClone() ?? new JsonObject(),
                ["params"] = spec!["params"]!.DeepClone(),
                ["types"] = spec["types"]!.DeepClone(),
                ["defaults"] = spec["defaults"]!.DeepClone(),
            };
        }

        // Read by the function grain, which fetches the workspace cache only for modules that use it.
        var usesCache = functions.Any(f => CachePattern().IsMatch(f.Value!["code"]!.GetValue<string>()));
        return new JsonObject { ["functions"] = specs, ["usesCache"] = usesCache }.ToJsonString(SnippetJson.Options);
    }

    // One function of a workspace body, checked as the seed service's OpenAPI validation checks it: the definition,
    // its language (nodejs or python) and its parameter spec, or the first thing wrong with it.
    private static (JsonObject? Definition, string? Language, JsonObject? Spec, SnippetError? Error) Check(string name, JsonNode? value)
    {
        var path = $"request/body/functions/{name}";
        if (!FunctionPattern().IsMatch(name) || name.StartsWith("__", StringComparison.Ordinal))
        {
            return (null, null, null, Invalid($"{path} must match pattern \"^[A-Za-z_$][A-Za-z0-9_$-]*$\" and not start with \"__\""));
        }

        if (value is not JsonObject definition)
        {
            return (null, null, null, Invalid($"{path} must be object"));
        }

        foreach (var (field, _) in definition)
        {
            if (!s_allowedFields.Contains(field))
            {
                return (null, null, null, Invalid($"{path}/{field} must NOT have additional properties"));
            }
        }

        if (definition["code"] is not JsonValue codeValue || !codeValue.TryGetValue<string>(out _))
        {
            return (null, null, null, Invalid(definition["code"] is null ? $"{path} must have required property 'code'" : $"{path}/code must be string"));
        }

        var language = Language(definition);
        if (language is not (FunctionRuntimes.NodeJs or FunctionRuntimes.Python))
        {
            return (null, null, null, Invalid($"{path}/language must be equal to one of the allowed values: nodejs, python"));
        }

        if (language == FunctionRuntimes.Python && !PythonIdentifierPattern().IsMatch(name))
        {
            return (null, null, null, Invalid($"{path}: a Python function's name must be a Python identifier (letters, digits and '_')"));
        }

        var (spec, parameterError) = Parameters(path, definition["parameters"], language);
        return (definition, language, spec, parameterError);
    }

    private static string? Language(JsonObject definition) =>
        definition["language"] is JsonValue value && value.TryGetValue<string>(out var language) ? language
        : definition["language"] is null ? FunctionRuntimes.NodeJs : null;

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

    /// <summary>
    /// Describes a compile or load error of a Python snippets module. The worker compiles each snippet on its own, so
    /// the line and column are already the snippet's; the message names the snippet (<c>function 'f'</c>).
    /// </summary>
    public static SnippetError DescribePython(CodeError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var kind = error.Kind == CodeErrorKinds.Compile ? "CompilationError" : "LoadError";
        var details = new JsonObject();
        if (PythonFunctionNamePattern().Match(error.Message) is { Success: true } match)
        {
            details["function"] = match.Groups[1].Value;
        }

        if (error.Line is { } line)
        {
            details["line"] = line;
        }

        if (error.Column is { } column)
        {
            details["column"] = column;
        }

        return new SnippetError(kind, error.Message, details.Count > 0 ? details : null);
    }

    private static (JsonObject? Spec, SnippetError? Error) Parameters(string path, JsonNode? parameters, string language)
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
            if (language == FunctionRuntimes.Python
                ? !PythonIdentifierPattern().IsMatch(name) || s_pythonReserved.Contains(name)
                : !IdentifierPattern().IsMatch(name) || s_reserved.Contains(name))
            {
                var kind = language == FunctionRuntimes.Python ? "Python" : "JavaScript";
                return (null, Invalid($"{path}/parameters/{name}: the parameter name must be a {kind} identifier that is not a reserved word"));
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

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex PythonIdentifierPattern();

    [GeneratedRegex("function '([A-Za-z_][A-Za-z0-9_]*)'", RegexOptions.CultureInvariant)]
    private static partial Regex PythonFunctionNamePattern();

    [GeneratedRegex(@"(?<![A-Za-z0-9_$])cache(?![A-Za-z0-9_$])", RegexOptions.CultureInvariant)]
    private static partial Regex CachePattern();
}
