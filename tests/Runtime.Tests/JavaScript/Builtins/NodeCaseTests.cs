using System.Diagnostics.CodeAnalysis;
using Granary.Runtime.JavaScript;

namespace Granary.Runtime.Tests.JavaScript.Builtins;

/// <summary>
/// A built-in module's tests: one theory over the module's <see cref="INodeCases.NodeCases"/>, a row a case, each
/// row named by its case; the module's class adds its other tests as facts.
/// </summary>
/// <typeparam name="TModule">The module's test class.</typeparam>
public abstract class NodeCaseTests<TModule>(IsolatePoolFixture fixture)
    where TModule : INodeCases
{
    /// <summary>The names of the module's cases, as theory data.</summary>
    [SuppressMessage("Design", "CA1000", Justification = "xUnit reads theory data from a static member, here one per module.")]
    public static TheoryData<string> Cases => NodeCase.Names(TModule.NodeCases);

    /// <summary>The isolate pool the built-in module tests share.</summary>
    protected IsolatePool Pool => fixture.Pool;

    [Theory]
    [MemberData(nameof(Cases))]
    public Task ReturnsWhatNodeReturns(string name) => NodeCase.AssertAsync(fixture.Pool, TModule.NodeCases, name);
}
