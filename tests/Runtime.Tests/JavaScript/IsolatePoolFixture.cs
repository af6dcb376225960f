using Granary.Runtime.JavaScript;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.Tests.JavaScript;

/// <summary>One warm isolate pool shared by the runtime tests, as a silo shares one.</summary>
public sealed class IsolatePoolFixture : IDisposable
{
    public IsolatePool Pool { get; } = new(
        Options.Create(new JavaScriptRuntimeOptions { WarmIsolates = 2 }),
        NullLogger<IsolatePool>.Instance);

    public void Dispose() => Pool.Dispose();
}
