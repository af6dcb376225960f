using Granary.Functions;

namespace Granary.Gateway.Serve;

/// <summary>
/// The settings of single-function mode, from flags and environment variables with the Functions Framework's
/// precedence: a flag wins over its variable (and code that registers the function wins over both).
/// </summary>
internal sealed record ServeOptions(string Source, string Target, string Signature, int Port, int TimeoutSeconds, int MemoryLimitMb)
{
    public const string Usage = """
        Usage: granary serve [--source <file>] [--target <export>] [--signature-type http|cloudevent|event|handler|kyma]
                             [--port <port>] [--timeout <seconds>] [--memory <MiB>]
        Environment: FUNCTION_SOURCE, FUNCTION_TARGET, FUNCTION_SIGNATURE_TYPE, PORT, CLOUD_RUN_TIMEOUT_SECONDS
        Defaults: source . (its package.json "main", else index.js), target function, signature http, port 8080, timeout 300 s, memory 512 MiB.
        """;

    /// <summary>Parses the command line and the environment, or returns the error to print.</summary>
    public static (ServeOptions? Options, string? Error) Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                return (null, $"Unexpected argument '{arg}'.");
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                flags[arg[2..equals]] = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                flags[arg[2..]] = args[++i];
            }
            else
            {
                return (null, $"The flag '{arg}' needs a value.");
            }
        }

        foreach (var name in flags.Keys)
        {
            if (name is not ("source" or "target" or "signature-type" or "port" or "timeout" or "memory"))
            {
                return (null, $"Unknown flag '--{name}'.");
            }
        }

        string Setting(string flag, string variable, string fallback) =>
            flags.TryGetValue(flag, out var value) ? value : environment(variable) is { Length: > 0 } env ? env : fallback;

        var signature = Setting("signature-type", "FUNCTION_SIGNATURE_TYPE", FunctionSignatures.Http);
        if (!FunctionSignatures.All.Contains(signature))
        {
            return (null, $"Unsupported signature type '{signature}'; use one of: {string.Join(", ", FunctionSignatures.All)}.");
        }

        if (!int.TryParse(Setting("port", "PORT", "8080"), out var port) || port is < 1 or > 65535)
        {
            return (null, "The port must be a number between 1 and 65535.");
        }

        if (!int.TryParse(Setting("timeout", "CLOUD_RUN_TIMEOUT_SECONDS", "300"), out var timeout) || timeout < 0)
        {
            return (null, "The timeout must be a number of seconds.");
        }

        if (!int.TryParse(Setting("memory", "GRANARY_MEMORY_LIMIT_MB", "512"), out var memory) || memory < 16)
        {
            return (null, "The memory limit must be a number of MiB, at least 16.");
        }

        // As in the Node framework: a directory means its package.json "main", else its index.js.
        var source = Setting("source", "FUNCTION_SOURCE", ".");
        if (Directory.Exists(source))
        {
            source = Path.Combine(source, PackageMain(source) ?? "index.js");
        }

        // A timeout of 0 means none in the Node framework; the longest Granary allows stands in for it.
        return (new ServeOptions(Path.GetFullPath(source), Setting("target", "FUNCTION_TARGET", "function"), signature, port, timeout == 0 ? 3600 : timeout, memory), null);
    }

    private static string? PackageMain(string directory)
    {
        var package = Path.Combine(directory, "package.json");
        if (!File.Exists(package))
        {
            return null;
        }

        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(package));
            return json.RootElement.TryGetProperty("main", out var main) && main.ValueKind == System.Text.Json.JsonValueKind.String ? main.GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
