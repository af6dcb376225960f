namespace Granary.Functions;

/// <summary>The answer to a deployment: the stored definition, or why the code was refused.</summary>
/// <param name="Outcome">Whether the function was created, updated or the code refused.</param>
/// <param name="Definition">The stored definition, unless refused.</param>
/// <param name="Error">Why the code was refused, if it was.</param>
[GenerateSerializer, Immutable, Alias("granary.DeployResult")]
public sealed record DeployResult(
    [property: Id(0)] DeployOutcome Outcome,
    [property: Id(1)] FunctionDefinition? Definition,
    [property: Id(2)] CodeError? Error)
{
    /// <summary>Creates a refusal.</summary>
    public static DeployResult Rejected(CodeError error) => new(DeployOutcome.Rejected, null, error);
}
