using System.Collections.Immutable;
using Granary.Functions;

namespace Granary.Runtime.Workers;

/// <summary>Raised when a worker process cannot answer a load or an invocation; the worker is no longer usable.</summary>
public sealed class WorkerException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WorkerException(WorkerFault fault, string message, ImmutableArray<LogLine> logs = default, Exception? inner = null)
        : base(message, inner)
    {
        Fault = fault;
        Logs = logs.IsDefault ? [] : logs;
    }

    /// <summary>Creates the exception.</summary>
    public WorkerException()
        : this(WorkerFault.Disposed, "The worker was disposed.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public WorkerException(string message)
        : this(WorkerFault.Crashed, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public WorkerException(string message, Exception innerException)
        : this(WorkerFault.Crashed, message, default, innerException)
    {
    }

    /// <summary>Gets why the worker failed.</summary>
    public WorkerFault Fault { get; }

    /// <summary>Gets the log lines the invocation wrote before it failed, when the worker could hand them over.</summary>
    public ImmutableArray<LogLine> Logs { get; }
}
