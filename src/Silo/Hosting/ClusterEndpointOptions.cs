using System.ComponentModel.DataAnnotations;

namespace Granary.Silo.Hosting;

/// <summary>The Orleans identity and ports of a silo (configuration section <c>Granary:Cluster</c>).</summary>
public sealed class ClusterEndpointOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Granary:Cluster";

    /// <summary>Gets or sets the port silos talk to each other on.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Gets or sets the port Orleans clients (other .NET services) connect to.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Gets or sets the Orleans service id; every silo and client of one deployment shares it.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ServiceId { get; set; } = "granary";

    /// <summary>Gets or sets the Orleans cluster id; every silo and client of one deployment shares it.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ClusterId { get; set; } = "granary";
}
