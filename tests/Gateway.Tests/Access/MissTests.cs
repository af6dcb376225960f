using System.Diagnostics;
using Granary.Gateway.Access;

namespace Granary.Gateway.Tests.Access;

/// <summary>
/// Unknown names (of a function, a workspace or a tenant): a 404 problem without a grain activation, nothing kept per
/// name, refreshes shared by the misses arriving meanwhile, and never a stale 404 for a name deployed since.
/// </summary>
public sealed class MissTests(AccessFixture fixture) : IClassFixture<AccessFixture>
{
    private GranaryServer Server => fixture.Server;

    [Fact]
    public async Task AnUnknownFunctionWorkspaceOrTenantIsA404ProblemNamingIt()
    {
        var ws = AccessFixture.Workspace();
        var tenant = AccessFixture.Tenant();
        await Server.DeployInAsync("default", ws, "real", AccessCalls.Ok);

        var function = await AccessCalls.ProblemAsync(await Server.InvokeAsAsync(null, "default", ws, "nosuch"), 404, "function-not-found");
        var workspace = await AccessCalls.ProblemAsync(await Server.InvokeAsAsync(null, "default", ws + "x", "real"), 404, "function-not-found");
        var unknownTenant = await AccessCalls.ProblemAsync(await Server.InvokeAsAsync(null, tenant, ws, "real"), 404, "function-not-found");

        Assert.Equal($"There is no function 'nosuch' in workspace '{ws}' of tenant 'default'.", function.GetProperty("detail").GetString());
        Assert.Equal($"There is no function 'real' in workspace '{ws}x' of tenant 'default'.", workspace.GetProperty("detail").GetString());
        Assert.Equal($"There is no function 'real' in workspace '{ws}' of tenant '{tenant}'.", unknownTenant.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AFloodOfMadeUpNamesWakesNoGrainAndKeepsNothing()
    {
        var ws = AccessFixture.Workspace();
        await Server.DeployInAsync("default", ws, "real", AccessCalls.Ok);
        Assert.Equal("ok", await AccessCalls.TextAsync(await Server.InvokeAsAsync(null, "default", ws, "real"), 200));
        var views = Server.Services.GetRequiredService<TenantViews>();
        var before = await ActiveAsync();
        var viewsBefore = views.Count;

        // Sixteen callers at once, each a function, a workspace and a tenant that do not exist, over and over.
        var statuses = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            var seen = new List<int>();
            for (var i = 0; i < 20; i++)
            {
                var made = "n" + Guid.NewGuid().ToString("N")[..12];
                foreach (var (tenant, workspace, name) in new[] { ("default", ws, made), ("default", "w" + made, "real"), (AccessFixture.Tenant(), "w", made) })
                {
                    using var response = await Server.InvokeAsAsync(null, tenant, workspace, name);
                    seen.Add((int)response.StatusCode);
                }
            }

            return seen;
        }));

        Assert.All(statuses.SelectMany(s => s), status => Assert.Equal(404, status));
        Assert.Empty((await ActiveAsync()).Except(before));
        Assert.Equal(viewsBefore, views.Count);
    }

    [Fact]
    public async Task MissesArrivingDuringARefreshShareTheNextOneWhichStartsAfterEachArrived()
    {
        var fetches = 0;
        var answers = new List<TaskCompletionSource<Fetched>>();
        var cached = new TenantViews.Cached<Fetched>(_ => { });
        Task<Fetched> Fetch(Fetched? known)
        {
            var started = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref fetches);
            var answer = new TaskCompletionSource<Fetched>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (answers)
            {
                answers.Add(answer);
            }

            return answer.Task.ContinueWith(_ => new Fetched(started), TaskScheduler.Default);
        }

        var first = cached.FetchedAfterAsync(Stopwatch.GetTimestamp(), Fetch);
        var arrivals = new List<(long Arrived, Task<Fetched> Answer)>();
        for (var i = 0; i < 100; i++)
        {
            var arrived = Stopwatch.GetTimestamp();
            arrivals.Add((arrived, cached.FetchedAfterAsync(arrived, Fetch)));
        }

        // A hundred misses while one refresh runs: none starts another, and none is answered by the running one.
        Assert.Equal(1, fetches);
        Assert.All(arrivals, a => Assert.False(a.Answer.IsCompleted));
        answers[0].SetResult(new Fetched(0));
        await first;

        await AccessCalls.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref fetches) == 2), "the queued refresh starts", TimeSpan.FromSeconds(5));
        answers[1].SetResult(new Fetched(0));
        foreach (var (arrived, answer) in arrivals)
        {
            Assert.True((await answer).FetchedAt >= arrived, "A miss was answered by a refresh that started before it arrived.");
        }

        Assert.Equal(2, fetches);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AFunctionDeployedRightAfterItsNameWasAMissIsInvocableOnTheVeryNextCall(bool newTenant)
    {
        var tenant = newTenant ? AccessFixture.Tenant() : "default";
        var ws = AccessFixture.Workspace();

        // Others keep asking for the name meanwhile, so that the call after the deploy finds refreshes queued.
        using var stop = new CancellationTokenSource();
        var flood = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await Server.InvokeAsAsync(null, tenant, ws, "f0");
            }
        })));

        try
        {
            await AccessCalls.ProblemAsync(await Server.InvokeAsAsync(null, tenant, ws, "f0"), 404, "function-not-found");
            if (newTenant)
            {
                await Server.CreateTenantAsync(tenant);
            }

            for (var i = 0; i < 5; i++)
            {
                var name = $"f{i}";
                await AccessCalls.ProblemAsync(await Server.InvokeAsAsync(null, tenant, ws, name), 404, "function-not-found");
                await Server.DeployInAsync(tenant, ws, name, AccessCalls.Ok);
                Assert.Equal("ok", await AccessCalls.TextAsync(await Server.InvokeAsAsync(null, tenant, ws, name), 200));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await flood;
        }
    }

    // Every active grain of the types an invocation could wake, as "type/key".
    private async Task<HashSet<string>> ActiveAsync()
    {
        var management = Server.Grains.GetGrain<IManagementGrain>(0);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in new[] { "fn", "fndef", "tenant", "tenants", "workspace", "audit" })
        {
            foreach (var id in await management.GetActiveGrains(GrainType.Create(type)))
            {
                ids.Add($"{type}/{id.Key}");
            }
        }

        return ids;
    }

    private sealed record Fetched(long FetchedAt) : TenantViews.IFetched;
}
