using Granary.Runtime.JavaScript;
using Granary.Runtime.Workers;
using Microsoft.Extensions.Options;

namespace Granary.Silo.Hosting;

/// <summary>
/// Fills the warm isolate pool and the warm Python worker pool while the silo starts, so the first cold start finds
/// them ready. A machine without Python still starts: Python functions then fail with the reason, which is logged here.
/// </summary>
internal sealed partial class IsolatePoolWarmUp(
    IsolatePool pool,
    WorkerPool python,
    IOptions<JavaScriptRuntimeOptions> options,
    ILogger<IsolatePoolWarmUp> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var javascript = pool.WarmUpAsync(options.Value.DefaultMemoryLimitMb, cancellationToken);
        try
        {
            await python.WarmUpAsync(cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            LogPythonUnavailable(python.Options.Interpreter, ex.Message);
        }

        await javascript;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1300, Level = LogLevel.Warning, Message = "Python functions are unavailable until {Interpreter} works (install it with: apt-get install -y python3): {Reason}")]
    private partial void LogPythonUnavailable(string interpreter, string reason);
}
