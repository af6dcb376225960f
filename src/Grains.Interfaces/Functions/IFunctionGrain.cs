using System.Collections.Immutable;

namespace Granary.Functions;

/// <summary>
/// The per-function grain that runs a function: keyed by <see cref="FunctionId.Key"/>, it activates on the
/// first invocation, keeps warm V8 isolates while it is used, and deactivates after the function's idle
/// timeout, releasing them (scale to zero). Other .NET services call <see cref="InvokeAsync"/> directly
/// through an Orleans client: <c>client.GetGrain&lt;IFunctionGrain&gt;(id.Key).InvokeAsync(request)</c>.
/// </summary>
public interface IFunctionGrain : IGrainWithStringKey
{
    /// <summary>
    /// Runs the function once. Never throws for a failure of the function itself: timeouts, errors,
    /// memory exhaustion, a full queue or a missing function come back as a response with a problem-details body.
    /// </summary>
    [ResponseTimeout("01:00:00")]
    Task<InvocationResponse> InvokeAsync(InvocationRequest request);

    /// <summary>
    /// Whether this activation is running the call with <see cref="InvocationRequest.CallId"/> <paramref name="callId"/>
    /// now. A new activation (the old one was lost with its silo) answers false. (The grain is reentrant: this call
    /// interleaves with the invocation it asks about.)
    /// </summary>
    Task<bool> IsRunningAsync(string callId);

    /// <summary>Used by the function's definition grain: switch to a new version, or unload when null (deleted).</summary>
    Task ReloadAsync(FunctionDefinition? definition);

    /// <summary>Used by the function's definition grain: hands over the invocation records not yet reported.</summary>
    Task<ImmutableArray<InvocationRecord>> DrainRecordsAsync();
}
