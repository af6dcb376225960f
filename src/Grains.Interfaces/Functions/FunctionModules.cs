using System.Text.RegularExpressions;

namespace Granary.Functions;

/// <summary>
/// The module systems a JavaScript function's code may be written in (<see cref="FunctionSpec.Module"/>), and the rule
/// that picks one when the spec does not say.
/// </summary>
public static partial class FunctionModules
{
    /// <summary>CommonJS: <c>module.exports</c> and <c>require</c>, as Node runs a <c>.js</c> file.</summary>
    public const string CommonJs = "commonjs";

    /// <summary>An ECMAScript module: <c>export</c>, <c>import</c> and top-level <c>await</c>, as Node runs a <c>.mjs</c> file.</summary>
    public const string Esm = "esm";

    /// <summary>Gets every module system a spec may name.</summary>
    public static IReadOnlyList<string> All { get; } = [CommonJs, Esm];

    /// <summary>
    /// Gets the module system the code runs as: <paramref name="declared"/> when set, else <see cref="Esm"/> when a line
    /// of the code (outside block comments) begins with an <c>import</c> or <c>export</c> statement, else <see cref="CommonJs"/>.
    /// </summary>
    public static string Resolve(string? declared, string code)
    {
        if (declared is not null)
        {
            return declared;
        }

        ArgumentNullException.ThrowIfNull(code);
        return StatementPattern().IsMatch(BlockCommentPattern().Replace(code, " ")) ? Esm : CommonJs;
    }

    // `import x from`, `import {`, `import *`, `import 'side-effect'` (not `import(` or `import.meta`), and `export` of a
    // declaration, a list, `*` or `default`, each at the start of a line.
    [GeneratedRegex(@"^[ \t]*(?:import[ \t]*(?:[A-Za-z_$][\w$]*[ \t]*(?:,|from\b)|[{*]|[""'])|export[ \t]*(?:[{*]|(?:default|const|let|var|function|async|class)\b))", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex StatementPattern();

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex BlockCommentPattern();
}
