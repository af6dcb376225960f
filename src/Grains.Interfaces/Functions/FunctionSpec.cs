using System.Collections.Immutable;

namespace Granary.Functions;

/// <summary>
/// What a user deploys: the code of a function and the settings it runs with.
/// Defaults are the ones the management API documents.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.FunctionSpec")]
public sealed record FunctionSpec
{
    /// <summary>The default exported function name.</summary>
    public const string DefaultHandler = "main";

    /// <summary>
    /// The default <see cref="MaxInstances"/>: 10, as Skipper scales a function to 10 replicas. A function runs at most
    /// one instance per silo, so on a single silo it is 1 in effect.
    /// </summary>
    public const int DefaultMaxInstances = 10;

    /// <summary>Gets the runtime: <c>nodejs</c> (JavaScript in a V8 isolate).</summary>
    [Id(0)] public required string Runtime { get; init; }

    /// <summary>Gets the source code of the function module.</summary>
    [Id(1)] public required string Code { get; init; }

    /// <summary>Gets the name of the exported function to call.</summary>
    [Id(2)] public string Handler { get; init; } = DefaultHandler;

    /// <summary>Gets the calling convention (see <see cref="FunctionSignatures"/>).</summary>
    [Id(3)] public string Signature { get; init; } = FunctionSignatures.Handler;

    /// <summary>Gets the longest time one invocation may run, in seconds.</summary>
    [Id(4)] public int TimeoutSeconds { get; init; } = 20;

    /// <summary>Gets the heap limit of each isolate that runs the function, in MiB.</summary>
    [Id(5)] public int MemoryLimitMb { get; init; } = 128;

    /// <summary>Gets the time without requests after which the function scales to zero, in seconds.</summary>
    [Id(6)] public int IdleTimeoutSeconds { get; init; } = 300;

    /// <summary>Gets the number of invocations that may run at once on one silo.</summary>
    [Id(7)] public int MaxConcurrency { get; init; } = 10;

    /// <summary>Gets the environment variables the function sees as <c>process.env</c>.</summary>
    [Id(8)] public ImmutableDictionary<string, string> Env { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Gets the npm packages the code may <c>require</c>: package name → version range, installed at deployment.</summary>
    [Id(9)] public ImmutableSortedDictionary<string, string> Dependencies { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>Gets who may invoke the function: <c>public</c> (anyone) or <c>key</c> (a key of its tenant); see <see cref="Tenants.FunctionAccess"/>.</summary>
    [Id(10)] public string Access { get; init; } = Tenants.FunctionAccess.Public;

    /// <summary>Gets the names of the tenant secrets the function sees as environment variables of the same names.</summary>
    [Id(11)] public ImmutableArray<string> Secrets { get; init; } = [];

    /// <summary>Gets the security headers Granary adds to the function's responses (all on by default).</summary>
    [Id(12)] public SecurityHeaders SecurityHeaders { get; init; } = SecurityHeaders.Default;

    /// <summary>
    /// Gets the module system of a JavaScript function's code (see <see cref="FunctionModules"/>): <c>commonjs</c> or
    /// <c>esm</c>; null to detect it from the code (<see cref="FunctionModules.Resolve"/>).
    /// </summary>
    [Id(13)] public string? Module { get; init; }

    /// <summary>
    /// Gets how a <c>nodejs</c> function runs (see <see cref="FunctionIsolations"/>): <c>isolate</c> (a V8 isolate in the
    /// silo, the default) or <c>process</c> (Node.js worker processes, sandboxed as Python workers are).
    /// </summary>
    [Id(14)] public string Isolation { get; init; } = FunctionIsolations.Isolate;

    /// <summary>
    /// Gets the pip requirements a <c>python</c> function may import: requirement lines as in a <c>requirements.txt</c>
    /// (an entry may hold several lines), installed at deployment.
    /// </summary>
    [Id(15)] public ImmutableArray<string> Requirements { get; init; } = [];

    /// <summary>
    /// Gets the largest number of instances (grain activations, each on its own silo and each running up to
    /// <see cref="MaxConcurrency"/> invocations) the function may scale out to; 1 keeps it on one silo. A function never
    /// runs more instances than the cluster has silos, so on a single silo this is 1 in effect.
    /// </summary>
    [Id(16)] public int MaxInstances { get; init; } = DefaultMaxInstances;
}
