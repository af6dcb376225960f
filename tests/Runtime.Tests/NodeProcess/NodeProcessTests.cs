using Granary.Functions;
using static Granary.Runtime.Tests.NodeProcess.NodeRunner;

namespace Granary.Runtime.Tests.NodeProcess;

/// <summary>
/// JavaScript in process mode (<c>"isolation": "process"</c>): real Node.js workers with the Python workers' protocol,
/// pool, limits and records.
/// </summary>
public sealed class NodeProcessTests(NodePoolFixture fixture) : IClassFixture<NodePoolFixture>
{
    [Fact]
    public async Task AFunctionRunsInRealNodeWithAllOfItsBuiltins()
    {
        await using var function = Create(fixture.Pool, """
            const zlib = require('zlib');
            const { Readable } = require('stream');
            const { setTimeout: sleep } = require('timers/promises');
            module.exports = async (event) => {
              await sleep(5);
              let streamed = '';
              for await (const c of Readable.from(['A', 'B'])) streamed += c;
              console.log('hello from', event.name);
              return {
                node: process.versions.node,
                gzip: zlib.gunzipSync(zlib.gzipSync(Buffer.from('hello'))).toString(),
                streamed,
                childProcess: typeof require('child_process').spawn,
                workerThreads: typeof require('worker_threads').Worker,
              };
            };
            """);

        var result = await function.InvokeAsync(InvocationRequest.Json("""{"name":"ada"}"""));

        Assert.True(result.StatusCode == 200, result.Text());
        var body = result.JsonBody();
        Assert.Equal(NodeVersion(), body.GetProperty("node").GetString());
        Assert.Equal("hello", body.GetProperty("gzip").GetString());
        Assert.Equal("AB", body.GetProperty("streamed").GetString());
        Assert.Equal("function", body.GetProperty("childProcess").GetString());
        Assert.Equal("function", body.GetProperty("workerThreads").GetString());
        Assert.Equal(["hello from ada"], result.Messages());
    }

    [Fact]
    public async Task AFunctionThatRunsPastItsTimeoutIsKilledAndItsWorkerReplaced()
    {
        await using var function = Create(fixture.Pool, """
            let calls = 0;
            module.exports = async (event) => {
              calls++;
              if (event.spin) { console.log('spinning'); while (true) {} }
              return { calls, pid: process.pid };
            };
            """, spec => spec with { TimeoutSeconds = 1 });

        var first = await OkAsync(function);
        var looped = await function.InvokeAsync(InvocationRequest.Json("""{"spin":true}"""));
        var after = await OkAsync(function);

        Assert.Equal(504, looped.StatusCode);
        Assert.Equal(InvocationOutcomes.Timeout, looped.Outcome);
        Assert.Equal(1, first.GetProperty("calls").GetInt32());
        Assert.Equal(1, after.GetProperty("calls").GetInt32());
    }

    [Fact]
    public async Task ALoadErrorIsReportedAtDeployWithItsMessage()
    {
        var definition = Definition("module.exports = { notMain: () => 1 }; require('no-such-package');");

        var error = await Granary.Runtime.NodeProcess.NodeProcessFunction.ValidateAsync(definition, fixture.Pool, new FunctionLimits());

        Assert.NotNull(error);
        Assert.Equal(CodeErrorKinds.Load, error.Kind);
        Assert.Contains("Cannot find module 'no-such-package'", error.Message, StringComparison.Ordinal);
    }

    private static string NodeVersion()
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(NodePoolFixture.Node, "--version") { RedirectStandardOutput = true })!;
        var version = process.StandardOutput.ReadToEnd().Trim().TrimStart('v');
        process.WaitForExit();
        return version;
    }
}
