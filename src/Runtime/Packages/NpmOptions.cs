using System.ComponentModel.DataAnnotations;

namespace Granary.Runtime.Packages;

/// <summary>How the silo installs functions' npm dependencies (configuration section <c>Granary:Npm</c>).</summary>
public sealed class NpmOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Granary:Npm";

    /// <summary>Gets or sets the npm executable, a name looked up on <c>PATH</c> or a full path. Defaults to <c>npm</c>.</summary>
    [Required]
    public string Command { get; set; } = "npm";

    /// <summary>
    /// Gets or sets the directory installs go to: one subdirectory per distinct dependency set, plus npm's
    /// cache in <c>.cache</c>. Null (the default) means the silo sets it to <c>&lt;Granary:Storage:Path&gt;/npm</c>.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>Gets or sets how long one <c>npm install</c> may run before it is killed, in seconds. Defaults to 300.</summary>
    [Range(1, 3600)]
    public int InstallTimeoutSeconds { get; set; } = 300;

    /// <summary>Gets or sets the registry npm installs from (its <c>--registry</c>); null uses npm's own configuration.</summary>
    public string? Registry { get; set; }

    /// <summary>Gets or sets how many dependencies one function (or workspace) may declare. Defaults to 50.</summary>
    [Range(0, 1000)]
    public int MaxDependencies { get; set; } = 50;
}
