using System.Net;
using Granary.Functions;

namespace Granary.Gateway.Tests.Hosting;

/// <summary>
/// The embedded gateway's warm path: a loaded function on its own silo is invoked on the request's thread, without a
/// grain call, and is still the same function to everything else (records, versions, limits, scale to zero).
/// </summary>
public sealed class LocalInvocationTests : IAsyncLifetime
{
    private readonly InvokeCalls _calls = new();
    private GranaryServer _server = null!;

    public async ValueTask InitializeAsync() =>
        _server = await GranaryServer.StartAsync(services: services => services.AddSingleton<IIncomingGrainCallFilter>(_calls));

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task OnlyTheCallThatLoadsTheFunctionIsAGrainCallAndEveryCallIsRecorded()
    {
        var ws = GatewayFixture.Workspace();
        await _server.DeployOkAsync(ws, "warm", "let n = 0; module.exports = () => String(++n);");

        var bodies = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            bodies.Add(await TextAsync(ws, "warm"));
        }

        Assert.Equal(Enumerable.Range(1, 20).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), bodies);
        Assert.Equal(1, _calls.For($"default/{ws}/warm"));
        var records = (await _server.GetJsonAsync(GranaryServer.FunctionPath(ws, "warm") + "/invocations")).GetProperty("invocations").EnumerateArray().ToList();
        Assert.Equal(20, records.Count);
        Assert.Equal(20, records.Select(r => r.GetProperty("id").GetString()).Distinct().Count());
        Assert.Single(records, r => r.GetProperty("cold").GetBoolean());
    }

    [Fact]
    public async Task ACallAfterAnUpdateAnsweredRunsTheNewVersion()
    {
        var ws = GatewayFixture.Workspace();
        await _server.DeployOkAsync(ws, "versioned", "module.exports = () => 'one';");
        Assert.Equal("one", await TextAsync(ws, "versioned"));
        Assert.Equal("one", await TextAsync(ws, "versioned"));

        await _server.DeployOkAsync(ws, "versioned", "module.exports = () => 'two';");

        Assert.Equal("two", await TextAsync(ws, "versioned"));
    }

    [Fact]
    public async Task ADeletedFunctionIsNotServedFromTheWarmPath()
    {
        var ws = GatewayFixture.Workspace();
        await _server.DeployOkAsync(ws, "doomed", "module.exports = () => 'here';");
        Assert.Equal("here", await TextAsync(ws, "doomed"));

        (await _server.Http.DeleteAsync(GranaryServer.FunctionPath(ws, "doomed"))).EnsureSuccessStatusCode();

        using var response = await _server.Http.GetAsync($"/fn/default/{ws}/doomed");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task MaxConcurrencyAndTheQueueBoundHoldOnTheWarmPath()
    {
        var ws = GatewayFixture.Workspace();
        await _server.DeployOkAsync(ws, "slow", "module.exports = () => new Promise(r => setTimeout(() => r('done'), 400));", new { maxConcurrency = 1, maxInstances = 1 });
        Assert.Equal("done", await TextAsync(ws, "slow"));

        // One runs, Granary:Limits:MaxQueueLength (default 100) wait; the 102nd and later are refused with 429.
        var calls = Enumerable.Range(0, 110).Select(_ => _server.Http.GetAsync($"/fn/default/{ws}/slow")).ToList();
        var answers = await Task.WhenAll(calls);
        try
        {
            Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.TooManyRequests);
            Assert.All(answers, a => Assert.True(a.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"{a.StatusCode}"));
        }
        finally
        {
            foreach (var answer in answers)
            {
                answer.Dispose();
            }
        }
    }

    [Fact]
    public async Task AFunctionServedOnlyFromTheWarmPathStillScalesToZero()
    {
        var ws = GatewayFixture.Workspace();
        await _server.DeployOkAsync(ws, "brief", "module.exports = () => 'ok';", new { idleTimeoutSeconds = 1 });
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("ok", await TextAsync(ws, "brief"));
        }

        var local = _server.Services.GetRequiredService<LocalFunctions>();
        var id = new FunctionId("default", ws, "brief");
        Assert.Contains(id, local.Active);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (local.Active.Contains(id) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.DoesNotContain(id, local.Active);
        Assert.Equal(1, _calls.For($"default/{ws}/brief"));

        // And it wakes again: a grain call, which loads it.
        Assert.Equal("ok", await TextAsync(ws, "brief"));
        Assert.Equal(2, _calls.For($"default/{ws}/brief"));
    }

    private async Task<string> TextAsync(string workspace, string name)
    {
        using var response = await _server.InvokeAsync(workspace, name);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {body}");
        return body;
    }

    // Counts IFunctionGrain.InvokeAsync calls per grain key on the silo.
    private sealed class InvokeCalls : IIncomingGrainCallFilter
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _counts = new();

        public int For(string key) => _counts.GetValueOrDefault(key);

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.Name == nameof(IFunctionGrain.InvokeAsync) && context.Grain is IFunctionGrain)
            {
                _counts.AddOrUpdate(context.TargetId.Key.ToString()!, 1, static (_, n) => n + 1);
            }

            return context.Invoke();
        }
    }
}
