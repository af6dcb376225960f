namespace Granary.Runtime.Egress;

/// <summary>A function's connection was refused by the egress policy (or its name did not resolve); the message says why.</summary>
public sealed class EgressDeniedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public EgressDeniedException()
    {
    }

    /// <summary>Creates the exception with its reason.</summary>
    public EgressDeniedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its reason and cause.</summary>
    public EgressDeniedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
