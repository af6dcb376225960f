using System.Collections.Immutable;
using Granary.Functions;

namespace Granary.Runtime.JavaScript;

/// <summary>Raised when an isolate stops being usable while it runs an invocation.</summary>
public sealed class IsolateFaultException : Exception
{
    /// <summary>Creates the exception.</summary>
    public IsolateFaultException(IsolateFault fault, string message, Exception? inner = null)
        : this(fault, message, [], inner)
    {
    }

    /// <summary>Creates the exception with the log lines the invocation wrote before it failed.</summary>
    public IsolateFaultException(IsolateFault fault, string message, ImmutableArray<LogLine> logs, Exception? inner = null)
        : base(message, inner)
    {
        Fault = fault;
        Logs = logs.IsDefault ? [] : logs;
    }

    /// <summary>Creates the exception.</summary>
    public IsolateFaultException()
        : this(IsolateFault.Disposed, "The isolate was disposed.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public IsolateFaultException(string message)
        : this(IsolateFault.Disposed, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public IsolateFaultException(string message, Exception innerException)
        : this(IsolateFault.Disposed, message, innerException)
    {
    }

    /// <summary>Gets why the isolate failed.</summary>
    public IsolateFault Fault { get; }

    /// <summary>Gets the log lines the invocation wrote before it was stopped, when they could be collected.</summary>
    public ImmutableArray<LogLine> Logs { get; }
}
