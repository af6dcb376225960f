using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Granary.Silo.Hosting;

/// <summary>
/// Validates an options class by its data annotations and reports every failure with the full
/// configuration key (<c>Granary:Limits:MaxConcurrency: …</c>), so the message names the setting to fix.
/// </summary>
public sealed class SectionValidator<TOptions>(string section) : IValidateOptions<TOptions>
    where TOptions : class
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TOptions options) => SectionValidation.Check(section, options);
}

/// <summary>Data-annotation validation whose messages name the configuration key.</summary>
public static class SectionValidation
{
    /// <summary>Validates an instance and returns the failures, each naming its key.</summary>
    public static ValidateOptionsResult Check(string section, object options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            return ValidateOptionsResult.Success;
        }

        return ValidateOptionsResult.Fail(results.Select(r =>
            $"{section}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
    }

    /// <summary>Throws for a setting that may be left unset on one machine but that a cluster needs, naming it.</summary>
    public static OptionsValidationException RequiredInACluster<TOptions>(string section, string setting, string what) =>
        new(section, typeof(TOptions), [$"{section}:{setting}: a cluster needs {what}."]);

    /// <summary>Validates an instance bound before the host exists and throws with every failure.</summary>
    public static TOptions Require<TOptions>(string section, TOptions options)
        where TOptions : class
    {
        var result = Check(section, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(section, typeof(TOptions), result.Failures);
        }

        return options;
    }
}
