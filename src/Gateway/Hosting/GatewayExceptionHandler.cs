using System.Data.Common;
using Granary.Storage;
using Microsoft.AspNetCore.Diagnostics;

namespace Granary.Gateway.Hosting;

/// <summary>Turns failures of the gateway itself (not of functions) into problem details, never raw exception text.</summary>
internal sealed partial class GatewayExceptionHandler(IProblemDetailsService problems, ILogger<GatewayExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, slug, title, detail) = Classify(exception);
        if (status >= 500)
        {
            LogFailed(context.Request.Method, context.Request.Path, exception);
        }

        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Type = "urn:granary:problem:" + slug, Title = title, Detail = detail },
        });
    }

    /// <summary>The problem a failure of the gateway or the cluster becomes.</summary>
    internal static (int Status, string Slug, string Title, string Detail) Classify(Exception exception) => exception switch
    {
        BadHttpRequestException bad => (bad.StatusCode, "bad-request", "Bad request", bad.Message),
        _ when Find<StorageUnavailableException>(exception) is { } storage =>
            (503, "storage-unavailable", "Storage unavailable", storage.Message),
        _ when Find<DbException>(exception) is { } database =>
            (503, "storage-unavailable", "Storage unavailable", $"Grain storage is unavailable ({database.Message}); retry when it is back."),
        _ when Find<SiloUnavailableException>(exception) is not null || exception is CallLostException =>
            (503, "silo-unavailable", "Silo unavailable", "The silo serving this request stopped before it answered; the request may or may not have run. Retry it: another silo takes over."),
        TimeoutException => (504, "cluster-timeout", "Cluster timeout", "The cluster did not answer in time."),
        OrleansException or Orleans.Runtime.Messaging.ConnectionFailedException =>
            (503, "cluster-unavailable", "Cluster unavailable", "The cluster could not serve the request; retry it."),
        _ => (500, "internal-error", "Internal error", "The gateway failed to serve the request."),
    };

    private static T? Find<T>(Exception exception)
        where T : Exception
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }
        }

        return null;
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Error, Message = "Request {Method} {Path} failed")]
    private partial void LogFailed(string method, string path, Exception exception);
}
