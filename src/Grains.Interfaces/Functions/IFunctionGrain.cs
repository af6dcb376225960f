using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Granary.Functions;

/// <summary>
/// The per-function grain that runs a function: one instance of it, keyed by <see cref="FunctionId.GrainKey"/> (shard 0
/// is <see cref="FunctionId.Key"/>). It activates on the first invocation, keeps warm V8 isolates while it is used, and
/// deactivates after the function's idle timeout, releasing them (scale to zero); a busy instance asks for more on other
/// silos. Other .NET services call functions through a <see cref="FunctionRouter"/>, which spreads calls over the live
/// instances: <c>new FunctionRouter(client).InvokeAsync(id, request)</c>; calling shard 0 directly also works.
/// </summary>
public interface IFunctionGrain : IGrainWithStringKey
{
    /// <summary>
    /// Runs the function once. Never throws for a failure of the function itself: timeouts, errors,
    /// memory exhaustion, a full queue or a missing function come back as a response with a problem-details body.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">
    /// Cancel it when the answer is no longer wanted (the HTTP client went away, the caller's own deadline passed):
    /// Orleans carries the cancellation to the grain, wherever it runs, and the function leaves its queue or is
    /// interrupted as at its timeout. The call then ends at once with an <see cref="OperationCanceledException"/>.
    /// </param>
    /// <remarks>
    /// Orleans' response timeout here is only the backstop for a caller that passes no token and whose answer is
    /// lost: the longest a call may take under the largest limits allowed (a queue wait and a run, each up to
    /// <see cref="FunctionLimits.MaxTimeoutSeconds"/> of at most an hour, and a cold start that installs packages).
    /// The gateway cancels much sooner, at the deadline its own configuration gives.
    /// </remarks>
    [ResponseTimeout("02:05:00")]
    Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether this activation is running the call with <see cref="InvocationRequest.CallId"/> <paramref name="callId"/>
    /// now. A new activation (the old one was lost with its silo) answers false. (The grain is reentrant: this call
    /// interleaves with the invocation it asks about.) An Orleans client learns of a call lost with its silo only so:
    /// Orleans fails a silo's own calls to a silo that died, but an external client's call waits out its response
    /// timeout, and only the call's id tells a new activation of the function from the one that was running it.
    /// Answers within 2 s or fails with a <see cref="TimeoutException"/> (its activation may be on a dead silo).
    /// </summary>
    [ResponseTimeout("00:00:02")]
    Task<bool> IsRunningAsync(string callId);

    /// <summary>Used by the function's definition grain: activates this instance and loads the function (a scale-up).</summary>
    [ResponseTimeout("00:05:00")]
    Task StartAsync();

    /// <summary>Used by the function's definition grain: the set of live instances changed; its version is <paramref name="shardSet"/>.</summary>
    [OneWay]
    Task ShardsChangedAsync(int shardSet);

    /// <summary>Used by the function's definition grain: switch to a new version, or unload when null (deleted).</summary>
    Task ReloadAsync(FunctionDefinition? definition);

    /// <summary>Used by the function's definition grain: hands over the invocation records not yet reported.</summary>
    Task<ImmutableArray<InvocationRecord>> DrainRecordsAsync();
}
