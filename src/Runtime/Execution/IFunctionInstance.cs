namespace Granary.Runtime.Execution;

/// <summary>
/// One loaded copy of a function's code that runs one invocation at a time: a V8 isolate or a Python worker process.
/// The <see cref="FunctionEngine{TInstance}"/> that holds it decides when it runs, waits idle or is discarded.
/// </summary>
public interface IFunctionInstance : IDisposable
{
    /// <summary>Gets whether the instance can take another invocation (it did not time out, run out of memory, crash or get interrupted).</summary>
    bool IsUsable { get; }

    /// <summary>
    /// Gets the signature the loaded code chose for itself (the Functions Framework's declarative API), or null when
    /// the definition's applies.
    /// </summary>
    string? Signature { get; }

    /// <summary>
    /// Stops whatever the instance runs now, from any thread, as its timeout would stop it; the call in progress then
    /// fails and the instance is no longer usable. Code cannot catch or ignore it.
    /// </summary>
    void Interrupt();
}
