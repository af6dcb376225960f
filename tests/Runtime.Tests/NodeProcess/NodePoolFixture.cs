using System.Globalization;
using System.Text.Json;
using Granary.Functions;
using Granary.Runtime.Egress;
using Granary.Runtime.NodeProcess;
using Granary.Runtime.Tests.Python;
using Granary.Runtime.Workers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.Tests.NodeProcess;

/// <summary>
/// One sandboxed Node.js worker pool (process mode) shared by its tests, as a silo shares one: real node, real
/// bubblewrap and cgroups, a loopback server the egress policy allows and one it does not, and an npm directory the
/// workers see read-only.
/// </summary>
public sealed class NodePoolFixture : IAsyncLifetime
{
    public const string Node = NodeLauncher.DefaultProgram;

    private WorkerPool? _pool;

    public WorkerPool Pool => _pool ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>Gets a server the policy allows.</summary>
    public LoopbackServer Allowed { get; } = new();

    /// <summary>Gets a loopback server no function may reach (a port of the host's own).</summary>
    public LoopbackServer Refused { get; } = new();

    /// <summary>Gets the directory npm package sets go to (the workers see it read-only).</summary>
    public string PackagesDirectory { get; } = Path.Combine(Directory.CreateTempSubdirectory("granary-node-").FullName, "data", "npm");

    /// <summary>Gets further destinations a test allows (a database); set before the pool starts.</summary>
    public List<string> AlsoAllowed { get; } = [];

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Node))
        {
            throw new InvalidOperationException($"{Node} is missing: process mode runs real Node.js workers. Install it with: apt-get install -y nodejs");
        }

        var egress = new EgressPolicy(new EgressOptions { Allow = [$"127.0.0.1:{Allowed.Port.ToString(CultureInfo.InvariantCulture)}", .. AlsoAllowed] });
        var options = new WorkerRuntimeOptions { Interpreter = Node, WarmWorkers = 2, MaxProcesses = 32, DirectoryQuotaMb = 16, TmpQuotaMb = 16 };
        _pool = new WorkerPool(Options.Create(options), NullLogger<WorkerPool>.Instance, egress, new NodeLauncher(PackagesDirectory));
        await _pool.WarmUpAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_pool is not null)
        {
            await _pool.DisposeAsync();
        }

        Allowed.Dispose();
        Refused.Dispose();
        try
        {
            Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(PackagesDirectory))!, recursive: true);
        }
        catch (IOException)
        {
            // npm's cache may still be written to; the temp cleaner takes it.
        }
    }
}

/// <summary>Deploys JavaScript into a <see cref="NodeProcessFunction"/> the way a function grain does, without Orleans.</summary>
internal static class NodeRunner
{
    public static FunctionDefinition Definition(string code, Func<FunctionSpec, FunctionSpec>? configure = null, string tenant = "acme")
    {
        var spec = new FunctionSpec { Runtime = FunctionRuntimes.NodeJs, Code = code, Isolation = FunctionIsolations.Process, TimeoutSeconds = 30 };
        spec = configure?.Invoke(spec) ?? spec;
        var now = DateTimeOffset.UtcNow;
        return new FunctionDefinition(new FunctionId(tenant, "shop", "fn"), spec, 1, now, now);
    }

    public static NodeProcessFunction Create(WorkerPool pool, string code, Func<FunctionSpec, FunctionSpec>? configure = null, string tenant = "acme", string? packagesRoot = null) =>
        new(Definition(code, configure, tenant), pool, new FunctionLimits(), NullLogger.Instance, packagesRoot: packagesRoot);

    /// <summary>Deploys <paramref name="code"/> in process mode, checks that it loads, and invokes it once.</summary>
    public static async Task<ExecutionResult> RunAsync(WorkerPool pool, string code, InvocationRequest? request = null, Func<FunctionSpec, FunctionSpec>? configure = null)
    {
        await using var function = Create(pool, code, spec => configure?.Invoke(spec with { TimeoutSeconds = 20 }) ?? spec with { TimeoutSeconds = 20 });
        var error = await function.WarmUpAsync();
        Assert.Null(error);
        return await function.InvokeAsync(request ?? new InvocationRequest { Method = "GET" });
    }

    /// <summary>Invokes with <paramref name="request"/> as JSON, asserts a 200 (showing the body and logs otherwise) and returns the body.</summary>
    public static async Task<JsonElement> OkAsync(NodeProcessFunction function, object? request = null)
    {
        var result = await function.InvokeAsync(InvocationRequest.Json(JsonSerializer.Serialize(request ?? new { })));
        Assert.True(result.StatusCode == 200, $"{result.StatusCode}: {result.Text()} {string.Join(" | ", result.Messages())}");
        return result.JsonBody();
    }
}
