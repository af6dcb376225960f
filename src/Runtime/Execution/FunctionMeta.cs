using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Granary.Functions;
using Granary.Runtime.Egress;

namespace Granary.Runtime.Execution;

/// <summary>What the module loader and the adapters know about the function they serve.</summary>
public sealed record FunctionMeta
{
    /// <summary>Gets the function name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the workspace.</summary>
    public required string Workspace { get; init; }

    /// <summary>Gets the tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the exported function to call.</summary>
    public required string Handler { get; init; }

    /// <summary>Gets the calling convention.</summary>
    public required string Signature { get; init; }

    /// <summary>Gets the runtime name.</summary>
    public required string Runtime { get; init; }

    /// <summary>Gets the invocation timeout in seconds.</summary>
    public int TimeoutSeconds { get; init; }

    /// <summary>Gets the heap limit in MiB.</summary>
    public int MemoryLimitMb { get; init; }

    /// <summary>Gets the request body limit in MiB (Kyma's <c>body-size-limit</c>).</summary>
    public double BodySizeLimitMb { get; init; }

    /// <summary>Gets the environment the function sees as <c>process.env</c>.</summary>
    public ImmutableDictionary<string, string> Env { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Gets the module system the JavaScript code runs as (<see cref="FunctionModules"/>): <c>commonjs</c> or <c>esm</c>.</summary>
    public string Module { get; init; } = FunctionModules.CommonJs;

    /// <summary>Gets the Node built-in modules <c>require</c> may load (those Granary implements for V8).</summary>
    public ImmutableArray<string> BuiltinModules { get; init; } = [];

    /// <summary>Gets the default Kyma event publisher (Kyma's <c>PUBLISHER_PROXY_ADDRESS</c>), if configured.</summary>
    public string? PublisherProxyAddress { get; init; }

    /// <summary>
    /// Gets the egress policy the function's <c>fetch</c> connects through (for <see cref="Tenant"/>); host-side only.
    /// </summary>
    [JsonIgnore]
    public EgressPolicy Egress { get; init; } = EgressPolicy.Default;

    /// <summary>Gets the limits of the function's <c>fetch</c> (JavaScript), or null for the defaults; host-side only.</summary>
    [JsonIgnore]
    public FetchLimits? Fetch { get; init; }

    /// <summary>Gets whether <c>require('fs')</c> is available (single-function mode only).</summary>
    public bool FileSystem => FileSystemRoot is not null;

    /// <summary>Gets the directory the function's file system is confined to; host-side only.</summary>
    [JsonIgnore]
    public string? FileSystemRoot { get; init; }

    /// <summary>Gets whether <c>require</c> loads npm packages (the function declared dependencies and they are installed).</summary>
    public bool Packages => PackagesRoot is not null;

    /// <summary>Gets the directory the function's npm dependencies are installed in (it holds <c>node_modules</c>); host-side only.</summary>
    [JsonIgnore]
    public string? PackagesRoot { get; init; }

    /// <summary>
    /// Builds the meta of a deployed definition, as every runtime sees it; a runtime adds what only it uses (the
    /// JavaScript runtime: built-in modules, packages, file system, <c>fetch</c>) with <c>with</c>.
    /// <paramref name="publisherProxyAddress"/> is the operator's Kyma publisher address, if any.
    /// </summary>
    public static FunctionMeta From(FunctionDefinition definition, FunctionLimits limits, string? publisherProxyAddress)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(limits);
        var spec = definition.Spec;
        var maxBodyBytes = limits.MaxRequestBodyBytes;
        return new FunctionMeta
        {
            Name = definition.Id.Name,
            Workspace = definition.Id.Workspace,
            Tenant = definition.Id.Tenant,
            Handler = spec.Handler,
            Signature = spec.Signature,
            Runtime = spec.Runtime,
            TimeoutSeconds = spec.TimeoutSeconds,
            MemoryLimitMb = spec.MemoryLimitMb,
            BodySizeLimitMb = maxBodyBytes / (1024.0 * 1024.0),
            Env = spec.Env,
            PublisherProxyAddress = string.IsNullOrEmpty(publisherProxyAddress) ? null : publisherProxyAddress,
        };
    }
}
