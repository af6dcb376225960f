using System.ComponentModel.DataAnnotations;

namespace Granary.Silo.Storage;

/// <summary>Where the embedded file storage keeps grain state (configuration section <c>Granary:Storage</c>).</summary>
public sealed class FileStorageOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Granary:Storage";

    /// <summary>
    /// Gets or sets the directory that holds all grain state; relative paths are resolved against the
    /// current directory. The layout is <c>{Path}/{grain type}/{key…}/{state}.json</c>.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string Path { get; set; } = "data";
}
