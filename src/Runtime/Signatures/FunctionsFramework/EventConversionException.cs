namespace Granary.Runtime.Signatures.FunctionsFramework;

/// <summary>
/// A request was recognised as a Google Cloud Functions legacy event or as a Google CloudEvent, but it cannot be
/// converted to the other form (for example an RTDB event without a valid <c>domain</c>, or a resource that does not
/// match the service's pattern). The Functions Framework answers such a request with a 500.
/// </summary>
public sealed class EventConversionException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public EventConversionException()
        : base("The event could not be converted.")
    {
    }

    /// <summary>Creates the exception with a message that says what is wrong with the event.</summary>
    /// <param name="message">What is wrong with the event.</param>
    public EventConversionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    /// <param name="message">What is wrong with the event.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public EventConversionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
