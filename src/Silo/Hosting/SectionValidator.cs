using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Granary.Silo.Hosting;

/// <summary>
/// Validates an options class by its data annotations and reports every failure with the full
/// configuration key (<c>Granary:Limits:MaxConcurrency: …</c>), so the message names the setting to fix. It validates
/// one named instance (the unnamed one by default): a class bound from several sections gets one validator each.
/// </summary>
public sealed class SectionValidator<TOptions>(string section, string? instance = null) : IValidateOptions<TOptions>
    where TOptions : class
{
    private readonly string _instance = instance ?? Options.DefaultName;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TOptions options) =>
        string.Equals(name ?? Options.DefaultName, _instance, StringComparison.Ordinal)
            ? SectionValidation.Check(section, options)
            : ValidateOptionsResult.Skip;
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
