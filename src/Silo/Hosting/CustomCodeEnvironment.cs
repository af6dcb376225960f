using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Granary.Silo.Hosting;

/// <summary>
/// Reads the Custom Code service's environment variables (<c>FUNCTIONS_RUN_TIMEOUT</c>, <c>REQUEST_MAX_SIZE</c>, …)
/// as the Granary settings they correspond to, so that a deployment of that service keeps its configuration.
/// It is the lowest-precedence source: Granary's own names (<c>Granary__Workspaces__RunTimeoutMs</c>, appsettings,
/// the command line) win over them. <c>PORT</c> is read by the gateway directly.
/// </summary>
public sealed partial class CustomCodeEnvironment : ConfigurationProvider, IConfigurationSource
{
    private readonly IDictionary? _variables;

    /// <summary>Reads the process's environment.</summary>
    public CustomCodeEnvironment()
    {
    }

    /// <summary>Reads the given variables instead of the process's environment (for tests).</summary>
    public CustomCodeEnvironment(IDictionary variables) => _variables = variables;

    /// <summary>Gets each of the Custom Code service's variables and the Granary setting it sets.</summary>
    public static IReadOnlyList<(string Variable, string Setting)> Mappings { get; } =
    [
        ("FUNCTIONS_RUN_TIMEOUT", "Granary:Workspaces:RunTimeoutMs"),
        ("PYTHON_FUNCTIONS_RUN_TIMEOUT", "Granary:Workspaces:PythonRunTimeoutMs"),
        ("FUNCTIONS_WORKERS_MAX_LRU", "Granary:Limits:MaxActiveFunctions"),
        ("NODE_BUILTIN_MODULES", "Granary:JavaScript:AllowedBuiltinModules"),
        ("NODE_WORKER_MAX_OLD_GENERATION_SIZE_MB", "Granary:Workspaces:MemoryLimitMb"),
        ("INACTIVE_NODE_WORKER_DELETION_TIMEOUT", "Granary:Workspaces:IdleTimeoutSeconds"),
        ("REQUEST_MAX_SIZE", "Granary:Limits:MaxRequestBodyBytes"),
        ("FUNCTIONS_STORAGE_FILESYSTEM_DIRPATH", "Granary:Storage:Path"),
    ];

    /// <inheritdoc />
    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    /// <inheritdoc />
    public override void Load()
    {
        var variables = _variables ?? Environment.GetEnvironmentVariables();
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (variable, setting) in Mappings)
        {
            if (variables[variable] is not string { Length: > 0 } value)
            {
                continue;
            }

            data[setting] = variable switch
            {
                "REQUEST_MAX_SIZE" => ParseSize(value)?.ToString(CultureInfo.InvariantCulture)
                    ?? throw new InvalidOperationException($"REQUEST_MAX_SIZE: '{value}' is not a size; use a number of bytes or a unit as in 1mb, 512kb, 20mb."),
                "NODE_BUILTIN_MODULES" => string.Join(',', value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
                _ => value.Trim(),
            };
        }

        Data = data;
    }

    /// <summary>Parses a size the way the Custom Code service's body parser does: bytes, or a number with b, kb, mb, gb, tb or pb (1024-based).</summary>
    public static long? ParseSize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = SizePattern().Match(text.Trim());
        if (!match.Success || !double.TryParse(match.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        var unit = match.Groups[2].Value.ToLowerInvariant() switch
        {
            "" or "b" => 1L,
            "kb" => 1L << 10,
            "mb" => 1L << 20,
            "gb" => 1L << 30,
            "tb" => 1L << 40,
            _ => 1L << 50,
        };
        return (long)Math.Floor(number * unit);
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|pb)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SizePattern();
}
