using Granary.Functions;
using Granary.Runtime.NodeProcess;
using Granary.Runtime.Workers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Granary.Runtime.Tests.NodeProcess.NodeRunner;

namespace Granary.Runtime.Tests.NodeProcess;

/// <summary>A silo without Node.js refuses process-mode deploys, saying what is missing and how to install it.</summary>
public sealed class NodeProcessUnavailableTests
{
    [Fact]
    public async Task ADeployInProcessModeWithoutNodeSaysWhichSettingAndHowToInstallIt()
    {
        var options = new WorkerRuntimeOptions { Interpreter = "/opt/granary-no-such-node/bin/node", WarmWorkers = 1 };
        await using var pool = new WorkerPool(
            Options.Create(options),
            NullLogger<WorkerPool>.Instance,
            null,
            new NodeLauncher(null));

        var error = await NodeProcessFunction.ValidateAsync(Definition("module.exports = () => 1;"), pool, new FunctionLimits());

        Assert.NotNull(error);
        Assert.Equal(
            "\"isolation\": \"process\" is not available: Node.js functions cannot run on this silo: /opt/granary-no-such-node/bin/node (Granary:NodeProcess:Interpreter) is not installed. Install it (apt-get install -y nodejs) or point Granary:NodeProcess:Interpreter at it.",
            error.Message);
    }
}
