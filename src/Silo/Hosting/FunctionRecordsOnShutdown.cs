using Granary.Functions;

namespace Granary.Silo.Hosting;

/// <summary>
/// When the silo stops, grains deactivate all at once, so a function grain's last records could reach its
/// definition grain after that one is gone. While every grain is still active, this asks each local
/// function's definition grain to collect and persist what its activation has not reported yet.
/// </summary>
internal sealed partial class FunctionRecordsOnShutdown(LocalFunctions local, IGrainFactory grains, ILogger<FunctionRecordsOnShutdown> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan s_budget = TimeSpan.FromSeconds(10);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(FunctionRecordsOnShutdown), ServiceLifecycleStage.Active, _ => Task.CompletedTask, CollectAsync);

    private async Task CollectAsync(CancellationToken cancellationToken)
    {
        var functions = local.Active.ToList();
        try
        {
            await Task.WhenAll(functions.Select(id => grains.GetFunctionDefinition(id).GetInvocationsAsync(1))).WaitAsync(s_budget, cancellationToken);
        }
        catch (Exception ex)
        {
            LogCollectFailed(functions.Count, ex);
        }
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "Could not collect the last invocation records of {Count} functions at shutdown")]
    private partial void LogCollectFailed(int count, Exception exception);
}
