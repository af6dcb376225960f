namespace Granary.Storage;

/// <summary>
/// Grain storage could not be written or read (the database is down or unreachable): the change was not made.
/// The gateway answers 503; retrying after the storage is back succeeds.
/// </summary>
[GenerateSerializer, Alias("granary.StorageUnavailableException")]
public sealed class StorageUnavailableException : OrleansException
{
    /// <summary>Creates the exception with the default message.</summary>
    public StorageUnavailableException()
        : base("Grain storage is unavailable.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the storage's own error.</summary>
    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
