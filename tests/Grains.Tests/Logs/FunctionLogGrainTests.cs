using System.Collections.Immutable;
using Granary.Functions;
using Granary.Logs;

namespace Granary.Grains.Tests.Logs;

/// <summary>
/// A function's log store: bounded by lines, bytes and age (the defaults of <see cref="FunctionLogOptions"/>), stored
/// across reactivation, and followed with long-polls that end when lines arrive, when they time out or when the
/// follower cancels.
/// </summary>
[Collection(ClusterGroup.Name)]
public sealed class FunctionLogGrainTests(ClusterFixture fixture)
{
    private static readonly FunctionLogOptions s_defaults = new();

    private IFunctionLogGrain NewLog() =>
        fixture.Client.GetFunctionLog(new FunctionId(ClusterFixture.Tenant, "logs", "f" + Guid.NewGuid().ToString("N")[..12]));

    private static ImmutableArray<FunctionLogEntry> Lines(int count, string prefix = "line ", DateTimeOffset? at = null, string level = "log", int pad = 0) =>
    [
        .. Enumerable.Range(1, count).Select(n => new FunctionLogEntry(0, at ?? DateTimeOffset.UtcNow, level, prefix + n + new string('.', pad), "inv" + n, 1, "silo")),
    ];

    [Fact]
    public async Task TheStoreKeepsTheNewestLinesUpToItsLineBound()
    {
        var log = NewLog();
        await log.AppendAsync(Lines(s_defaults.MaxLines - 5));
        await log.AppendAsync(Lines(10, "more "));

        var stats = await log.GetStatsAsync();
        var newest = await log.QueryAsync(new FunctionLogQuery(Limit: FunctionLogQuery.MaxLimit));

        Assert.Equal(s_defaults.MaxLines, stats.Lines);
        Assert.Equal(s_defaults.MaxLines + 5, stats.LastSequence);
        Assert.Equal(s_defaults.MaxLines, newest.Length);
        Assert.Equal("more 10", newest[0].Message);
        Assert.Equal(s_defaults.MaxLines + 5, newest[0].Sequence);
        Assert.Equal(6, newest[^1].Sequence);
        Assert.Equal([.. newest.Select(l => l.Sequence).OrderDescending()], newest.Select(l => l.Sequence));
    }

