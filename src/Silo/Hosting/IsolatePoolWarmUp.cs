using Granary.Runtime.JavaScript;
using Granary.Runtime.Workers;
using Microsoft.Extensions.Options;

namespace Granary.Silo.Hosting;

/// <summary>
/// Fills the warm isolate pool and the warm Python worker pool while the silo starts, so the first cold start finds
/// them ready, and trains the bootstrap's code cache (<see cref="BootstrapTraining"/>). A machine without Python still starts: Python functions then fail with the reason, which is logged here.
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
        try
        {
            var bytes = await BootstrapTraining.TrainAsync(pool);
            LogBootstrapTrained(bytes);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Cold starts then compile the bootstrap's load and call paths in each new isolate, as before training.
            LogBootstrapTrainingFailed(ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1306, Level = LogLevel.Debug, Message = "Bootstrap code cache trained: {Bytes} bytes")]
    private partial void LogBootstrapTrained(int bytes);

    [LoggerMessage(EventId = 1307, Level = LogLevel.Warning, Message = "Could not train the bootstrap's code cache; cold starts compile its load and call paths in each isolate")]
    private partial void LogBootstrapTrainingFailed(Exception exception);

    [LoggerMessage(EventId = 1300, Level = LogLevel.Warning, Message = "Python functions are unavailable until {Interpreter} works (install it with: apt-get install -y python3): {Reason}")]
    private partial void LogPythonUnavailable(string interpreter, string reason);
}
