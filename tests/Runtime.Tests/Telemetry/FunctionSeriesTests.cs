using Granary.Functions;
using Granary.Runtime.Telemetry;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.Tests.Telemetry;

/// <summary>The cardinality guard: a function's tags are made once; past the cap new functions share their tenant's overflow series.</summary>
public sealed class FunctionSeriesTests
{
    [Fact]
    public void AFunctionGetsTheSameSeriesEveryTimeAndItsOwnTags()
    {
        var series = new FunctionSeries(Options.Create(new MetricsOptions { MaxFunctionSeries = 10 }));

        var first = series.For(new FunctionId("acme", "shop", "checkout"));

        Assert.Same(first, series.For(new FunctionId("acme", "shop", "checkout")));
        Assert.Equal(
            [new("granary.tenant", "acme"), new("granary.workspace", "shop"), new("faas.name", "checkout")],
            first.Tags.ToArray());
        Assert.Equal(1, series.Count);
    }

    [Fact]
    public void PastTheCapNewFunctionsShareTheirTenantsOtherSeriesAndKnownOnesKeepTheirs()
    {
        var series = new FunctionSeries(Options.Create(new MetricsOptions { MaxFunctionSeries = 2 }));
        var a = series.For(new FunctionId("acme", "w", "a"));
        series.For(new FunctionId("acme", "w", "b"));

        var c = series.For(new FunctionId("acme", "w", "c"));
        var d = series.For(new FunctionId("acme", "other", "d"));
        var elsewhere = series.For(new FunctionId("globex", "w", "e"));

        Assert.Same(c, d);
        Assert.Equal([new("granary.tenant", "acme"), new("granary.workspace", "_other"), new("faas.name", "_other")], c.Tags.ToArray());
        Assert.Equal("globex", elsewhere.Tags[0].Value);
        Assert.Equal("_other", elsewhere.Tags[2].Value);
        Assert.Same(a, series.For(new FunctionId("acme", "w", "a")));
        Assert.Equal(2, series.Count);
    }

    [Fact]
    public void TheSdksCardinalityLimitSitsAboveWhatTheCapAllows()
    {
        var options = new MetricsOptions { MaxFunctionSeries = 1000 };

        // faas.errors splits each function's series by up to three outcomes, granary.throttled by two throttles.
        Assert.True(options.CardinalityLimit > options.MaxFunctionSeries * 3);
        Assert.True(options.CardinalityLimit > 2000);
    }
}
