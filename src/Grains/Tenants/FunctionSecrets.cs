using Granary.Functions;

namespace Granary.Tenants;

/// <summary>Puts the values of the secrets a function names into its environment, read from its tenant when it loads.</summary>
internal static class FunctionSecrets
{
    /// <summary>
    /// Returns the definition with its secrets added to <see cref="FunctionSpec.Env"/> (the stored definition never
    /// holds them), or why it cannot load (a secret that no longer exists).
    /// </summary>
    public static async Task<(FunctionDefinition? Definition, CodeError? Error)> ApplyAsync(IGrainFactory grains, FunctionDefinition definition)
    {
        if (definition.Spec.Secrets.IsDefaultOrEmpty)
        {
            return (definition, null);
        }

        var (refusal, values) = await grains.GetGrain<ITenantGrain>(definition.Id.Tenant).GetSecretValuesAsync(definition.Spec.Secrets);
        return refusal is not null
            ? (null, new CodeError(CodeErrorKinds.Load, refusal.Detail))
            : (definition with { Spec = definition.Spec with { Env = definition.Spec.Env.SetItems(values) } }, null);
    }
}
