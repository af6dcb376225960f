using System.ComponentModel.DataAnnotations;

namespace Granary.Runtime.Telemetry;

/// <summary>Granary's metrics and their export (configuration section <c>Granary:Telemetry:Metrics</c>).</summary>
public sealed class MetricsOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Granary:Telemetry:Metrics";

    /// <summary>
    /// Gets or sets whether the host collects metrics and serves <c>/metrics</c> (default true). Off, nothing listens
    /// to the meters and recording a call costs a field read: the benchmark's "telemetry off".
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Gets or sets the meters exported beside Granary's own, comma-separated (default <c>System.Runtime</c>: the .NET
    /// runtime's, read only when scraped). <c>Microsoft.AspNetCore.Hosting</c>, <c>Microsoft.AspNetCore.Server.Kestrel</c>
    /// and <c>Microsoft.Orleans</c> may be added; they record on every request or grain message once listened to, and
    /// cost warm throughput (Orleans' the most: see docs/observability.md).
    /// </summary>
    public string Meters { get; set; } = "System.Runtime";

    /// <summary>Gets <see cref="Meters"/> as a list (names trimmed, empty entries dropped).</summary>
    public IReadOnlyList<string> MeterList() => [.. (Meters ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>
    /// Gets or sets the most functions a silo keeps series of (each tenant, workspace and function name one set of
    /// series), counted from the silo's start. Past it, functions seen for the first time fold into their tenant's
    /// <c>faas.name="_other"</c>, <c>granary.workspace="_other"</c> series. Default 1000.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxFunctionSeries { get; set; } = 1000;

    /// <summary>
    /// Gets or sets the path of the Prometheus scrape endpoint on the host's own HTTP port (default <c>/metrics</c>),
    /// which asks for the admin key or a key of the <c>metrics</c> role.
    /// </summary>
    public string Path { get; set; } = "/metrics";

    /// <summary>
    /// Gets or sets a separate port that serves the same exposition <b>without a key</b>, for a private network where
    /// Prometheus holds no key; 0 (the default) is off.
    /// </summary>
    [Range(0, 65535)]
    public int OpenPort { get; set; }

    /// <summary>
    /// Gets or sets the address the open port listens on (default <c>localhost</c>; <c>*</c> for every interface).
    /// </summary>
    public string OpenPortHost { get; set; } = "localhost";

    /// <summary>
    /// Gets the most series OpenTelemetry keeps per instrument: above what the function cap allows (each function's
    /// series times the outcomes and throttle kinds an instrument splits by, plus one overflow series per tenant),
    /// so the SDK's own limit (2000 by default, then an <c>otel_metric_overflow</c> series) never cuts Granary's.
    /// </summary>
    public int CardinalityLimit => (MaxFunctionSeries * 4) + 4000;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrEmpty(Path) || Path[0] != '/' || Path.Any(c => char.IsWhiteSpace(c) || c is '?' or '#'))
        {
            yield return new ValidationResult("must be a path starting with '/' (for example /metrics), without spaces, '?' or '#'.", [nameof(Path)]);
        }

        if (MeterList().FirstOrDefault(m => m.Any(c => char.IsWhiteSpace(c) || c is '*' or '/')) is { } bad)
        {
            yield return new ValidationResult($"'{bad}' is not a meter name (comma-separated names such as System.Runtime, Microsoft.Orleans).", [nameof(Meters)]);
        }

        if (OpenPort != 0 && string.IsNullOrWhiteSpace(OpenPortHost))
        {
            yield return new ValidationResult("must name the address the open metrics port listens on (localhost, an address, or * for all).", [nameof(OpenPortHost)]);
        }
    }
}
