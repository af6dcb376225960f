using Xunit.Sdk;
using Xunit.v3;

namespace Granary.Cluster.Tests.Infrastructure;

/// <summary>
/// Runs a class's tests in the order they are written (by source line), for a class whose tests share one cluster
/// and whose last test breaks it (kills a silo).
/// </summary>
public sealed class DeclarationOrder : ITestCaseOrderer
{
    /// <inheritdoc />
    public IReadOnlyCollection<TTestCase> OrderTestCases<TTestCase>(IReadOnlyCollection<TTestCase> testCases)
        where TTestCase : notnull, ITestCase =>
        [.. testCases.OrderBy(t => t.SourceLineNumber ?? int.MaxValue).ThenBy(t => t.TestCaseDisplayName, StringComparer.Ordinal)];
}
