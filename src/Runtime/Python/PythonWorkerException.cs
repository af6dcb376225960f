using System.Collections.Immutable;
using Granary.Functions;

namespace Granary.Runtime.Python;

/// <summary>Raised when a Python worker cannot answer a load or an invocation; the worker is no longer usable.</summary>
public sealed class PythonWorkerException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PythonWorkerException(PythonWorkerFault fault, string message, ImmutableArray<LogLine> logs = default, Exception? inner = null)
        : base(message, inner)
    {
        Fault = fault;
        Logs = logs.IsDefault ? [] : logs;
    }

    /// <summary>Creates the exception.</summary>
    public PythonWorkerException()
        : this(PythonWorkerFault.Disposed, "The worker was disposed.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public PythonWorkerException(string message)
        : this(PythonWorkerFault.Crashed, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public PythonWorkerException(string message, Exception innerException)
        : this(PythonWorkerFault.Crashed, message, default, innerException)
    {
    }

    /// <summary>Gets why the worker failed.</summary>
    public PythonWorkerFault Fault { get; }

    /// <summary>Gets the log lines the invocation wrote before it failed, when the worker could hand them over.</summary>
    public ImmutableArray<LogLine> Logs { get; }
}
