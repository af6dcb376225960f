using Granary.Functions;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Runtime.JavaScript;

/// <summary>
/// Trains the bootstrap's code cache once a silo starts: a hello function of Granary's own is loaded in a pool isolate
/// and called twice (a JSON POST and a GET), the cache is written again from that isolate (<see cref="Bootstrap.Recache"/>),
/// and the isolate is discarded with the function. Isolates made afterwards start with the load and call paths of the
/// bootstrap compiled, so that a cold start compiles only the function's own code.
/// </summary>
public static class BootstrapTraining
{
    // Not a name a tenant can have: the training's runs take scheduler slots of their own.
    private static readonly FunctionId s_id = new("(granary)", "bootstrap", "training");

    private const string Code = "module.exports = async (event) => event.method === 'GET' ? 'hello' : ({ hello: 'world', body: event.body });";

    /// <summary>Trains the cache; returns its size in bytes.</summary>
    public static async Task<int> TrainAsync(IsolatePool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var now = DateTimeOffset.UtcNow;
        var definition = new FunctionDefinition(s_id, new FunctionSpec { Runtime = FunctionRuntimes.NodeJs, Code = Code }, 1, now, now);
        await using var function = new JavaScriptFunction(definition, pool, new FunctionLimits(), NullLogger.Instance);
        await function.InvokeAsync(InvocationRequest.Json("{\"name\":\"granary\"}"));
        await function.InvokeAsync(new InvocationRequest { Method = "GET" });
        return await function.RecacheBootstrapAsync();
    }
}
