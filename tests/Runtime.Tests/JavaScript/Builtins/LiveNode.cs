using System.ComponentModel;
using System.Diagnostics;
using Granary.Runtime.JavaScript;

namespace Granary.Runtime.Tests.JavaScript.Builtins;

/// <summary>
/// Runs one function body in an isolate and under the installed <c>node -e</c> (working directory '/', as a
/// function's is) and compares the JSON both return, so a check follows whatever Node 20 prints rather than a pasted
/// copy of it.
/// </summary>
internal static class LiveNode
{
    /// <summary>Runs <paramref name="body"/>, statements ending in a return, as a function in both and compares the JSON.</summary>
    public static async Task AssertSameAsync(IsolatePool pool, string body)
    {
        var result = await FunctionRunner.RunAsync(pool, $"module.exports = () => {{\n{body}\n}};");
        Assert.Equal(200, result.StatusCode);
        NodeCase.AssertNodeOutput(result, await RunAsync($"process.stdout.write(JSON.stringify((() => {{\n{body}\n}})()));"));
    }

    /// <summary>Runs <paramref name="script"/> under <c>node -e</c> and returns what it wrote; Node must be installed (the test fails, not skips, without it).</summary>
    public static async Task<string> RunAsync(string script)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = "/",
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // A long script (data inlined) goes in on stdin: the command line has a length limit.
        var viaStdin = script.Length > 64 * 1024;
        if (!viaStdin)
        {
            start.ArgumentList.Add("-e");
            start.ArgumentList.Add(script);
        }
        Process? node;
        try
        {
            node = Process.Start(start);
        }
        catch (Win32Exception ex)
        {
            Assert.Fail($"install node: apt-get install -y nodejs ({ex.Message})");
            throw;
        }

        Assert.NotNull(node);
        using (node)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            if (viaStdin)
            {
                await node.StandardInput.WriteAsync(script.AsMemory(), timeout.Token);
            }

            node.StandardInput.Close();
            var stdout = node.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = node.StandardError.ReadToEndAsync(timeout.Token);
            await node.WaitForExitAsync(timeout.Token);
            Assert.True(node.ExitCode == 0, $"node exited with {node.ExitCode}: {await stderr}");
            return await stdout;
        }
    }
}
