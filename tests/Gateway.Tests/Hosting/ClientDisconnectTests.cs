using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Gateway.Tests.CustomCode;
using Granary.Gateway.Tests.Sandbox;

namespace Granary.Gateway.Tests.Hosting;

/// <summary>
/// A gateway whose functions may reach one loopback server (<c>Granary:Egress:Allow</c>): a function reports each step
/// of its work there, so a test sees from outside whether it still runs.
/// </summary>
public sealed class ReportingFixture : IAsyncLifetime
{
    public GranaryServer Server { get; private set; } = null!;

    /// <summary>Gets the server functions report to.</summary>
    public TestServer Reports { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Reports = await TestServer.StartAsync();
        Server = await GranaryServer.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Granary:Egress:Allow:0"] = $"127.0.0.1:{Reports.Port}",
            // A Custom Code run may take as long as the functions here (their timeoutSeconds).
            ["Granary:Workspaces:RunTimeoutMs"] = "30000",
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Reports.DisposeAsync();
    }
}

/// <summary>
/// An HTTP client that goes away mid-call stops its function (through <c>/fn/…</c> and the Custom Code API's run): the
/// request's abort reaches the function grain as a cancelled token, and the runtime stops the function, even one that
/// ignores every signal it can. Each function here would run until its timeout; it reports to a loopback server every
/// 100 ms or holds a request to it open, so the test watches it from outside.
/// </summary>
public sealed class ClientDisconnectTests(ReportingFixture fixture) : IClassFixture<ReportingFixture>
{
    // Longer than any wait here after the client leaves (20 s), so a function that was not stopped fails the test; and
    // short, so that such a function does not spin on into the tests that measure isolate threads' CPU time.
    private const int TimeoutSeconds = 30;

    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(20);

    private GranaryServer Server => fixture.Server;

    private string ReportsUrl => fixture.Reports.Url;

    [Fact]
    public async Task AJavaScriptFunctionStopsWhenItsClientDisconnects()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "ticker", $$"""
            module.exports = async (event) => {
              for (let n = 0; ; n++) {
                await (await fetch('{{ReportsUrl}}/json?id=' + event.id + '&n=' + n)).text();
                await new Promise(r => setTimeout(r, 100));
              }
            };
            """, new { timeoutSeconds = TimeoutSeconds });

        await StopsWhenTheClientLeavesAsync($"/fn/default/{ws}/ticker", id => JsonSerializer.Serialize(new { id }));
    }

    [Fact]
    public async Task ACustomCodeRunStopsWhenItsClientDisconnects()
    {
        var ws = CustomCodeFixture.Workspace();
        await Server.PutWorkspaceOkAsync(ws, new JsonObject
        {
            ["ticker"] = CustomCodeCalls.Snippet($$"""
                for (let n = 0; ; n++) {
                  await (await fetch('{{ReportsUrl}}/json?id=' + id + '&n=' + n)).text();
                  await new Promise(r => setTimeout(r, 100));
                }
                """, ("id", "string")),
        });

        await StopsWhenTheClientLeavesAsync($"/v2/functions/{ws}/run/ticker", id => JsonSerializer.Serialize(new { parameters = new { id } }));
    }

    [Fact]
    public async Task APythonFunctionThatIgnoresSignalsAndCatchesEverythingStopsWhenItsClientDisconnects()
    {
        var ws = GatewayFixture.Workspace();
        await Server.DeployOkAsync(ws, "stubborn", $$"""
            import signal, time, urllib.request

            def main(event, context):
                for name in ('SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGXCPU'):
                    try:
                        signal.signal(getattr(signal, name), signal.SIG_IGN)
                    except BaseException:
                        pass
                n = 0
                while True:
                    try:
                        urllib.request.urlopen('{{ReportsUrl}}/json?id=%s&n=%d' % (event['id'], n), timeout=5).read()
                        n += 1
                        time.sleep(0.1)
                    except BaseException:
                        pass
            """, new { runtime = "python", timeoutSeconds = TimeoutSeconds });

        await StopsWhenTheClientLeavesAsync($"/fn/default/{ws}/stubborn", id => JsonSerializer.Serialize(new { id }));
    }

    [Fact]
    public async Task AJavaScriptFunctionThatSpinsStopsWhenItsClientDisconnectsAndFreesItsIsolate()
    {
        var ws = GatewayFixture.Workspace();
        var hold = Guid.NewGuid().ToString("N");
        var released = fixture.Reports.WatchHold(hold);

        // A request held open while the function lives (a fetch in flight ends with its invocation), then a spin that
        // never yields. One isolate: the next call runs only once the spin is over.
        await Server.DeployOkAsync(ws, "spinner", $$"""
            module.exports = async (event) => {
              if (!event.spin) return 'free';
              fetch('{{ReportsUrl}}/hold?id={{hold}}').catch(() => {});
              await (await fetch('{{ReportsUrl}}/arrived?id={{hold}}')).text();
              for (;;) {}
            };
            """, new { timeoutSeconds = TimeoutSeconds, maxConcurrency = 1, maxInstances = 1 });
        Assert.Equal("free", await (await Server.InvokeAsync(ws, "spinner", "{}")).Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        using var leave = new CancellationTokenSource();
        var call = PostAsync($"/fn/default/{ws}/spinner", "{\"spin\":true}", leave.Token);
        await EventuallyAsync(() => fixture.Reports.Received.Any(r => r.StartsWith($"GET /arrived?id={hold}", StringComparison.Ordinal)), "the function to start spinning");
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        await released.WaitAsync(s_within, TestContext.Current.CancellationToken);
        var next = await Server.InvokeAsync(ws, "spinner", "{}").WaitAsync(s_within, TestContext.Current.CancellationToken);
        Assert.Equal("free", await next.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    // Starts the function, waits until it has reported three steps, lets the client go away, and expects the reports to
    // stop: a quiet stretch of four seconds (the function reports every 100 ms while it runs) within 20 s.
    private async Task StopsWhenTheClientLeavesAsync(string path, Func<string, string> body)
    {
        var id = Guid.NewGuid().ToString("N");
        using var leave = new CancellationTokenSource();
        var call = PostAsync(path, body(id), leave.Token);
        await EventuallyAsync(() => Reports(id) >= 3, "the function to report three steps");

        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        var clock = Stopwatch.StartNew();
        var (count, since) = (Reports(id), clock.Elapsed);
        while (clock.Elapsed - since < TimeSpan.FromSeconds(4))
        {
            Assert.True(clock.Elapsed < s_within, $"the function still reported {Reports(id)} steps {clock.Elapsed} after its client left");
            await Task.Delay(100, TestContext.Current.CancellationToken);
            if (Reports(id) != count)
            {
                (count, since) = (Reports(id), clock.Elapsed);
            }
        }
    }

    // Sends an invocation on a connection of its own, so that cancelling it closes that connection (the client leaves).
    private async Task PostAsync(string path, string json, CancellationToken leave)
    {
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { BaseAddress = Server.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", GranaryServer.AdminKey);
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content, leave);
        Assert.Fail($"the call answered {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)} instead of running until its client left");
    }

    private int Reports(string id) => fixture.Reports.Received.Count(r => r.Contains($"id={id}&", StringComparison.Ordinal));

    private static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < s_within, $"waited {clock.Elapsed} for {what}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
