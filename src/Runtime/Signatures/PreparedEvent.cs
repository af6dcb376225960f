namespace Granary.Runtime.Signatures;

/// <summary>
/// What the host hands an adapter besides the raw request: the event as JSON (a CloudEvent in structured
/// form, or a legacy <c>{data, context}</c>), or the answer to give instead of running the function (a request
/// that is not a valid event, Kyma's metrics).
/// </summary>
/// <param name="Json">The event, or null when the signature takes none (or Kyma's request is not a CloudEvent).</param>
/// <param name="Answer">The response to send without calling the function.</param>
public readonly record struct PreparedEvent(string? Json, ExecutionResult? Answer)
{
    /// <summary>No event for this request.</summary>
    public static PreparedEvent None { get; } = new(null, null);

    /// <summary>The request is answered without running the function.</summary>
    public static PreparedEvent Answered(ExecutionResult answer) => new(null, answer);
}
