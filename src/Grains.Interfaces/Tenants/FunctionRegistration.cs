using System.Collections.Immutable;

namespace Granary.Tenants;

/// <summary>What a tenant records of one of its functions when it is deployed: what quotas and access rules need.</summary>
/// <param name="Workspace">The function's workspace.</param>
/// <param name="Name">The function's name.</param>
/// <param name="Access">Who may invoke it (see <see cref="FunctionAccess"/>).</param>
/// <param name="Secrets">The names of the tenant secrets it reads.</param>
/// <param name="CodeBytes">The size of its code, in bytes.</param>
/// <param name="DependencySet">A stable name of its npm dependency set, or null when it has none.</param>
[GenerateSerializer, Immutable, Alias("granary.FunctionRegistration")]
public sealed record FunctionRegistration(
    [property: Id(0)] string Workspace,
    [property: Id(1)] string Name,
    [property: Id(2)] string Access,
    [property: Id(3)] ImmutableArray<string> Secrets,
    [property: Id(4)] int CodeBytes,
    [property: Id(5)] string? DependencySet);
