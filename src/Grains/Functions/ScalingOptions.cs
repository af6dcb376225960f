using System.ComponentModel.DataAnnotations;

namespace Granary.Functions;

/// <summary>
/// When a function scales out to another instance and when an extra instance retires (configuration section
/// <c>Granary:Scaling</c>). An instance is busy while its in-flight calls reach <see cref="ScaleUpUtilisation"/> of its
/// <c>maxConcurrency</c>, or a call waited in its queue longer than <see cref="ScaleUpQueueWaitMs"/>; busy for
/// <see cref="ScaleUpWindowMs"/>, it asks for one more instance (up to the function's <c>maxInstances</c> and the number
/// of silos). An instance other than the first retires after <see cref="RetireAfterSeconds"/> without a call; the first
/// follows the function's <c>idleTimeoutSeconds</c> to zero.
/// </summary>
public sealed class ScalingOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Granary:Scaling";

    /// <summary>Gets or sets the share of <c>maxConcurrency</c> in flight (running or queued) at which an instance counts as busy.</summary>
    [Range(0.1, 10.0)]
    public double ScaleUpUtilisation { get; set; } = 0.8;

    /// <summary>Gets or sets the queue wait, in ms, past which an instance counts as busy whatever its utilisation.</summary>
    [Range(0, 60_000)]
    public int ScaleUpQueueWaitMs { get; set; } = 10;

    /// <summary>Gets or sets how long, in ms, an instance stays busy before it asks for another (and between two asks).</summary>
    [Range(1, 60_000)]
    public int ScaleUpWindowMs { get; set; } = 100;

    /// <summary>Gets or sets how long, in seconds, an extra instance may go without a call before it retires.</summary>
    [Range(1, 86_400)]
    public int RetireAfterSeconds { get; set; } = 10;
}
