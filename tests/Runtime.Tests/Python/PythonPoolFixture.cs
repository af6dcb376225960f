using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Granary.Functions;
using Granary.Runtime.Python;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.Tests.Python;

/// <summary>One warm Python worker pool shared by the Python tests, as a silo shares one. Real python3, real processes.</summary>
public sealed class PythonPoolFixture : IAsyncLifetime
{
    public const string Interpreter = "/usr/bin/python3";

    private PythonWorkerPool? _pool;

    public PythonWorkerPool Pool => _pool ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Interpreter))
        {
            throw new InvalidOperationException($"{Interpreter} is missing: the Python tests run real workers. Install it with: apt-get install -y python3");
        }

        _pool = new PythonWorkerPool(Options.Create(new PythonRuntimeOptions { Interpreter = Interpreter, WarmWorkers = 2 }), NullLogger<PythonWorkerPool>.Instance);
        await _pool.WarmUpAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_pool is not null)
        {
            await _pool.DisposeAsync();
        }
    }
}

/// <summary>Deploys Python code into a <see cref="PythonFunction"/> the way a function grain does, without Orleans.</summary>
internal static class PythonRunner
{
    public static readonly FunctionLimits Limits = new();

    public static FunctionDefinition Definition(string code, Func<FunctionSpec, FunctionSpec>? configure = null, string name = "pyfn")
    {
        var spec = new FunctionSpec { Runtime = FunctionRuntimes.Python, Code = code };
        spec = configure?.Invoke(spec) ?? spec;
        var now = DateTimeOffset.UtcNow;
        return new FunctionDefinition(new FunctionId("acme", "shop", name), spec, 1, now, now);
    }

    public static PythonFunction Create(PythonWorkerPool pool, string code, Func<FunctionSpec, FunctionSpec>? configure = null, FunctionLimits? limits = null, Snippets.ISnippetCache? cache = null) =>
        new(Definition(code, configure), pool, limits ?? Limits, NullLogger.Instance, cache);

    public static InvocationRequest Json(string json) => InvocationRequest.Json(json);

    public static InvocationRequest Empty() => InvocationRequest.Json("{}");

    public static string Text(this ExecutionResult result) => Encoding.UTF8.GetString(result.Body.Span);

    public static JsonElement JsonBody(this ExecutionResult result) => JsonDocument.Parse(result.Body).RootElement.Clone();

    public static ImmutableArray<string> Messages(this ExecutionResult result) => [.. result.Logs.Select(l => l.Message)];

    public static int Pid(this ExecutionResult result) => result.JsonBody().GetProperty("pid").GetInt32();

    /// <summary>Gets whether a process is running: it has a /proc entry and is not a zombie waiting to be reaped.</summary>
    public static bool ProcessExists(int pid)
    {
        try
        {
            // /proc/<pid>/stat is "pid (comm) S ...": the state follows the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].TrimStart()[0];
            return state is not ('Z' or 'X');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>Waits until a process has ended (its exit is asynchronous to the call that ended it).</summary>
    public static async Task<bool> ProcessGoneAsync(int pid, int timeoutMs = 5000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (ProcessExists(pid))
        {
            if (Environment.TickCount64 > deadline)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }
}
