using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Gateway.Tests.CustomCode;

namespace Granary.Gateway.Tests.Python;

/// <summary>
/// Python functions through the real gateway and real python3 worker processes: deployment checks, every
/// signature's basic round trip, faults, isolation, scale to zero stopping the process, and Custom Code snippets.
/// </summary>
public sealed class PythonFunctionTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private GranaryServer Server => fixture.Server;

    private Task<JsonElement> DeployPythonAsync(string ws, string name, string code, object? settings = null)
    {
        var body = new Dictionary<string, object?> { ["runtime"] = "python" };
        foreach (var property in JsonSerializer.SerializeToElement(settings ?? new { }).EnumerateObject())
        {
            body[property.Name] = property.Value;
        }

        return Server.DeployOkAsync(ws, name, code, body);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    // A killed process stays in /proc as a zombie until its parent reaps it; a zombie runs nothing.
    private static bool ProcessExists(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid}/status").Contains("State:\tZ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    private static async Task<bool> GoneWithinAsync(int pid, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (ProcessExists(pid) && clock.Elapsed < within)
        {
            await Task.Delay(50);
        }

        return !ProcessExists(pid);
    }

    [Fact]
    public async Task AHandlerFunctionRunsInAPythonWorker()
    {
        var ws = GatewayFixture.Workspace();
        var deployed = await DeployPythonAsync(ws, "hello", "def main(event, context):\n    return {'hello': event.get('name', 'world'), 'method': context['method']}\n");

        var result = await JsonAsync(await Server.InvokeAsync(ws, "hello", "{\"name\":\"py\"}"));

        Assert.Equal("python", deployed.GetProperty("runtime").GetString());
        Assert.Equal("py", result.GetProperty("hello").GetString());
        Assert.Equal("POST", result.GetProperty("method").GetString());
    }

    [Fact]
    public async Task ASyntaxErrorIsRefusedAtDeploymentWithLineAndColumn()
    {
        var ws = GatewayFixture.Workspace();

        var response = await Server.DeployAsync(ws, "broken", "def main(event, context):\n    return (1 +\n", new { runtime = "python" });
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("compile", problem.GetProperty("kind").GetString());
        Assert.Contains("SyntaxError", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(problem.GetProperty("line").GetInt32() >= 2, problem.GetRawText());
        Assert.Equal(JsonValueKind.Number, problem.GetProperty("column").ValueKind);
    }

    [Fact]
    public async Task AnExceptionIs500WithItsTypeAndMessageAndTheTracebackIsInTheLogs()
    {
        var ws = GatewayFixture.Workspace();
        await DeployPythonAsync(ws, "fails", "def main(event, context):\n    print('before')\n    raise ValueError('no good')\n");

        var response = await Server.InvokeAsync(ws, "fails", "{}");
        var records = await Server.GetJsonAsync(GranaryServer.FunctionPath(ws, "fails") + "/invocations");
        var record = records.GetProperty("invocations")[0];
        var logs = record.GetProperty("logs").EnumerateArray().Select(l => l.GetProperty("message").GetString()).ToList();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("ValueError", record.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("no good", record.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("before", logs);
        Assert.Contains(logs, l => l!.Contains("Traceback", StringComparison.Ordinal) && l.Contains("ValueError: no good", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ALoopIsStoppedAtTheTimeoutAndTheNextCallGetsAFreshWorker()
    {
        var ws = GatewayFixture.Workspace();
        // A sandboxed worker is known by its PID namespace (inside it, every worker is pid 2).
        await DeployPythonAsync(ws, "loop", $"import os\ndef main(event, context):\n    if event.get('loop'):\n        while True:\n            pass\n    return {{'ns': {HostProcesses.PidNamespace}}}\n", new { timeoutSeconds = 1 });
        var before = (await JsonAsync(await Server.InvokeAsync(ws, "loop", "{}"))).GetProperty("ns").GetString()!;

        var looped = await Server.InvokeAsync(ws, "loop", "{\"loop\":true}");
        var after = (await JsonAsync(await Server.InvokeAsync(ws, "loop", "{}"))).GetProperty("ns").GetString();

        Assert.Equal(HttpStatusCode.GatewayTimeout, looped.StatusCode);
        Assert.NotEqual(before, after);
        Assert.True(await HostProcesses.NamespaceGoneAsync(before, 5000), $"the looping worker of {before} should have been killed");
    }

    [Fact]
    public async Task ACrashedWorkerIs500AndTheNextCallGetsAFreshOne()
    {
        var ws = GatewayFixture.Workspace();
        await DeployPythonAsync(ws, "crash", "import os\ndef main(event, context):\n    if event.get('crash'):\n        os._exit(3)\n    return 'fine'\n");

        var crashed = await Server.InvokeAsync(ws, "crash", "{\"crash\":true}");
        var text = await crashed.Content.ReadAsStringAsync();
        var next = await Server.InvokeAsync(ws, "crash", "{}");

        Assert.Equal(HttpStatusCode.InternalServerError, crashed.StatusCode);
        Assert.Contains("exit code 3", text, StringComparison.Ordinal);
        Assert.Equal("fine", await next.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OutgrowingTheMemoryLimitIs500AndTheNextCallGetsAFreshWorker()
    {
        var ws = GatewayFixture.Workspace();
        await DeployPythonAsync(ws, "hog", "def main(event, context):\n    if event.get('hog'):\n        x = bytearray(512 * 1024 * 1024)\n    return 'small'\n", new { memoryLimitMb = 64 });

        var hog = await Server.InvokeAsync(ws, "hog", "{\"hog\":true}");
        var body = await hog.Content.ReadAsStringAsync();
        var problem = JsonDocument.Parse(body).RootElement;
        var next = await Server.InvokeAsync(ws, "hog", "{}");

        Assert.Equal(HttpStatusCode.InternalServerError, hog.StatusCode);
        Assert.True(problem.GetProperty("title").GetString() == "Memory limit exceeded", body);
        Assert.Equal("small", await next.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheFunctionSeesItsOwnEnvironmentAndNothingOfTheHosts()
    {
        var ws = GatewayFixture.Workspace();
        await DeployPythonAsync(ws, "env", "import os\ndef main(event, context):\n    return {'keys': sorted(os.environ.keys()), 'mine': os.environ.get('MINE'), 'cwd': os.getcwd()}\n", new { env = new { MINE = "yes" } });

        var result = await JsonAsync(await Server.InvokeAsync(ws, "env", "{}"));
        var keys = result.GetProperty("keys").EnumerateArray().Select(k => k.GetString()).ToList();

        Assert.Equal("yes", result.GetProperty("mine").GetString());
        Assert.DoesNotContain("HOME", keys);
        Assert.DoesNotContain("DOTNET_ROOT", keys);
        Assert.All(Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k != "MINE"), k => Assert.DoesNotContain(k, keys));
        Assert.NotEqual(Environment.CurrentDirectory, result.GetProperty("cwd").GetString());
    }

    [Fact]
    public async Task AFunctionCannotReadTheSilosEnvironmentOrItsDataDirectory()
    {
        var ws = GatewayFixture.Workspace();
        const string Code = """
            import os
            def attempt(path, read):
                try:
                    read(path)
                    return 'read'
                except (PermissionError, FileNotFoundError):
                    return 'denied'
            def main(event, context):
                return {
                    'uid': os.getuid(),
                    'environ': attempt('/proc/%d/environ' % os.getppid(), lambda p: open(p, 'rb').read()),
                    'silo': attempt('/proc/%d/environ' % event['silo'], lambda p: open(p, 'rb').read()),
                    'data': attempt(os.environ['DATA'], os.listdir),
                }
            """;
        await DeployPythonAsync(ws, "snoop", Code, new { env = new { DATA = Server.DataPath } });

        var result = await JsonAsync(await Server.InvokeAsync(ws, "snoop", $"{{\"silo\":{Environment.ProcessId}}}"));

        // The silo runs as root here (CI and this machine), so its workers run sandboxed as their tenant's uid
        // (Granary:Python:UidRangeStart and up), and see neither the silo's processes nor its files.
        Assert.True(Environment.IsPrivilegedProcess, "these tests expect to run as root, as the test command does");
        Assert.True(result.GetProperty("uid").GetInt32() >= 1_000_000_000, result.GetRawText());
        Assert.Equal("denied", result.GetProperty("environ").GetString());
        Assert.Equal("denied", result.GetProperty("silo").GetString());
        Assert.Equal("denied", result.GetProperty("data").GetString());
    }

    [Fact]
    public async Task ScalingToZeroStopsTheWorkerProcessAndRemovesItsDirectory()
    {
        var ws = GatewayFixture.Workspace();
        await DeployPythonAsync(ws, "nap", $"import os\ndef main(event, context):\n    return {{'pid': os.getpid(), 'pidns': {HostProcesses.PidNamespace}, 'cwd': os.getcwd()}}\n", new { idleTimeoutSeconds = 1 });
        var result = await JsonAsync(await Server.InvokeAsync(ws, "nap", "{}"));
        var pidns = result.GetProperty("pidns").GetString()!;
        var pid = HostProcesses.HostPid(result.GetProperty("pid").GetInt32(), pidns);
        var cwd = result.GetProperty("cwd").GetString()!;
        var running = await Server.GetJsonAsync(GranaryServer.FunctionPath(ws, "nap"));
        Assert.True(ProcessExists(pid));
        Assert.True(running.GetProperty("status").GetProperty("instances")[0].GetProperty("isolates").GetInt32() >= 1, running.GetRawText());

        await Server.WaitForStateAsync(ws, "nap", "idle");

        Assert.True(await GoneWithinAsync(pid, TimeSpan.FromSeconds(10)), $"worker {pid} should be gone once the function scaled to zero");

        // The worker's directory is a tmpfs of its sandbox: it is gone with the sandbox's last process.
        Assert.Equal("/function", cwd);
        Assert.True(await HostProcesses.NamespaceGoneAsync(pidns, 10_000), $"the sandbox {pidns} should be gone");
    }

    [Fact]
    public async Task SeveralWorkersServeOneFunctionUpToItsConcurrency()
    {
        var ws = GatewayFixture.Workspace();
        await DeployPythonAsync(ws, "slow", $"import os, time\ndef main(event, context):\n    start = time.time()\n    time.sleep(0.5)\n    return {{'ns': {HostProcesses.PidNamespace}, 'start': start, 'end': time.time()}}\n", new { maxConcurrency = 4 });
        await Server.InvokeAsync(ws, "slow", "{}");

        // Up to four run at once and the rest wait (the fixture allows a queue of two). Each worker is a sandbox of its
        // own, known by its PID namespace; when each call ran shows how many overlapped. How many workers a busy machine
        // starts before the first call ends varies, so only the bounds are certain: several, never more than four.
        var runs = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ => await JsonAsync(await Server.InvokeAsync(ws, "slow", "{}"))));

        Assert.InRange(runs.Select(r => r.GetProperty("ns").GetString()).Distinct().Count(), 2, 4);
        Assert.InRange(MostAtOnce(runs.Select(r => (r.GetProperty("start").GetDouble(), r.GetProperty("end").GetDouble()))), 2, 4);
    }

    // The most intervals that overlap at any instant (an end before a start at the same instant).
    private static int MostAtOnce(IEnumerable<(double Start, double End)> intervals) =>
        intervals.SelectMany(i => new[] { (At: i.Start, Step: 1), (At: i.End, Step: -1) })
            .OrderBy(e => e.At).ThenBy(e => e.Step)
            .Aggregate((Now: 0, Most: 0), (s, e) => (s.Now + e.Step, Math.Max(s.Most, s.Now + e.Step))).Most;

    [Fact]
    public async Task AKymaFunctionGetsTheEventAndContext()
    {
        var ws = GatewayFixture.Workspace();
        await DeployPythonAsync(ws, "kyma", "def main(event, context):\n    return {'data': event['data'], 'fn': context['function-name']}\n", new { signature = "kyma" });

        // Kyma's Python runtime fills event['data'] only for exactly "application/json" (no charset).
        var content = new StringContent("{\"n\":1}");
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var result = await JsonAsync(await Server.Http.PostAsync($"/fn/default/{ws}/kyma", content));

        Assert.Equal(1, result.GetProperty("data").GetProperty("n").GetInt32());
        Assert.Equal("kyma", result.GetProperty("fn").GetString());
    }

    [Fact]
    public async Task AFunctionsFrameworkHttpFunctionGetsAFlaskLikeRequest()
    {
        var ws = GatewayFixture.Workspace();
        await DeployPythonAsync(ws, "ff", "def hello(request):\n    return ({'arg': request.args.get('x'), 'json': request.get_json()}, 201, {'X-Py': 'yes'})\n", new { signature = "http", handler = "hello" });

        var response = await Server.Http.PostAsync($"/fn/default/{ws}/ff?x=1", new StringContent("{\"a\":2}", System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("yes", Assert.Single(response.Headers.GetValues("X-Py")));
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal("1", body.GetProperty("arg").GetString());
        Assert.Equal(2, body.GetProperty("json").GetProperty("a").GetInt32());
    }

    [Fact]
    public async Task PythonSnippetsRunInTheirWorkspaceWithTheSharedCache()
    {
        var ws = CustomCodeFixture.Workspace();
        var py = (string code, params (string, string)[] parameters) =>
        {
            var snippet = CustomCodeCalls.Snippet(code, parameters);
            snippet["language"] = "python";
            return snippet;
        };
        await Server.PutWorkspaceOkAsync(ws, new JsonObject
        {
            ["hello"] = py("return 'Hello ' + name", ("name", "string")),
            ["twice"] = py("return (await hello(name=name)) + '!'", ("name", "string")),
            ["count"] = py("cache['n'] = (cache.get('n') or 0) + 1\nreturn cache['n']"),
            ["jsRead"] = CustomCodeCalls.Snippet("return 'js sees ' + cache.n;"),
        });

        Assert.Equal("Hello world", (await Server.ResultAsync(ws, "hello", new { name = "world" })).GetString());
        Assert.Equal("Hello py!", (await Server.ResultAsync(ws, "twice", new { name = "py" })).GetString());
        Assert.Equal(1, (await Server.ResultAsync(ws, "count")).GetInt32());
        Assert.Equal(2, (await Server.ResultAsync(ws, "count")).GetInt32());
        Assert.Equal("js sees 2", (await Server.ResultAsync(ws, "jsRead")).GetString());
    }

    [Fact]
    public async Task APythonSnippetThatDoesNotCompileIsRefusedNamingItAndTheWorkspaceKeepsServing()
    {
        var ws = CustomCodeFixture.Workspace();
        var good = CustomCodeCalls.Snippet("return 'still here'");
        good["language"] = "python";
        await Server.PutWorkspaceOkAsync(ws, new JsonObject { ["good"] = good });
        var broken = CustomCodeCalls.Snippet("x = 1\nreturn (x +");
        broken["language"] = "python";

        var response = await Server.PutWorkspaceAsync(ws, new JsonObject { ["good"] = good.DeepClone(), ["broken"] = broken });
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("CompilationError", error.GetProperty("error").GetString());
        Assert.Equal("broken", error.GetProperty("details").GetProperty("function").GetString());
        Assert.Equal("still here", (await Server.ResultAsync(ws, "good")).GetString());
    }
}
