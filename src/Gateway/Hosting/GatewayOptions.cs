using System.ComponentModel.DataAnnotations;

namespace Granary.Gateway.Hosting;

/// <summary>How the HTTP gateway presents itself (configuration section <c>Granary:Gateway</c>).</summary>
public sealed class GatewayOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Granary:Gateway";

    /// <summary>The <see cref="Mode"/> in which the gateway hosts its own silo (the single-process default).</summary>
    public const string Embedded = "embedded";

    /// <summary>The <see cref="Mode"/> in which the gateway is an Orleans client of the silos of <c>Granary:Cluster</c>.</summary>
    public const string Client = "client";

    /// <summary>
    /// Gets or sets how the gateway reaches functions: <c>embedded</c> (default: it hosts a silo itself) or
    /// <c>client</c> (it runs no functions and calls the cluster's silos, found through <c>Granary:Cluster</c>),
    /// so that gateways and silos scale apart.
    /// </summary>
    public string Mode { get; set; } = Embedded;

    /// <summary>Gets a value indicating whether the gateway is a client of separate silos.</summary>
    public bool IsClient => string.Equals(Mode, Client, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Gets or sets the public base URL used to build each function's <c>url</c> (for example
    /// <c>https://functions.example.com</c>). When empty, the address the gateway listens on is used; never the request's
    /// <c>Host</c> header, which any caller chooses.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>
    /// Gets or sets the domain for host-based routing (for example <c>fn.example.com</c>): a request to
    /// <c>{function}--{workspace}--{tenant}.{FunctionsDomain}</c> reaches that function with its whole path.
    /// Unset (the default) turns host-based routing off.
    /// </summary>
    public string? FunctionsDomain { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsClient && !string.Equals(Mode, Embedded, StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult($"'{Mode}' is not a gateway mode; use '{Embedded}' or '{Client}'.", [nameof(Mode)]);
        }

        if (!string.IsNullOrEmpty(PublicUrl) && (!Uri.TryCreate(PublicUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            yield return new ValidationResult($"'{PublicUrl}' is not an absolute http(s) URL.", [nameof(PublicUrl)]);
        }

        if (!string.IsNullOrEmpty(FunctionsDomain) && Uri.CheckHostName(FunctionsDomain.Trim('.')) != UriHostNameType.Dns)
        {
            yield return new ValidationResult($"'{FunctionsDomain}' is not a DNS domain name.", [nameof(FunctionsDomain)]);
        }
    }
}
