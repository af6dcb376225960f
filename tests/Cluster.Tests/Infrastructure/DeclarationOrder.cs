using Xunit.Sdk;
using Xunit.v3;

namespace Granary.Cluster.Tests.Infrastructure;

/// <summary>
/// Runs a class's test methods in the order they are written (by source line), for a class whose tests share one
/// cluster and whose last test breaks it (kills a silo). Apply it with <c>[TestMethodOrderer(typeof(DeclarationOrder))]</c>.
/// </summary>
public sealed class DeclarationOrder : ITestMethodOrderer
{
    /// <inheritdoc />
    public IReadOnlyCollection<TTestMethod?> OrderTestMethods<TTestMethod>(IReadOnlyCollection<TTestMethod?> testMethods)
        where TTestMethod : notnull, ITestMethod =>
        [.. testMethods.OrderBy(m => Line(m)).ThenBy(m => m?.MethodName, StringComparer.Ordinal)];

    private static int Line(ITestMethod? method) =>
        (method as IXunitTestMethod)?.FactAttributes.FirstOrDefault()?.SourceLineNumber ?? int.MaxValue;
}
