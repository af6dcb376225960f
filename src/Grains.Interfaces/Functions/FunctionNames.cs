using System.Text.RegularExpressions;

namespace Granary.Functions;

/// <summary>The naming rules of tenants, workspaces and functions.</summary>
public static partial class FunctionNames
{
    /// <summary>Gets whether a tenant or workspace name is valid: <c>[a-z0-9][a-z0-9-]{0,39}</c>.</summary>
    public static bool IsValidScope(string? name) => name is not null && ScopePattern().IsMatch(name);

    /// <summary>Gets whether a function name is valid: <c>[A-Za-z][A-Za-z0-9_-]{0,62}</c>.</summary>
    public static bool IsValidFunction(string? name) => name is not null && FunctionPattern().IsMatch(name);

    /// <summary>
    /// Checks the three parts of a function id and says which one is wrong, or returns null when all are valid.
    /// </summary>
    public static string? Check(string? tenant, string? workspace, string? function)
    {
        if (!IsValidScope(tenant))
        {
            return $"The tenant name '{tenant}' is invalid: it must match [a-z0-9][a-z0-9-]{{0,39}} (lowercase letters, digits and '-', at most 40 characters, not starting with '-').";
        }

        if (!IsValidScope(workspace))
        {
            return $"The workspace name '{workspace}' is invalid: it must match [a-z0-9][a-z0-9-]{{0,39}} (lowercase letters, digits and '-', at most 40 characters, not starting with '-').";
        }

        if (function is not null && !IsValidFunction(function))
        {
            return $"The function name '{function}' is invalid: it must match [A-Za-z][A-Za-z0-9_-]{{0,62}} (a letter, then letters, digits, '_' or '-', at most 63 characters).";
        }

        return null;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$", RegexOptions.CultureInvariant)]
    private static partial Regex ScopePattern();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex FunctionPattern();
}
