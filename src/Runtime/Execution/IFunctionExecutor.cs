using Granary.Functions;

namespace Granary.Runtime.Execution;

/// <summary>
/// One version of one function, loaded into its runtime (V8 isolates for JavaScript, worker processes for Python):
/// what a function grain holds while it is active. Invocations run in parallel up to the function's
/// <c>maxConcurrency</c>, each in an isolate or worker of its own.
/// </summary>
public interface IFunctionExecutor : IAsyncDisposable
{
    /// <summary>Gets the version this instance runs.</summary>
    FunctionDefinition Definition { get; }

    /// <summary>Gets how many instances of the code (V8 isolates or Python worker processes) this executor holds now.</summary>
    int Instances { get; }

    /// <summary>
    /// Gets what this executor's instances cost the silo's memory, in bytes, as far as the runtime knows it (V8 heaps
    /// measured after load, a fixed estimate per worker process): what the silo's warm-memory budget counts.
    /// </summary>
    long MemoryBytes { get; }

    /// <summary>Loads the code into its first isolate or worker; returns why it failed to load, or null.</summary>
    Task<CodeError?> WarmUpAsync();

    /// <summary>
    /// Runs one invocation. Failures of the function (errors, timeouts, memory, a full queue) come back as results
    /// with the matching status; <see cref="ObjectDisposedException"/> means this version was replaced while the
    /// call waited, and the caller should retry on the new one.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="stateJson">State the host keeps for the function (a workspace's cache), as JSON, or null.</param>
    /// <param name="cancellationToken">
    /// Cancelled when the caller no longer wants the answer (the client disconnected, the gateway gave up): a queued
    /// call leaves the queue at once, a running one is interrupted as a timeout would interrupt it (its instance is then
    /// discarded), and a token cancelled before the call starts runs nothing. Each answers 499 with the outcome
    /// <see cref="InvocationOutcomes.Cancelled"/>, promptly; a call that finished before the cancellation reached it
    /// answers as it finished.
    /// </param>
    Task<ExecutionResult> InvokeAsync(InvocationRequest request, string? stateJson = null, CancellationToken cancellationToken = default);

    /// <summary>Releases isolates or workers beyond the first that have been unused for <paramref name="unusedFor"/>; returns how many.</summary>
    int TrimIdle(TimeSpan unusedFor);
}
