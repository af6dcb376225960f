using Microsoft.AspNetCore.Diagnostics;

namespace Granary.Gateway.Hosting;

/// <summary>Turns failures of the gateway itself (not of functions) into problem details, never raw exception text.</summary>
internal sealed partial class GatewayExceptionHandler(IProblemDetailsService problems, ILogger<GatewayExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, slug, title, detail) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, "bad-request", "Bad request", bad.Message),
            TimeoutException => (504, "cluster-timeout", "Cluster timeout", "The cluster did not answer in time."),
            OrleansException => (503, "cluster-unavailable", "Cluster unavailable", "The cluster could not serve the request; retry it."),
            _ => (500, "internal-error", "Internal error", "The gateway failed to serve the request."),
        };
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

    [LoggerMessage(EventId = 4000, Level = LogLevel.Error, Message = "Request {Method} {Path} failed")]
    private partial void LogFailed(string method, string path, Exception exception);
}
