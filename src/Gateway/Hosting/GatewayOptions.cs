using System.ComponentModel.DataAnnotations;

namespace Granary.Gateway.Hosting;

/// <summary>How the HTTP gateway presents itself (configuration section <c>Granary:Gateway</c>).</summary>
public sealed class GatewayOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Granary:Gateway";

    /// <summary>
    /// Gets or sets the public base URL used to build each function's <c>url</c> (for example
    /// <c>https://functions.example.com</c>). When empty, the scheme and host of the management request are used.
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
