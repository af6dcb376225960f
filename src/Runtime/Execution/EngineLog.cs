using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Execution;

/// <summary>What the execution engine logs, whichever runtime it drives (event ids 1400-1409).</summary>
internal static partial class EngineLog
{
    [LoggerMessage(EventId = 1400, Level = LogLevel.Error, Message = "Invocation of function {Function} failed in the runtime")]
    public static partial void InvocationFailed(ILogger logger, string function, Exception exception);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Error, Message = "No instance of function {Function} could be started")]
    public static partial void InstanceUnavailable(ILogger logger, string function, Exception exception);
}
