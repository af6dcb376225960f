using Granary.Runtime.JavaScript;
using Microsoft.Extensions.Options;

namespace Granary.Silo.Hosting;

/// <summary>Fills the warm isolate pool while the silo starts, so the first cold start finds isolates ready.</summary>
internal sealed class IsolatePoolWarmUp(IsolatePool pool, IOptions<JavaScriptRuntimeOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        pool.WarmUpAsync(options.Value.DefaultMemoryLimitMb, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
