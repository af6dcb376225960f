using System.Globalization;
using System.Net;

namespace Granary.Gateway.Tests.Sandbox;

/// <summary>Runs alone: its checks read the CPU time of isolate threads, which other tests' isolates would add to.</summary>
[CollectionDefinition(nameof(GatewaySandboxAlone), DisableParallelization = true)]
public sealed class GatewaySandboxAlone;

/// <summary>
/// The sandbox's limits through the whole host: a function's timers end when it is deleted or goes idle (scale to
/// zero), and WebAssembly answers a clear error instead of taking the host's memory.
/// </summary>
[Collection(nameof(GatewaySandboxAlone))]
public sealed class V8SandboxTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    // A core's worth of work, forever: a 20 ms callback every 10 ms, started by the first call.
    private const string BusyInterval = """
        let started = false;
        module.exports = () => {
          if (!started) { started = true; setInterval(() => { const end = Date.now() + 20; while (Date.now() < end) {} }, 10); }
          return 'started';
        };
        """;

    private GranaryServer Server => fixture.Server;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnIntervalEndsWhenItsFunctionIsDeleted()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "ticker", BusyInterval, new { timeoutSeconds = 60, idleTimeoutSeconds = 3600 });
        Assert.Equal("started", await (await Server.InvokeAsync(ws, "ticker")).Content.ReadAsStringAsync(Cancel));
        var busy = await IsolateTicksOverAsync(TimeSpan.FromSeconds(1));

        using var deleted = await Server.Http.DeleteAsync(GranaryServer.FunctionPath(ws, "ticker"), Cancel);
        await Task.Delay(TimeSpan.FromSeconds(1), Cancel);
        var after = await IsolateTicksOverAsync(TimeSpan.FromSeconds(2));

        Assert.True(busy >= 5, $"the interval used only {busy} ticks in a second before the delete");
        Assert.True(deleted.IsSuccessStatusCode, $"DELETE answered {(int)deleted.StatusCode}");
        Assert.True(after < 10, $"isolate threads used {after} ticks (of 10 ms) in the two seconds after the delete");
    }

    [Fact]
    public async Task AnIntervalEndsWhenItsFunctionGoesIdle()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "napper", BusyInterval, new { timeoutSeconds = 60, idleTimeoutSeconds = 3 });
        Assert.Equal("started", await (await Server.InvokeAsync(ws, "napper")).Content.ReadAsStringAsync(Cancel));
        var busy = await IsolateTicksOverAsync(TimeSpan.FromSeconds(1));

        await Server.WaitForStateAsync(ws, "napper", "idle", TimeSpan.FromSeconds(15));
        await Task.Delay(TimeSpan.FromSeconds(1), Cancel);
        var after = await IsolateTicksOverAsync(TimeSpan.FromSeconds(2));

        Assert.True(busy >= 5, $"the interval used only {busy} ticks in a second before the function went idle");
        Assert.True(after < 10, $"isolate threads used {after} ticks (of 10 ms) in the two seconds after the function went idle");
    }

    [Fact]
    public async Task WebAssemblyAnswersAClearErrorInsteadOfTakingTheHostsMemory()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "wasm", """
            module.exports = () => {
              const memory = new WebAssembly.Memory({ initial: 4096 });
              for (let i = 0; i < 4; i++) memory.grow(4096);
              new Uint8Array(memory.buffer).fill(1);
              return memory.buffer.byteLength;
            };
            """, new { memoryLimitMb = 128 });

        using var response = await Server.InvokeAsync(ws, "wasm");
        var body = await response.Content.ReadAsStringAsync(Cancel);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("WebAssembly is not available in Granary's isolates: its memory cannot be bounded by memoryLimitMb", body, StringComparison.Ordinal);
    }

    private static Dictionary<int, long> IsolateThreadTicks()
    {
        var ticks = new Dictionary<int, long>();
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).Trim() != "granary-v8")
                {
                    continue;
                }

                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] =
                    long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The thread ended while we looked.
            }
        }

        return ticks;
    }

    // CPU time used by every isolate thread of the process over a while, in clock ticks (10 ms); the class runs alone,
    // so the threads are this server's.
    private static async Task<long> IsolateTicksOverAsync(TimeSpan window)
    {
        var before = IsolateThreadTicks();
        await Task.Delay(window, Cancel);
        return IsolateThreadTicks().Sum(a => a.Value - before.GetValueOrDefault(a.Key));
    }
}
