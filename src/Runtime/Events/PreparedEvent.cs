namespace Granary.Runtime.Events;

/// <summary>
/// What the host hands an adapter besides the raw request: the event as JSON (a CloudEvent in structured
/// form, or a legacy <c>{data, context}</c>), or the answer to give instead when the request is not a valid event.
/// </summary>
/// <param name="Json">The event, or null when the signature takes none (or Kyma's request is not a CloudEvent).</param>
/// <param name="Refusal">The response to send without calling the function, when the event is malformed.</param>
public readonly record struct PreparedEvent(string? Json, ExecutionResult? Refusal)
{
    /// <summary>No event for this request.</summary>
    public static PreparedEvent None { get; } = new(null, null);
}
