using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Net.Sockets;
using System.Net;
using System.Text.Json;
using System.Text;
using Granary.Functions;
using Granary.Runtime.Egress;
using Granary.Runtime.Python;
using Granary.Runtime.Workers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.Tests.Python;

/// <summary>One warm Python worker pool shared by the Python tests, as a silo shares one. Real python3, real processes.</summary>
public sealed class PythonPoolFixture : IAsyncLifetime
{
    public const string Interpreter = "/usr/bin/python3";

    private WorkerPool? _pool;

    public WorkerPool Pool => _pool ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>
    /// Gets a loopback HTTP server the tests' functions reach through their egress proxy (allowed for this pool only
    /// with Granary:Egress:Allow): sandboxed workers share no file system with the host or each other.
    /// </summary>
    public LoopbackServer Server { get; } = new();

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Interpreter))
        {
            throw new InvalidOperationException($"{Interpreter} is missing: the Python tests run real workers. Install it with: apt-get install -y python3");
        }

        var egress = new EgressPolicy(new EgressOptions { Allow = [$"127.0.0.1:{Server.Port.ToString(CultureInfo.InvariantCulture)}"] });
        _pool = new WorkerPool(Options.Create(new WorkerRuntimeOptions { Interpreter = Interpreter, WarmWorkers = 2 }), NullLogger<WorkerPool>.Instance, egress);
        await _pool.WarmUpAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_pool is not null)
        {
            await _pool.DisposeAsync();
        }

        Server.Dispose();
    }
}

/// <summary>
/// A tiny HTTP server on 127.0.0.1: <c>GET /barrier?key=K&amp;n=N</c> answers once N requests with key K have arrived
/// (or after 20 s), <c>GET /report?key=K&amp;value=V</c> records V under K. Each answer is <c>ok</c>.
/// </summary>
public sealed class LoopbackServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<string, int> _arrived = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _reports = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private int _requests;

    public LoopbackServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Gets how many requests arrived, whatever they asked for.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public IReadOnlyList<string> Reported(string key) => _reports.TryGetValue(key, out var values) ? [.. values] : [];

    public void Dispose()
    {
        _stopping.Cancel();
        _listener.Stop();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
                _ = ServeAsync(client);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var buffer = new byte[8192];
            var length = 0;
            while (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) < 0 && length < buffer.Length)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(length), _stopping.Token);
                if (read == 0)
                {
                    return;
                }

                length += read;
            }

            Interlocked.Increment(ref _requests);
            var target = Encoding.ASCII.GetString(buffer, 0, length).Split(' ')[1];
            var uri = new Uri(new Uri("http://127.0.0.1/"), target);
            var query = uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""), StringComparer.Ordinal);
            var key = query.GetValueOrDefault("key", "");
            if (uri.AbsolutePath == "/barrier")
            {
                var n = int.Parse(query.GetValueOrDefault("n", "1"), CultureInfo.InvariantCulture);
                _arrived.AddOrUpdate(key, 1, (_, count) => count + 1);
                var deadline = Environment.TickCount64 + 20_000;
                while (_arrived[key] < n && Environment.TickCount64 < deadline)
                {
                    await Task.Delay(10, _stopping.Token);
                }
            }
            else if (uri.AbsolutePath == "/report")
            {
                _reports.GetOrAdd(key, _ => new ConcurrentQueue<string>()).Enqueue(query.GetValueOrDefault("value", ""));
            }

            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray(), _stopping.Token);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or FormatException or IndexOutOfRangeException or UriFormatException)
        {
            // The client went away or sent nonsense.
        }
    }
}

/// <summary>Deploys Python code into a <see cref="PythonFunction"/> the way a function grain does, without Orleans.</summary>
internal static class PythonRunner
{
    public static readonly FunctionLimits Limits = new();

    public static FunctionDefinition Definition(string code, Func<FunctionSpec, FunctionSpec>? configure = null, string name = "pyfn")
    {
        var spec = new FunctionSpec { Runtime = FunctionRuntimes.Python, Code = code };
        spec = configure?.Invoke(spec) ?? spec;
        var now = DateTimeOffset.UtcNow;
        return new FunctionDefinition(new FunctionId("acme", "shop", name), spec, 1, now, now);
    }

    public static PythonFunction Create(WorkerPool pool, string code, Func<FunctionSpec, FunctionSpec>? configure = null, FunctionLimits? limits = null, Runtime.Signatures.CustomCode.ISnippetCache? cache = null) =>
        new(Definition(code, configure), pool, limits ?? Limits, NullLogger.Instance, cache);

    public static InvocationRequest Json(string json) => InvocationRequest.Json(json);

    public static InvocationRequest Empty() => InvocationRequest.Json("{}");

    /// <summary>Creates a 30 s function <c>shop/fn</c> of <paramref name="tenant"/> (the sandbox tests' two tenants).</summary>
    public static PythonFunction TenantFunction(WorkerPool pool, string tenant, string code, Func<FunctionSpec, FunctionSpec>? configure = null)
    {
        var spec = new FunctionSpec { Runtime = FunctionRuntimes.Python, Code = code, TimeoutSeconds = 30 };
        spec = configure?.Invoke(spec) ?? spec;
        var now = DateTimeOffset.UtcNow;
        return new PythonFunction(new FunctionDefinition(new FunctionId(tenant, "shop", "fn"), spec, 1, now, now), pool, Limits, NullLogger.Instance);
    }

    /// <summary>Invokes with <paramref name="request"/> as JSON, asserts a 200 (showing the body and logs otherwise) and returns the body.</summary>
    public static async Task<JsonElement> OkAsync(PythonFunction function, object? request = null)
    {
        var result = await function.InvokeAsync(Json(JsonSerializer.Serialize(request ?? new { })));
        Assert.True(result.StatusCode == 200, $"{result.StatusCode}: {result.Text()} {string.Join(" | ", result.Messages())}");
        return result.JsonBody();
    }

    /// <summary>
    /// Gets the host pid of the worker that served <paramref name="result"/>. A sandboxed function sees its pid in its
    /// own PID namespace: it returns that pid and the namespace (<c>"pidns": os.readlink("/proc/self/ns/pid")</c>),
    /// and the process is found on the host by both (while it runs).
    /// </summary>
    public static int Pid(this ExecutionResult result)
    {
        var body = result.JsonBody();
        var pid = body.GetProperty("pid").GetInt32();
        return body.TryGetProperty("pidns", out var ns) ? HostPid(pid, ns.GetString()!) : pid;
    }
}
