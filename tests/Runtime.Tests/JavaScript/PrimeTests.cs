using System.Text.Json;
using Granary.Runtime.JavaScript;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.JavaScript;

/// <summary>
/// An isolate made ahead of need runs a warm-up function through the load and call paths before it is rented
/// (<c>V8Isolate.Prime</c>); the function that gets the isolate finds nothing of it.
/// </summary>
public sealed class PrimeTests : IDisposable
{
    private readonly IsolatePool _pool = new(
        Options.Create(new JavaScriptRuntimeOptions { WarmIsolates = 1 }),
        NullLogger<IsolatePool>.Instance);

    public void Dispose() => _pool.Dispose();

    [Fact]
    public async Task AFunctionInAPrimedIsolateSeesOnlyItsOwnProcessEnvArgvAndLogLines()
    {
        await _pool.WarmUpAsync(Definition("").Spec.MemoryLimitMb, TestContext.Current.CancellationToken);
        await using var function = Create(
            _pool,
            "console.log('own'); module.exports = (e, c) => JSON.stringify({ env: process.env, argv: process.argv, name: c.functionName, tenant: c.tenant });",
            s => s with { Env = s.Env.Add("GREETING", "hi") });
        Assert.Null(await function.WarmUpAsync());

        var first = await function.InvokeAsync(Request());

        using var seen = JsonDocument.Parse(first.Text());
        Assert.Equal("""{"GREETING":"hi"}""", seen.RootElement.GetProperty("env").GetRawText());
        Assert.Equal("/function/fn.js", seen.RootElement.GetProperty("argv")[1].GetString());
        Assert.Equal("fn", seen.RootElement.GetProperty("name").GetString());
        Assert.Equal("acme", seen.RootElement.GetProperty("tenant").GetString());
        Assert.All(first.Messages(), m => Assert.Equal("own", m));
    }

    [Fact]
    public async Task AModuleThatExportsNoHandlerIsRefusedAndDoesNotServeTheWarmUpsFunction()
    {
        await _pool.WarmUpAsync(Definition("").Spec.MemoryLimitMb, TestContext.Current.CancellationToken);
        await using var function = Create(_pool, "module.exports = 42;");

        var error = await function.WarmUpAsync();

        Assert.NotNull(error);
        Assert.Contains("does not export a function", error.Message, StringComparison.Ordinal);
    }
}
