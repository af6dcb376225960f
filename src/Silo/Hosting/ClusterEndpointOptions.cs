using System.ComponentModel.DataAnnotations;

namespace Granary.Silo.Hosting;

/// <summary>
/// How a silo or an Orleans client finds its cluster (configuration section <c>Granary:Cluster</c>): the membership
/// provider, the Orleans identity and the ports.
/// </summary>
public sealed class ClusterEndpointOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Granary:Cluster";

    /// <summary>The <see cref="Clustering"/> of one process on one machine (the default).</summary>
    public const string Localhost = "localhost";

    /// <summary>The <see cref="Clustering"/> whose membership table is kept in Redis.</summary>
    public const string Redis = "redis";

    /// <summary>
    /// Gets or sets the membership provider: <c>localhost</c> (default: a single silo, or clients of it on this
    /// machine) or <c>redis</c> (silos on any machines that share <see cref="RedisConnectionString"/>).
    /// </summary>
    public string Clustering { get; set; } = Localhost;

    /// <summary>Gets or sets the Redis server of the <c>redis</c> clustering, in StackExchange.Redis syntax (<c>redis:6379,password=…</c>).</summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>Gets or sets the port silos talk to each other on.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Gets or sets the port Orleans clients (gateways in client mode, other .NET services) connect to.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// Gets or sets the address this silo gives the others (an IP address or a host name resolved at start-up).
    /// Unset: the first non-loopback IPv4 address of the machine with <c>redis</c> clustering, loopback otherwise.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Gets or sets the Orleans service id; every silo and client of one deployment shares it.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ServiceId { get; set; } = "granary";

    /// <summary>Gets or sets the Orleans cluster id; every silo and client of one deployment shares it.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ClusterId { get; set; } = "granary";

    /// <summary>
    /// Gets or sets how long a silo waits for a peer to answer a liveness probe, in milliseconds (redis clustering).
    /// A peer that misses <see cref="MissedProbesLimit"/> probes in a row is suspected, and declared dead once two
    /// silos suspect it. The default suits a LAN, where an answer takes well under a millisecond.
    /// </summary>
    [Range(200, 60_000)]
    public int ProbeTimeoutMs { get; set; } = 1000;

    /// <summary>Gets or sets how many probes in a row a peer may miss before a silo suspects it (redis clustering).</summary>
    [Range(1, 10)]
    public int MissedProbesLimit { get; set; } = 2;

    /// <summary>Gets a value indicating whether membership is kept in Redis.</summary>
    public bool IsRedis => string.Equals(Clustering, Redis, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Gets the <c>maxInstances</c> of a function deployed without one: <see cref="Granary.Functions.FunctionSpec.DefaultMaxInstances"/>
    /// in a cluster, 1 on a single silo (the <c>localhost</c> clustering), where more instances would add nothing.
    /// </summary>
    public int DefaultMaxInstances => IsRedis ? Granary.Functions.FunctionSpec.DefaultMaxInstances : 1;

    /// <summary>Binds and validates the section before the host is built (clustering is chosen while building it).</summary>
    public static ClusterEndpointOptions Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return SectionValidation.Require(SectionName, configuration.GetSection(SectionName).Get<ClusterEndpointOptions>() ?? new());
    }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsRedis && !string.Equals(Clustering, Localhost, StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult($"'{Clustering}' is not a clustering; use '{Localhost}' or '{Redis}'.", [nameof(Clustering)]);
        }

        if (IsRedis && string.IsNullOrWhiteSpace(RedisConnectionString))
        {
            yield return new ValidationResult("The redis clustering needs a connection string (host:port).", [nameof(RedisConnectionString)]);
        }

        if (IsRedis && !string.IsNullOrWhiteSpace(RedisConnectionString))
        {
            string? error = null;
            try
            {
                StackExchange.Redis.ConfigurationOptions.Parse(RedisConnectionString);
            }
            catch (ArgumentException ex)
            {
                error = ex.Message;
            }

            if (error is not null)
            {
                yield return new ValidationResult($"Not a Redis connection string: {error}", [nameof(RedisConnectionString)]);
            }
        }

        if (SiloPort == GatewayPort)
        {
            yield return new ValidationResult($"The silo port and the gateway port are both {SiloPort}; they must differ.", [nameof(GatewayPort)]);
        }
    }
}
