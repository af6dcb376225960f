using System.Text;
using System.Text.RegularExpressions;

namespace Granary.Functions;

/// <summary>Checks a <see cref="FunctionSpec"/> against the naming rules and the configured limits.</summary>
public static partial class FunctionSpecValidator
{
    /// <summary>Returns every problem with the spec, each naming the field; empty when the spec is valid.</summary>
    /// <param name="spec">The spec.</param>
    /// <param name="limits">The configured limits.</param>
    /// <param name="snippets">Whether the spec is a workspace's generated snippets module (only the workspace grain deploys those).</param>
    public static IReadOnlyList<string> Validate(FunctionSpec spec, FunctionLimits limits, bool snippets = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(limits);
        var errors = new List<string>();
        if (!FunctionRuntimes.All.Contains(spec.Runtime))
        {
            errors.Add($"runtime: '{spec.Runtime}' is not supported; use one of: {string.Join(", ", FunctionRuntimes.All)}.");
        }

        if (string.IsNullOrWhiteSpace(spec.Code))
        {
            errors.Add("code: must not be empty.");
        }
        else if (Encoding.UTF8.GetByteCount(spec.Code) > limits.MaxCodeBytes)
        {
            errors.Add($"code: is larger than the limit of {limits.MaxCodeBytes} bytes.");
        }

        if (!IdentifierPattern().IsMatch(spec.Handler ?? ""))
        {
            errors.Add($"handler: '{spec.Handler}' is not a valid export name (a letter, '_' or '$', then letters, digits, '_', '$' or '-').");
        }

        if (!FunctionSignatures.All.Contains(spec.Signature) && !(snippets && spec.Signature == FunctionSignatures.Snippets))
        {
            errors.Add($"signature: '{spec.Signature}' is not supported; use one of: {string.Join(", ", FunctionSignatures.All)}.");
        }

        CheckRange(errors, "timeoutSeconds", spec.TimeoutSeconds, 1, limits.MaxTimeoutSeconds);
        CheckRange(errors, "memoryLimitMb", spec.MemoryLimitMb, 16, limits.MaxMemoryLimitMb);
        CheckRange(errors, "idleTimeoutSeconds", spec.IdleTimeoutSeconds, 1, limits.MaxIdleTimeoutSeconds);
        CheckRange(errors, "maxConcurrency", spec.MaxConcurrency, 1, limits.MaxConcurrency);
        CheckRange(errors, "maxInstances", spec.MaxInstances, 1, limits.MaxInstances);
        if (spec.Runtime == FunctionRuntimes.Python && spec.Dependencies is { Count: > 0 })
        {
            errors.Add("dependencies: npm packages are for nodejs functions; a python function lists its packages in requirements.");
        }

        if (spec.Runtime != FunctionRuntimes.Python && !spec.Requirements.IsDefaultOrEmpty)
        {
            errors.Add("requirements: pip requirements are for python functions; a nodejs function lists its npm packages in dependencies.");
        }

        if (!FunctionIsolations.All.Contains(spec.Isolation ?? ""))
        {
            errors.Add($"isolation: '{FunctionNames.Printable(spec.Isolation ?? "")}' is not an isolation; use one of: {string.Join(", ", FunctionIsolations.All)}.");
        }
        else if (spec.Isolation == FunctionIsolations.Process && spec.Runtime == FunctionRuntimes.Python)
        {
            errors.Add("isolation: 'process' is for nodejs functions; python functions always run in worker processes.");
        }

        if (spec.Module is not null && !FunctionModules.All.Contains(spec.Module))
        {
            errors.Add($"module: '{FunctionNames.Printable(spec.Module)}' is not a module system; use one of: {string.Join(", ", FunctionModules.All)} (or leave it out to detect it from the code).");
        }
        else if (spec.Module is not null && spec.Runtime == FunctionRuntimes.Python)
        {
            errors.Add("module: applies to nodejs functions; a python function is a Python module.");
        }

        foreach (var name in (spec.Env ?? []).Keys)
        {
            if (!IsVariableName(name))
            {
                errors.Add($"env: '{FunctionNames.Printable(name)}' is not a valid variable name ([A-Za-z_][A-Za-z0-9_]*).");
            }
        }

        if (!Tenants.FunctionAccess.All.Contains(spec.Access))
        {
            errors.Add($"access: '{FunctionNames.Printable(spec.Access)}' is not an access; use one of: {string.Join(", ", Tenants.FunctionAccess.All)}.");
        }

        var secrets = spec.Secrets.IsDefault ? [] : spec.Secrets;
        foreach (var name in secrets)
        {
            if (!IsVariableName(name))
            {
                errors.Add($"secrets: '{FunctionNames.Printable(name)}' is not a valid secret name ([A-Za-z_][A-Za-z0-9_]*).");
            }
            else if (spec.Env?.ContainsKey(name) == true)
            {
                errors.Add($"secrets: '{name}' is also set in env; a variable comes from one or the other.");
            }
        }

        if (secrets.Distinct(StringComparer.Ordinal).Count() != secrets.Length)
        {
            errors.Add("secrets: a secret is named more than once.");
        }

        (spec.SecurityHeaders ?? SecurityHeaders.Default).Validate(errors);

        return errors;
    }

    /// <summary>Gets whether a name is a valid environment variable (and so secret) name: <c>[A-Za-z_][A-Za-z0-9_]{0,127}</c>.</summary>
    public static bool IsVariableName(string? name) => name is not null && EnvNamePattern().IsMatch(name);

    private static void CheckRange(List<string> errors, string field, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{field}: {value} is out of range; it must be between {min} and {max}.");
        }
    }

    // A JavaScript identifier, or a Functions Framework registered name (which may contain '-').
    [GeneratedRegex(@"^[A-Za-z_$][A-Za-z0-9_$-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex EnvNamePattern();
}
