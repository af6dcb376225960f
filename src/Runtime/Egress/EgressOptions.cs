using System.ComponentModel.DataAnnotations;

namespace Granary.Runtime.Egress;

/// <summary>
/// Where functions may open connections (configuration section <c>Granary:Egress</c>). By default a function reaches
/// public addresses only: never loopback, link-local, private or shared ranges, the cloud metadata address, or any
/// address of the machine itself. The operator widens that with <see cref="Allow"/> and narrows it per tenant with
/// <see cref="Tenants"/>.
/// </summary>
public sealed class EgressOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Granary:Egress";

    /// <summary>
    /// Gets or sets destinations functions may reach although the default policy refuses them: CIDRs
    /// (<c>10.20.0.0/16</c>), addresses (<c>10.20.0.5</c>), address and port (<c>127.0.0.1:9000</c>, <c>[::1]:9000</c>)
    /// or host name and port (<c>db.internal:5432</c>, matched on the name the function asked for). In environment
    /// form: <c>Granary__Egress__Allow__0=127.0.0.1:9000</c>.
    /// </summary>
    public List<string> Allow { get; set; } = [];

    /// <summary>
    /// Gets or sets narrower policies per tenant: <c>none</c> (no outbound connections at all) or a comma-separated
    /// list of destinations in <see cref="Allow"/>'s forms plus bare host names (<c>api.example.com</c>, any port) and
    /// wildcards (<c>*.example.com</c>). A destination must pass both the tenant's list and the silo's policy.
    /// Environment form: <c>Granary__Egress__Tenants__acme=none</c>.
    /// </summary>
    public Dictionary<string, string> Tenants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Gets or sets how long connecting to one destination may take, in seconds.</summary>
    [Range(1, 300)]
    public int ConnectTimeoutSeconds { get; set; } = 10;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < Allow.Count; i++)
        {
            if (!EgressRule.TryParse(Allow[i], allowNames: false, out _, out var error))
            {
                yield return new ValidationResult($"'{Allow[i]}' {error}", [$"{nameof(Allow)}:{i}"]);
            }
        }

        foreach (var (tenant, value) in Tenants)
        {
            if (string.Equals(value?.Trim(), "none", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var entry in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!EgressRule.TryParse(entry, allowNames: true, out _, out var error))
                {
                    yield return new ValidationResult($"'{entry}' {error}", [$"{nameof(Tenants)}:{tenant}"]);
                }
            }
        }
    }
}
