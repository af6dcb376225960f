namespace Granary.Runtime.JavaScript;

/// <summary>Raised when an isolate stops being usable while it runs an invocation.</summary>
public sealed class IsolateFaultException : Exception
{
    /// <summary>Creates the exception.</summary>
    public IsolateFaultException(IsolateFault fault, string message, Exception? inner = null)
        : base(message, inner) => Fault = fault;

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
}
