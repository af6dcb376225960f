using System.ComponentModel.DataAnnotations;

namespace Granary.Gateway.Hosting;

/// <summary>Where functions are served (configuration section <c>Granary:Functions</c>).</summary>
public sealed class FunctionOriginOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Granary:Functions";

    /// <summary>
    /// Gets or sets a separate origin for functions (for example <c>https://fn.example.com</c>), the strong form of the
    /// origin model: functions' URLs use it, <c>/fn/…</c> is served only on its host and the management API and health
    /// are not (a function's page then shares no origin with the API or a console). Unset (the default) serves both on
    /// every host.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>Gets the host of <see cref="PublicUrl"/>, or null when unset.</summary>
    public string? Host => Uri.TryCreate(PublicUrl, UriKind.Absolute, out var uri) ? uri.Host : null;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(PublicUrl)
            && (!Uri.TryCreate(PublicUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/" || uri.Query.Length > 0))
        {
            yield return new ValidationResult($"'{PublicUrl}' is not an absolute http(s) URL without a path (for example https://fn.example.com).", [nameof(PublicUrl)]);
        }
    }
}
