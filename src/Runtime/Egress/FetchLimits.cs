namespace Granary.Runtime.Egress;

/// <summary>The limits of a function's outbound <c>fetch</c> (the JavaScript runtime's <c>Fetch*</c> settings).</summary>
/// <param name="MaxConcurrentRequests">How many fetches one invocation may have in flight at once.</param>
/// <param name="MaxResponseBytes">The largest response body one fetch may read.</param>
/// <param name="MaxRequestBytes">The largest request body one fetch may send.</param>
/// <param name="Timeout">How long one fetch may take, body included (never beyond the invocation).</param>
public sealed record FetchLimits(int MaxConcurrentRequests, long MaxResponseBytes, long MaxRequestBytes, TimeSpan Timeout);
