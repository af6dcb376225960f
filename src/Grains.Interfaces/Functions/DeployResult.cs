namespace Granary.Functions;

/// <summary>The answer to a deployment: the stored definition, or why the code was refused.</summary>
/// <param name="Outcome">Whether the function was created, updated or the code refused.</param>
/// <param name="Definition">The stored definition, unless refused.</param>
/// <param name="Error">Why the code was refused, if it was.</param>
/// <param name="Refusal">Why the tenant refused the function (no such tenant, a quota, a missing secret), if it did.</param>
[GenerateSerializer, Immutable, Alias("granary.DeployResult")]
public sealed record DeployResult(
    [property: Id(0)] DeployOutcome Outcome,
    [property: Id(1)] FunctionDefinition? Definition,
    [property: Id(2)] CodeError? Error,
    [property: Id(3)] Tenants.TenantRefusal? Refusal = null)
{
    /// <summary>Creates a refusal of the code.</summary>
    public static DeployResult Rejected(CodeError error) => new(DeployOutcome.Rejected, null, error);

    /// <summary>Creates a refusal by the tenant.</summary>
    public static DeployResult Refused(Tenants.TenantRefusal refusal) => new(DeployOutcome.Rejected, null, null, refusal);
}
