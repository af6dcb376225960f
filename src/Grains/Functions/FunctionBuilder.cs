using Granary.Tenants;

namespace Granary.Functions;

/// <summary>
/// A deployment's long work, done beside the definition grain rather than in its turns: installs the version's npm
/// dependencies or pip requirements (minutes, for a large set or a slow registry) and compiles and loads its code in a scratch isolate or
/// worker, with its secrets, as it will run. The definition grain awaits the outcome and records it; meanwhile reads
/// of the function, and the reports of its activations, are answered.
/// </summary>
public sealed class FunctionBuilder(FunctionExecutors executors, IGrainFactory grains)
{
    /// <summary>Installs the version's packages and loads its code; returns why it was refused, or null when it may be stored.</summary>
    public Task<CodeError?> BuildAsync(FunctionDefinition candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);

        // On the thread pool: nothing of npm's wait or the compile runs on the calling grain's scheduler.
        return Task.Run(() => BuildOnPoolAsync(candidate));
    }

    private async Task<CodeError?> BuildOnPoolAsync(FunctionDefinition candidate)
    {
        // Installed before the code is checked, so that a require or import of a package at the top of the module loads.
        var packages = await executors.EnsurePackagesAsync(candidate.Spec);
        if (packages.Error is { } installError)
        {
            return new CodeError(CodeErrorKinds.Dependencies, installError);
        }

        // The module loads with its secrets, as it will when it runs: top-level code may read them.
        var (withSecrets, secretError) = await FunctionSecrets.ApplyAsync(grains, candidate);
        return withSecrets is null ? secretError : await executors.ValidateAsync(withSecrets, packages.Directory);
    }
}
