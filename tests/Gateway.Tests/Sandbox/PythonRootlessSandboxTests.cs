using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Granary.Gateway.Tests.Sandbox;

/// <summary>
/// The rootless Python sandbox end to end: the built gateway (with its embedded silo) as a real process of an
/// unprivileged user (nobody, uid 65534, started with setpriv), two tenants and Python functions that try to reach
/// the host and each other. Without root, tenants are apart by namespaces (PID, mount, network), not by uids.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PythonRootlessSandboxTests
{
    private const int Nobody = 65534;
    private const string Setpriv = "/usr/bin/setpriv";
    private const string Bubblewrap = "/usr/bin/bwrap";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnUnprivilegedSiloIsolatesTwoTenantsPythonFunctionsByNamespaces()
    {
        await using var gateway = await UnprivilegedGateway.StartAsync();
        var (a, b, ws) = ("rla" + Guid.NewGuid().ToString("N")[..8], "rlb" + Guid.NewGuid().ToString("N")[..8], "shop");
        await gateway.CreateTenantAsync(a);
        await gateway.CreateTenantAsync(b);
        const string Probe = """
            import _socket, errno, glob, os, socket

            def main(event, context):
                out = {"pid": os.getpid(), "pidns": os.readlink("/proc/self/ns/pid"), "netns": os.readlink("/proc/self/ns/net"), "uid": os.getuid()}
                status = dict(line.split(":", 1) for line in open("/proc/self/status"))
                out["capEff"] = status["CapEff"].strip()
                if event.get("write"):
                    for path in ("/tmp/" + event["name"], os.path.join(os.getcwd(), event["name"])):
                        with open(path, "w") as f:
                            f.write(event["write"])
                    out["cwd"] = os.getcwd()
                found = []
                paths = list(event.get("paths") or []) + glob.glob("/tmp/*") + glob.glob("/tmp/*/*") + glob.glob("/proc/*/root/tmp/*") + glob.glob("/proc/*/root/function/*")
                for path in paths:
                    try:
                        with open(path) as f:
                            if event.get("needle") and event["needle"] in f.read():
                                found.append(path)
                    except OSError:
                        pass
                out["found"] = found
                # The gateway's port, through Python's socket module (the sandbox's egress relay) and through the raw
                # C socket underneath it (the network namespace itself).
                try:
                    socket.create_connection(("127.0.0.1", event["port"]), timeout=10).close()
                    out["connect"] = "connected"
                except OSError as e:
                    out["connect"] = str(e)
                raw = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
                raw.settimeout(10)
                try:
                    raw.connect(("127.0.0.1", event["port"]))
                    out["raw"] = "connected"
                except OSError as e:
                    out["raw"] = errno.errorcode.get(e.errno, str(e))
                finally:
                    raw.close()
                return out
            """;
        await gateway.DeployAsync(a, ws, "probe", Probe);
        await gateway.DeployAsync(b, ws, "probe", Probe);
        await gateway.DeployAsync(a, ws, "spawner", """
            import os

            def main(event, context):
                pid = os.fork()
                if pid == 0:
                    os.setsid()
                    os.execv("/bin/sleep", ["sleep", "600"])
                return {"pid": pid, "pidns": os.readlink("/proc/self/ns/pid")}
            """);

        var secret = "a-secret-" + Guid.NewGuid().ToString("N");
        var name = $"granary-rootless-{Guid.NewGuid():N}.txt";
        var written = await gateway.InvokeAsync(a, ws, "probe", new { write = secret, name, port = gateway.Port });
        var cwd = written.GetProperty("cwd").GetString()!;
        var read = await gateway.InvokeAsync(b, ws, "probe", new { needle = secret, port = gateway.Port, paths = new[] { "/tmp/" + name, Path.Combine(cwd, name) } });

        // The silo is nobody, and so are its workers outside their namespaces.
        Assert.Equal(Nobody, gateway.Uid);
        var workerPid = HostProcesses.HostPid(written);
        Assert.Equal(Nobody, UidOf(workerPid));
        Assert.Equal("0000000000000000", written.GetProperty("capEff").GetString());

        // Each worker has PID and network namespaces of its own (neither the host's nor the other tenant's).
        var hostPidNs = new FileInfo("/proc/self/ns/pid").LinkTarget;
        var hostNetNs = new FileInfo("/proc/self/ns/net").LinkTarget;
        Assert.NotEqual(hostPidNs, written.GetProperty("pidns").GetString());
        Assert.NotEqual(hostNetNs, written.GetProperty("netns").GetString());
        Assert.NotEqual(written.GetProperty("pidns").GetString(), read.GetProperty("pidns").GetString());
        Assert.NotEqual(written.GetProperty("netns").GetString(), read.GetProperty("netns").GetString());

        // The gateway's port is out of reach: refused by the egress relay, and there is nothing to connect to on the
        // sandbox's own loopback.
        foreach (var body in new[] { written, read })
        {
            Assert.NotEqual("connected", body.GetProperty("connect").GetString());
            Assert.Equal("ECONNREFUSED", body.GetProperty("raw").GetString());
        }

        // Tenant b reads nothing tenant a wrote, neither by its path nor by globbing /tmp; nor is it on the host.
        Assert.Empty(read.GetProperty("found").EnumerateArray());
        Assert.False(File.Exists("/tmp/" + name), $"/tmp/{name} of a sandbox is on the host");

        // A child that left the session ends once its function is deleted.
        var spawned = await gateway.InvokeAsync(a, ws, "spawner", new { });
        var child = HostProcesses.HostPid(spawned);
        Assert.True(HostProcesses.ProcessExists(child));
        Assert.Equal(Nobody, UidOf(child));
        await gateway.DeleteAsync(a, ws, "spawner");
        Assert.True(await HostProcesses.ProcessGoneAsync(child, 10_000), $"the setsid child {child} outlived DELETE");
        Assert.True(await HostProcesses.NamespaceGoneAsync(spawned.GetProperty("pidns").GetString()!, 10_000), "the spawner's PID namespace outlived DELETE");

        Assert.Contains("Python sandbox: rootless", gateway.Output, StringComparison.Ordinal);
    }

    private static int UidOf(int pid)
    {
        var line = File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return int.Parse(line[4..].Split('\t', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
    }

    /// <summary>The built gateway (Granary.Gateway.dll beside the tests) as nobody, with a data directory and HOME of nobody's own.</summary>
    private sealed class UnprivilegedGateway : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly string _directory;
        private readonly HttpClient _http;

        private UnprivilegedGateway(Process process, string directory, int port)
        {
            _process = process;
            _directory = directory;
            Port = port;
            _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"), Timeout = TimeSpan.FromSeconds(60) };
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GranaryServer.AdminKey);
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public int Port { get; }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public int Uid => UidOf(_process.Id);

        public static async Task<UnprivilegedGateway> StartAsync()
        {
            // Never skipped: a machine without these cannot say whether the rootless sandbox holds.
            Assert.True(File.Exists(Setpriv), $"{Setpriv} is missing: install util-linux (apt-get install -y util-linux) to run the gateway as an unprivileged user.");
            Assert.True(File.Exists(Bubblewrap), $"{Bubblewrap} is missing: install bubblewrap (apt-get install -y bubblewrap).");
            Assert.True(Environment.IsPrivilegedProcess, "This test starts the gateway as nobody with setpriv, which needs the tests to run as root.");
            var dll = Path.Combine(AppContext.BaseDirectory, "Granary.Gateway.dll");
            var dotnet = ResolveDotnet();
            foreach (var path in new[] { dll, dotnet })
            {
                Assert.True(ReadableByOthers(path, out var blocker), $"{path} is not readable by nobody ({blocker}): build into a directory that others may read (chmod o+rx).");
            }

            var directory = Directory.CreateTempSubdirectory("granary-rootless-").FullName;
            File.SetUnixFileMode(directory, (UnixFileMode)0x1ED);
            var (data, home) = (Path.Combine(directory, "data"), Path.Combine(directory, "home"));
            foreach (var owned in new[] { data, home })
            {
                Directory.CreateDirectory(owned);
                Chown(owned);
            }

            var port = GranaryServer.FreePort();
            var info = new ProcessStartInfo(Setpriv)
            {
                WorkingDirectory = home,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { $"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", "--", dotnet, dll })
            {
                info.ArgumentList.Add(argument);
            }

            info.Environment.Clear();
            info.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
            info.Environment["HOME"] = home;
            info.Environment["DOTNET_CLI_HOME"] = home;
            info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            info.Environment["DOTNET_NOLOGO"] = "1";
            info.Environment["TMPDIR"] = "/tmp";
            info.Environment["PORT"] = port.ToString(CultureInfo.InvariantCulture);
            info.Environment["Granary__Auth__AdminKey"] = GranaryServer.AdminKey;
            info.Environment["Granary__Storage__Path"] = data;
            info.Environment["Granary__Cluster__SiloPort"] = GranaryServer.FreePort().ToString(CultureInfo.InvariantCulture);
            info.Environment["Granary__Cluster__GatewayPort"] = GranaryServer.FreePort().ToString(CultureInfo.InvariantCulture);
            info.Environment["Granary__Cluster__ClusterId"] = "granary-rootless-" + Guid.NewGuid().ToString("N");
            info.Environment["Granary__Python__WarmWorkers"] = "1";
            info.Environment["Logging__LogLevel__Default"] = "Warning";
            info.Environment["Logging__LogLevel__Granary.Runtime.Workers"] = "Information";
            info.Environment["Logging__Console__FormatterName"] = "simple";

            var gateway = new UnprivilegedGateway(Process.Start(info)!, directory, port);
            try
            {
                await gateway.WaitUntilReadyAsync();
            }
            catch
            {
                await gateway.DisposeAsync();
                throw;
            }

            return gateway;
        }

        public async Task CreateTenantAsync(string tenant) =>
            await ExpectAsync(await _http.PutAsJsonAsync($"/api/v1/tenants/{tenant}", new { }, Cancel), $"create tenant {tenant}");

        public async Task DeployAsync(string tenant, string workspace, string name, string code) =>
            await ExpectAsync(
                await _http.PutAsJsonAsync(GranaryServer.FunctionPath(workspace, name, tenant), new { runtime = "python", code, timeoutSeconds = 30 }, Cancel),
                $"deploy of {tenant}/{workspace}/{name}");

        public async Task DeleteAsync(string tenant, string workspace, string name) =>
            await ExpectAsync(await _http.DeleteAsync(GranaryServer.FunctionPath(workspace, name, tenant), Cancel), $"delete of {tenant}/{workspace}/{name}");

        public async Task<JsonElement> InvokeAsync(string tenant, string workspace, string name, object body)
        {
            var response = await _http.PostAsJsonAsync($"/fn/{tenant}/{workspace}/{name}", body, Cancel);
            var text = await ExpectAsync(response, $"invocation of {tenant}/{workspace}/{name}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            if (!_process.HasExited)
            {
                // setpriv exec'd dotnet: this is the gateway itself, which ends its workers as it stops.
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The temporary directory goes with the OS's cleanup.
            }
        }

        private async Task<string> ExpectAsync(HttpResponseMessage response, string what)
        {
            var text = await response.Content.ReadAsStringAsync(Cancel);
            Assert.True(response.IsSuccessStatusCode, $"{what}: {(int)response.StatusCode} {text}\n--- gateway output ---\n{Output}");
            return text;
        }

        private void Append(string? line)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }

        private async Task WaitUntilReadyAsync()
        {
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (DateTime.UtcNow < deadline)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"the gateway run as nobody exited with {_process.ExitCode}:\n{Output}");
                }

                try
                {
                    using var response = await _http.GetAsync("/readyz", Cancel);
                    if (response.IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(200, Cancel);
            }

            throw new TimeoutException($"the gateway run as nobody was not ready within 90 s:\n{Output}");
        }

        private static string ResolveDotnet()
        {
            foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
            {
                var candidate = Path.Combine(directory, "dotnet");
                if (File.Exists(candidate))
                {
                    return new FileInfo(candidate).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? candidate;
                }
            }

            return Environment.ProcessPath is { } host && Path.GetFileName(host) == "dotnet" ? host : "/usr/bin/dotnet";
        }

        // Every directory above the file searchable by others and the file readable by them.
        private static bool ReadableByOthers(string path, out string blocker)
        {
            var file = File.GetUnixFileMode(path);
            if (!file.HasFlag(UnixFileMode.OtherRead))
            {
                blocker = $"{path} lacks o+r";
                return false;
            }

            for (var directory = Path.GetDirectoryName(path); !string.IsNullOrEmpty(directory); directory = Path.GetDirectoryName(directory))
            {
                if (!File.GetUnixFileMode(directory).HasFlag(UnixFileMode.OtherExecute))
                {
                    blocker = $"{directory} lacks o+x";
                    return false;
                }
            }

            blocker = "";
            return true;
        }

        private static void Chown(string path)
        {
            using var chown = Process.Start(new ProcessStartInfo("chown", [$"{Nobody}:{Nobody}", path]) { UseShellExecute = false })!;
            chown.WaitForExit();
            Assert.Equal(0, chown.ExitCode);
        }
    }
}
