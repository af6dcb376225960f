using Microsoft.Extensions.Logging;

namespace Granary.Tenants;

/// <summary>Finds the master key of the secrets: the configured one, or on an embedded host the one it generated for itself.</summary>
public static partial class SecretKeys
{
    /// <summary>
    /// Makes the protector. With no <see cref="SecretsOptions.MasterKey"/>, the key is read from (or, at the first
    /// start, generated into) <c>{storagePath}/secrets.key</c>, readable by the silo's user only; in a
    /// <paramref name="cluster"/> (whose silos must share the key) there is then no key, and secrets are refused.
    /// </summary>
    public static SecretProtector CreateProtector(SecretsOptions options, string storagePath, ILogger logger, bool cluster = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        var previous = options.PreviousKeyList().Select(k => SecretProtector.ParseKey(k)!);
        if (SecretProtector.ParseKey(options.MasterKey) is { } configured)
        {
            return new SecretProtector(configured, previous);
        }

        if (cluster)
        {
            LogNoClusterKey(logger);
            return SecretProtector.WithoutKey(previous);
        }

        var file = Path.Combine(Path.GetFullPath(storagePath), SecretsOptions.KeyFileName);
        if (File.Exists(file))
        {
            return new SecretProtector(SecretProtector.ParseKey(File.ReadAllText(file))
                ?? throw new InvalidOperationException($"The secrets master key file '{file}' does not hold a 32-byte base64 key; restore it from a backup or set Granary:Secrets:MasterKey."), previous);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var options0600 = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options0600.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(file, options0600))
        {
            writer.Write(Convert.ToBase64String(key));
        }

        LogGenerated(logger, file);
        return new SecretProtector(key, previous);
    }

    [LoggerMessage(EventId = 2461, Level = LogLevel.Warning, Message = "No Granary:Secrets:MasterKey: tenant secrets cannot be stored in this cluster until it is set, the same on every silo")]
    private static partial void LogNoClusterKey(ILogger logger);

    [LoggerMessage(EventId = 2460, Level = LogLevel.Warning, Message = "Generated the master key of tenant secrets at {Path}: back it up with the data (secrets cannot be read without it), or set Granary:Secrets:MasterKey")]
    private static partial void LogGenerated(ILogger logger, string path);
}
