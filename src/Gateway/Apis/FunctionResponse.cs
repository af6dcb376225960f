using System.Collections.Immutable;
using Granary.Functions;

namespace Granary.Gateway.Apis;

/// <summary>A function as the management API shows it: the stored definition, its URL and (when asked) its status.</summary>
internal sealed record FunctionResponse(
    string Tenant,
    string Workspace,
    string Name,
    int Version,
    string Url,
    string Runtime,
    string Handler,
    string Signature,
    int TimeoutSeconds,
    int MemoryLimitMb,
    int IdleTimeoutSeconds,
    int MaxConcurrency,
    int MaxInstances,
    ImmutableSortedDictionary<string, string> Env,
    ImmutableSortedDictionary<string, string> Dependencies,
    ImmutableArray<string> Requirements,
    string Access,
    ImmutableArray<string> Secrets,
    SecurityHeaders SecurityHeaders,
    string Isolation,
    string? Module,
    string? Code,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    StatusResponse? Status)
{
    public static FunctionResponse From(FunctionDefinition definition, string url, FunctionStatus? status, bool includeCode = true)
    {
        var spec = definition.Spec;
        return new FunctionResponse(
            definition.Id.Tenant,
            definition.Id.Workspace,
            definition.Id.Name,
            definition.Version,
            url,
            spec.Runtime,
            spec.Handler,
            spec.Signature,
            spec.TimeoutSeconds,
            spec.MemoryLimitMb,
            spec.IdleTimeoutSeconds,
            spec.MaxConcurrency,
            spec.MaxInstances,
            spec.Env.ToImmutableSortedDictionary(StringComparer.Ordinal),
            spec.Dependencies,
            spec.Requirements.IsDefault ? [] : spec.Requirements,
            spec.Access,
            spec.Secrets.IsDefault ? [] : spec.Secrets,
            spec.SecurityHeaders ?? SecurityHeaders.Default,
            spec.Isolation ?? FunctionIsolations.Isolate,
            spec.Runtime == FunctionRuntimes.NodeJs ? FunctionModules.Resolve(spec.Module, spec.Code) : null,
            includeCode ? spec.Code : null,
            definition.CreatedAt,
            definition.UpdatedAt,
            status is null ? null : StatusResponse.From(status));
    }
}

/// <summary>The status block: idle, activating or running, with the activations.</summary>
internal sealed record StatusResponse(FunctionState State, int Activations, ImmutableArray<ActivationInfo> Instances)
{
    public static StatusResponse From(FunctionStatus status) => new(status.State, status.Activations.Length, status.Activations);
}
