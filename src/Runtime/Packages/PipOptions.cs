using System.ComponentModel.DataAnnotations;

namespace Granary.Runtime.Packages;

/// <summary>How the silo installs Python functions' <c>requirements</c> with pip (configuration section <c>Granary:Pip</c>).</summary>
public sealed class PipOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Granary:Pip";

    /// <summary>
    /// Gets or sets the Python interpreter that runs <c>-m pip</c>. Null (the default) uses the workers' own
    /// interpreter (<c>Granary:Python:Interpreter</c>), so that what is installed matches the Python that imports it.
    /// </summary>
    public string? Interpreter { get; set; }

    /// <summary>
    /// Gets or sets the directory installs go to: one subdirectory per distinct requirements set, plus pip's cache in
    /// <c>.cache</c>. Null (the default) means the silo sets it to <c>&lt;Granary:Storage:Path&gt;/pip</c>.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>
    /// Gets or sets the package index pip installs from (its <c>--index-url</c>, a PEP 503 "simple" index). Null uses
    /// pip's own configuration: <c>PIP_INDEX_URL</c> in the silo's environment, <c>/etc/pip.conf</c>, else PyPI.
    /// </summary>
    public string? IndexUrl { get; set; }

    /// <summary>Gets the further indexes pip may install from (its <c>--extra-index-url</c>); <c>PIP_EXTRA_INDEX_URL</c> is passed through too.</summary>
    public List<string> ExtraIndexUrls { get; } = [];

    /// <summary>
    /// Gets or sets whether pip may build packages from source distributions. Off by default: only wheels are
    /// installed (<c>--only-binary=:all:</c>), so that no package's build code runs on the silo's machine.
    /// </summary>
    public bool AllowSourceBuilds { get; set; }

    /// <summary>
    /// Gets or sets whether a requirement may name its archive by URL (<c>name @ https://…</c>). Off by default: such a
    /// URL is fetched by the silo's machine, outside any function's egress policy.
    /// </summary>
    public bool AllowDirectUrls { get; set; }

    /// <summary>Gets or sets how long one <c>pip install</c> may run before it is killed, in seconds. Defaults to 300.</summary>
    [Range(1, 3600)]
    public int InstallTimeoutSeconds { get; set; } = 300;

    /// <summary>Gets or sets how many requirement lines one function (or workspace) may declare. Defaults to 50.</summary>
    [Range(0, 1000)]
    public int MaxRequirements { get; set; } = 50;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (IndexUrl is not null && UrlProblem(IndexUrl) is { } index)
        {
            yield return new ValidationResult(index, [nameof(IndexUrl)]);
        }

        for (var i = 0; i < ExtraIndexUrls.Count; i++)
        {
            if (UrlProblem(ExtraIndexUrls[i]) is { } extra)
            {
                yield return new ValidationResult(extra, [$"{nameof(ExtraIndexUrls)}:{i.ToString(System.Globalization.CultureInfo.InvariantCulture)}"]);
            }
        }

        if (Interpreter is not null && string.IsNullOrWhiteSpace(Interpreter))
        {
            yield return new ValidationResult("must not be blank; leave it unset to use Granary:Python:Interpreter.", [nameof(Interpreter)]);
        }
    }

    private static string? UrlProblem(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "file"
            ? null
            : $"'{value}' is not an absolute http, https or file URL of a package index.";
}
