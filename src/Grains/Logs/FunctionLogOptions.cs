using System.ComponentModel.DataAnnotations;

namespace Granary.Logs;

/// <summary>
/// The bounds of the function log store (configuration section <c>Granary:Logs</c>): how much of each function's
/// log is kept and for how long, how much one invocation may add, and how soon lines are shipped and stored.
/// </summary>
public sealed class FunctionLogOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Granary:Logs";

    /// <summary>Gets or sets the most lines kept per function (a Custom Code workspace counts as one); older lines go first.</summary>
    [Range(10, 1_000_000)]
    public int MaxLines { get; set; } = 1000;

    /// <summary>Gets or sets the most UTF-8 bytes of messages kept per function; older lines go first.</summary>
    [Range(1024, 1L << 30)]
    public long MaxBytes { get; set; } = 1024 * 1024;

    /// <summary>Gets or sets how long a line is kept, in hours.</summary>
    [Range(1, 24 * 366)]
    public int MaxAgeHours { get; set; } = 24 * 7;

    /// <summary>Gets or sets the most lines one invocation adds; the rest are replaced by one marker line.</summary>
    [Range(1, 100_000)]
    public int MaxLinesPerInvocation { get; set; } = 200;

    /// <summary>Gets or sets the most UTF-8 bytes of messages one invocation adds; the line that crosses it is cut and a marker line follows.</summary>
    [Range(256, 1L << 30)]
    public int MaxBytesPerInvocation { get; set; } = 16 * 1024;

    /// <summary>Gets or sets how long a silo gathers lines before it sends them to the functions' log stores, in ms.</summary>
    [Range(1, 5000)]
    public int ShipDelayMs { get; set; } = 250;

    /// <summary>
    /// Gets or sets how long appended lines may wait before the store writes them to storage, in ms (a silo that
    /// crashes loses at most this long of lines; a stopping silo writes them all). 0 writes every batch at once.
    /// </summary>
    [Range(0, 60_000)]
    public int WriteDelayMs { get; set; } = 1000;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxBytesPerInvocation > MaxBytes)
        {
            yield return new ValidationResult(
                $"MaxBytesPerInvocation ({MaxBytesPerInvocation}) must not exceed MaxBytes ({MaxBytes}): one invocation would evict the whole log.",
                [nameof(MaxBytesPerInvocation)]);
        }

        if (MaxLinesPerInvocation > MaxLines)
        {
            yield return new ValidationResult(
                $"MaxLinesPerInvocation ({MaxLinesPerInvocation}) must not exceed MaxLines ({MaxLines}).",
                [nameof(MaxLinesPerInvocation)]);
        }
    }
}
