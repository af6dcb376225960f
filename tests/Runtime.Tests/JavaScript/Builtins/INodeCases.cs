namespace Granary.Runtime.Tests.JavaScript.Builtins;

/// <summary>A built-in module's test class that lists the module's <see cref="NodeCase"/>s.</summary>
public interface INodeCases
{
    /// <summary>The module's cases, in the order their theory rows run.</summary>
    static abstract IReadOnlyList<NodeCase> NodeCases { get; }
}
