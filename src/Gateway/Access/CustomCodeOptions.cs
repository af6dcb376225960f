using Granary.Functions;
using System.ComponentModel.DataAnnotations;

namespace Granary.Gateway.Access;

/// <summary>The Custom Code API's access (configuration section <c>Granary:CustomCode</c>).</summary>
public sealed class CustomCodeOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Granary:CustomCode";

    /// <summary>
    /// Gets or sets a tenant in which <c>/v2/functions</c> is served without keys, for operators who put their own
    /// authenticating gateway in front of Granary (as the Custom Code service is deployed). Off (unset) by default;
    /// the start-up log warns when it is on. It never opens <c>/api</c>.
    /// </summary>
    public string? AnonymousTenant { get; set; }

    /// <summary>
    /// Gets who calls the Custom Code API: the key's principal; with no key at all, a developer of
    /// <see cref="AnonymousTenant"/> when it is set; else nobody.
    /// </summary>
    internal ApiPrincipal? Caller(KeyCheck check) =>
        check.Principal ?? (!check.Presented && AnonymousTenant is { Length: > 0 } anonymous ? ApiPrincipal.Anonymous(anonymous) : null);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(AnonymousTenant) && FunctionNames.CheckTenant(AnonymousTenant) is { } problem)
        {
            yield return new ValidationResult(problem, [nameof(AnonymousTenant)]);
        }
    }
}
