namespace Granary.Runtime.Execution;

/// <summary>How a call on an instance ended without the function's answer, in the engine's words (see <see cref="CallFailure"/>).</summary>
internal enum CallFailureKind
{
    /// <summary>The call was stopped: at its timeout, or because its caller cancelled it.</summary>
    Stopped,

    /// <summary>The function outgrew its memory limit.</summary>
    MemoryLimit,

    /// <summary>The instance died under the call (a crash, a signal, a broken protocol).</summary>
    Crashed,
}