    [Fact]
    public async Task TheStoreKeepsNoMoreBytesThanItsByteBound()
    {
        var log = NewLog();
        var line = (int)(s_defaults.MaxBytes / 10);
        await log.AppendAsync(Lines(25, "big ", pad: line - 8));

        var stats = await log.GetStatsAsync();
        var kept = await log.QueryAsync(new FunctionLogQuery(Limit: FunctionLogQuery.MaxLimit));

        Assert.True(stats.Bytes <= s_defaults.MaxBytes, $"{stats.Bytes} bytes kept, over {s_defaults.MaxBytes}");
        Assert.Equal(stats.Lines, kept.Length);
        Assert.InRange(kept.Length, 9, 10);
        Assert.StartsWith("big 25.", kept[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LinesOlderThanTheAgeBoundAreNotKept()
    {
        var log = NewLog();
        await log.AppendAsync(Lines(3, "old ", at: DateTimeOffset.UtcNow.AddHours(-s_defaults.MaxAgeHours - 1)));
        await log.AppendAsync(Lines(2, "new "));

        var kept = await log.QueryAsync(new FunctionLogQuery());

        Assert.Equal(["new 2", "new 1"], kept.Select(l => l.Message));
        Assert.Equal(2, (await log.GetStatsAsync()).Lines);
    }

    [Fact]
    public async Task QueriesFilterByLevelTextAndTimeNewestFirst()
    {
        var log = NewLog();
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        await log.AppendAsync(
        [
            new(0, start, "debug", "Starting", "a", 1, "s"),
            new(0, start.AddMinutes(1), "info", "Loaded CONFIG", "a", 1, "s"),
            new(0, start.AddMinutes(2), "warn", "slow config read", "b", 1, "s"),
            new(0, start.AddMinutes(3), "error", "failed", "c", 2, "s"),
        ]);

        Assert.Equal(["failed", "slow config read"], (await log.QueryAsync(new FunctionLogQuery(Level: "warn"))).Select(l => l.Message));
        Assert.Equal(["slow config read", "Loaded CONFIG"], (await log.QueryAsync(new FunctionLogQuery(Text: "config"))).Select(l => l.Message));
        Assert.Equal(["slow config read", "Loaded CONFIG"], (await log.QueryAsync(new FunctionLogQuery(Since: start.AddMinutes(1), Until: start.AddMinutes(3)))).Select(l => l.Message));
        Assert.Equal(["failed"], (await log.QueryAsync(new FunctionLogQuery(Limit: 1))).Select(l => l.Message));
        Assert.Equal(4, (await log.QueryAsync(new FunctionLogQuery(Level: "debug"))).Length);
    }

    [Fact]
    public async Task LinesSurviveReactivationAndSequencesGoOn()
    {
        var log = NewLog();
        await log.AppendAsync(Lines(3));
        await fixture.Cluster.DeactivateAsync(log);
        await log.AppendAsync(Lines(1, "after "));

        var kept = await log.QueryAsync(new FunctionLogQuery());

        Assert.Equal(["after 1", "line 3", "line 2", "line 1"], kept.Select(l => l.Message));
        Assert.Equal([4L, 3, 2, 1], kept.Select(l => l.Sequence));
    }

    [Fact]
    public async Task AWaitEndsWithTheLinesAppendedAfterIt()
    {
        var log = NewLog();
        await log.AppendAsync(Lines(2, "before "));
        var waiting = log.WaitAsync(null, new FunctionLogQuery(Level: "warn"), TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await EventuallyAsync(async () => (await log.GetStatsAsync()).Followers == 1);

        await log.AppendAsync(Lines(1, "quiet "));
        await log.AppendAsync(Lines(2, "loud ", level: "error"));
        var batch = await waiting;

        Assert.Equal(["loud 1", "loud 2"], batch.Lines.Select(l => l.Message));
        Assert.Equal(5, batch.Next.Sequence);

        // The next wait goes on from the cursor: nothing new, so it times out with no lines.
        var next = await log.WaitAsync(batch.Next, new FunctionLogQuery(), TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken);
        Assert.Empty(next.Lines);
        Assert.Equal(0, (await log.GetStatsAsync()).Followers);
    }

    [Fact]
    public async Task ACancelledWaitEndsAndLeavesNoFollower()
    {
        var log = NewLog();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var waiting = log.WaitAsync(null, new FunctionLogQuery(), TimeSpan.FromSeconds(25), cancel.Token);
        await EventuallyAsync(async () => (await log.GetStatsAsync()).Followers == 1);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await EventuallyAsync(async () => (await log.GetStatsAsync()).Followers == 0);
    }

    [Fact]
    public async Task ACursorOfAnEarlierActivationReadsOnFromTheNewActivationsFirstLine()
    {
        var log = NewLog();
        await log.AppendAsync(Lines(2));
        var cursor = (await log.WaitAsync(null, new FunctionLogQuery(), TimeSpan.Zero, TestContext.Current.CancellationToken)).Next;
        await fixture.Cluster.DeactivateAsync(log);

        // As after a crash that lost lines the follower saw: the cursor is past what the new activation holds.
        await log.AppendAsync(Lines(1, "new "));
        var batch = await log.WaitAsync(cursor with { Sequence = cursor.Sequence + 10 }, new FunctionLogQuery(), TimeSpan.Zero, TestContext.Current.CancellationToken);

        Assert.Equal(["new 1"], batch.Lines.Select(l => l.Message));
    }

    [Fact]
    public async Task ClearDropsEveryLineAndSequencesNeverRepeat()
    {
        var log = NewLog();
        await log.AppendAsync(Lines(3));
        await log.ClearAsync();
        await log.AppendAsync(Lines(1, "again "));

        var kept = await log.QueryAsync(new FunctionLogQuery());

        Assert.Equal(4, Assert.Single(kept).Sequence);
    }

    [Fact]
    public void AnInvocationsLinesAreCutAtTheCapWithAMarker()
    {
        var options = new FunctionLogOptions { MaxBytesPerInvocation = 1000, MaxLinesPerInvocation = 3 };
        var now = DateTimeOffset.UtcNow;
        ImmutableArray<Granary.Functions.LogLine> huge = [new("log", "start", now), new("log", new string('x', 1 << 20), now), new("log", "after", now)];
        ImmutableArray<Granary.Functions.LogLine> many = [.. Enumerable.Range(1, 10).Select(n => new Granary.Functions.LogLine("log", "n" + n, now))];

        var cut = FunctionLogShipper.Cap(huge, "inv", 3, "silo", null, options);
        var counted = FunctionLogShipper.Cap(many, "inv", 3, "silo", "snippet", options);

        Assert.Equal(["start", new string('x', 995)], cut.Take(2).Select(l => l.Message));
        Assert.Equal("warn", cut[2].Level);
        Assert.StartsWith($"[granary] log truncated: {(1 << 20) - 995 + 5} bytes in 2 line(s) not kept", cut[2].Message, StringComparison.Ordinal);
        Assert.Equal(3, cut.Length);
        Assert.Equal(["n1", "n2", "n3"], counted.Take(3).Select(l => l.Message));
        Assert.StartsWith("[granary] log truncated: 15 bytes in 7 line(s) not kept", counted[3].Message, StringComparison.Ordinal);
        Assert.All(counted, l => Assert.Equal(("inv", 3, "silo", "snippet"), (l.InvocationId, l.Version, l.Silo, l.Function)));
    }

    private static async Task EventuallyAsync(Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within 15 s.");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
