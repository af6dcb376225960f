using Granary.Functions;

namespace Granary.Runtime.Signatures.CustomCode;

/// <summary>
/// A workspace's Custom Code snippets gathered into one module (<see cref="SnippetModule"/>): each run takes the
/// workspace cache, and what Granary answers on a snippet's behalf (timeout, memory, a full queue, a module that no
/// longer loads) has the Custom Code service's shape (<see cref="SnippetResults"/>), not problem details.
/// </summary>
public sealed class SnippetsSignature : FunctionSignature
{
    /// <inheritdoc />
    public override string Name => FunctionSignatures.Snippets;

    /// <inheritdoc />
    public override bool UsesWorkspaceCache => true;

    /// <inheritdoc />
    public override ExecutionResult Finish(ExecutionResult result, FunctionMetrics metrics, double durationMs)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Outcome is InvocationOutcomes.Timeout or InvocationOutcomes.MemoryLimit or InvocationOutcomes.LoadError
            ? SnippetResults.FromProblem(result, durationMs)
            : result;
    }

    /// <inheritdoc />
    public override ExecutionResult ShapeProblem(ExecutionResult problem) => SnippetResults.FromProblem(problem, 0);
}
