namespace Granary.Runtime.Execution;

/// <summary>
/// Thrown by a runtime's call that never started on its instance because the instance can no longer run it (a V8 context
/// whose shared runtime a neighbour broke or holds with a long run): the engine discards the instance and runs the
/// invocation on a new one. Nothing of the invocation ran.
/// </summary>
internal sealed class InstanceUnavailableException(string message) : Exception(message);
