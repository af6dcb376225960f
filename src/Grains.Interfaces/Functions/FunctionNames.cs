using System.Text.RegularExpressions;

namespace Granary.Functions;

/// <summary>The naming rules of tenants, workspaces and functions.</summary>
public static partial class FunctionNames
{
    /// <summary>Gets whether a tenant or workspace name is valid: <c>[a-z0-9][a-z0-9-]{0,39}</c>.</summary>
    public static bool IsValidScope(string? name) => name is not null && ScopePattern().IsMatch(name);

    /// <summary>Gets whether a tenant or workspace name is valid, without allocating.</summary>
    public static bool IsValidScope(ReadOnlySpan<char> name) => ScopePattern().IsMatch(name);

    /// <summary>Gets whether a function name is valid: <c>[A-Za-z][A-Za-z0-9_-]{0,62}</c>.</summary>
    public static bool IsValidFunction(string? name) => name is not null && FunctionPattern().IsMatch(name);

    /// <summary>
    /// Checks the three parts of a function id and says which one is wrong, or returns null when all are valid.
    /// </summary>
    public static string? Check(string? tenant, string? workspace, string? function)
    {
        if (CheckTenant(tenant) is { } badTenant)
        {
            return badTenant;
        }

        if (CheckWorkspace(workspace) is { } badWorkspace)
        {
            return badWorkspace;
        }

        if (function is not null && !IsValidFunction(function))
        {
            return $"The function name '{Printable(function)}' is invalid: it must match [A-Za-z][A-Za-z0-9_-]{{0,62}} (a letter, then letters, digits, '_' or '-', at most 63 characters).";
        }

        return null;
    }

    /// <summary>Checks a tenant name; returns why it is invalid, or null.</summary>
    public static string? CheckTenant(string? tenant) => IsValidScope(tenant)
        ? null
        : $"The tenant name '{Printable(tenant)}' is invalid: it must match [a-z0-9][a-z0-9-]{{0,39}} (lowercase letters, digits and '-', at most 40 characters, not starting with '-').";

    /// <summary>Checks a workspace name; returns why it is invalid, or null.</summary>
    public static string? CheckWorkspace(string? workspace) => IsValidScope(workspace)
        ? null
        : $"The workspace name '{Printable(workspace)}' is invalid: it must match [a-z0-9][a-z0-9-]{{0,39}} (lowercase letters, digits and '-', at most 40 characters, not starting with '-').";

    /// <summary>
    /// A name as it may be quoted in a message: control characters (a newline, a NUL) are shown as <c>\u000A</c>
    /// escapes so that the message stays one readable line, and very long names are cut.
    /// </summary>
    public static string Printable(string? name)
    {
        if (name is null)
        {
            return "";
        }

        var text = name.Length > 80 ? name[..80] + "…" : name;
        if (!text.Any(char.IsControl))
        {
            return text;
        }

        var builder = new System.Text.StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            builder.Append(char.IsControl(c) ? $"\\u{(int)c:X4}" : c);
        }

        return builder.ToString();
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,39}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ScopePattern();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_-]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex FunctionPattern();
}
