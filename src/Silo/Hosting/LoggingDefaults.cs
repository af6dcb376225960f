using Microsoft.Extensions.Configuration.Memory;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Granary's default log levels, the lowest-precedence configuration source: the console shows start-up essentials
/// (the listening address, the data path, the admin-key notice, silos joining and leaving), warnings and errors, and
/// nothing per request. ASP.NET Core's request lines, Orleans' configuration dump and per-call placement messages,
/// and Polly's resilience lines are Information in their own libraries; here they start at Warning. Any
/// <c>Logging:LogLevel:*</c> setting (appsettings, environment variables such as <c>Logging__LogLevel__Orleans=Information</c>,
/// the command line) overrides these.
/// </summary>
public static class LoggingDefaults
{
    /// <summary>The defaults, by configuration key.</summary>
    public static IReadOnlyDictionary<string, string?> Levels { get; } = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
        ["Logging:LogLevel:Orleans"] = "Warning",
        ["Logging:LogLevel:Orleans.Runtime.MembershipService.MembershipTableManager"] = "Information",
        ["Logging:LogLevel:Polly"] = "Warning",
        ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
    };

    /// <summary>Adds <see cref="Levels"/> as the lowest-precedence configuration source.</summary>
    public static IConfigurationBuilder AddGranaryLoggingDefaults(this IConfigurationBuilder configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Levels });
        return configuration;
    }
}
