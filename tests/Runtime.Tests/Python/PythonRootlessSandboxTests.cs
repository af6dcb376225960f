using Granary.Runtime.Python;
using Granary.Runtime.Workers;
using Microsoft.Extensions.Logging.Abstractions;
using static Granary.Runtime.Tests.Python.PythonRunner;

namespace Granary.Runtime.Tests.Python;

/// <summary>A pool whose sandbox takes its rootless form although the tests run as root (the seam <c>RootlessEvenAsRoot</c>).</summary>
public sealed class RootlessSandboxPoolFixture : IAsyncLifetime
{
    private WorkerPool? _pool;

    public WorkerPool Pool => _pool ?? throw new InvalidOperationException("The fixture is not initialized.");

    public WorkerRuntimeOptions Options { get; } = new()
    {
        Interpreter = PythonPoolFixture.Interpreter,
        WarmWorkers = 2,
        MaxFileSizeMb = 8,
        DirectoryQuotaMb = 16,
        TmpQuotaMb = 16,
        RootlessEvenAsRoot = true,
    };

    public async ValueTask InitializeAsync()
    {
        _pool = new WorkerPool(Microsoft.Extensions.Options.Options.Create(Options), NullLogger<WorkerPool>.Instance);
        await _pool.WarmUpAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_pool is not null)
        {
            await _pool.DisposeAsync();
        }
    }
}

/// <summary>
/// The rootless sandbox (a silo that is not root) at the runtime level: every worker is one fixed uid in a user
/// namespace of its own with no capability, and tenants are apart by namespaces. The end-to-end test as a real
/// unprivileged silo is Gateway.Tests' PythonRootlessSandboxTests.
/// </summary>
public sealed class PythonRootlessSandboxTests(RootlessSandboxPoolFixture fixture) : IClassFixture<RootlessSandboxPoolFixture>
{
    private PythonFunction Function(string tenant, string code) => TenantFunction(fixture.Pool, tenant, code);

    [Fact]
    public async Task AWorkerIsTheFixedUidWithoutAnyCapabilityInNamespacesOfItsOwn()
    {
        await using var function = Function("acme", """
            import os

            def main(event, context):
                status = dict(line.split(":", 1) for line in open("/proc/self/status"))
                try:
                    os.unshare(os.CLONE_NEWUSER)
                    nested = "created"
                except (OSError, AttributeError) as e:
                    nested = type(e).__name__
                return {"uid": os.getuid(), "gid": os.getgid(), "capEff": status["CapEff"].strip(), "capBnd": status["CapBnd"].strip(),
                        "userns": os.readlink("/proc/self/ns/user"), "pidns": os.readlink("/proc/self/ns/pid"), "netns": os.readlink("/proc/self/ns/net"),
                        "nested": nested}
            """);

        var body = await OkAsync(function);

        Assert.Equal(WorkerSandbox.RootlessUid, body.GetProperty("uid").GetInt32());
        Assert.Equal(WorkerSandbox.RootlessUid, body.GetProperty("gid").GetInt32());
        Assert.Equal("0000000000000000", body.GetProperty("capEff").GetString());
        Assert.Equal("0000000000000000", body.GetProperty("capBnd").GetString());
        Assert.NotEqual(new FileInfo("/proc/self/ns/user").LinkTarget, body.GetProperty("userns").GetString());
        Assert.NotEqual(new FileInfo("/proc/self/ns/pid").LinkTarget, body.GetProperty("pidns").GetString());
        Assert.NotEqual(new FileInfo("/proc/self/ns/net").LinkTarget, body.GetProperty("netns").GetString());
        Assert.NotEqual("created", body.GetProperty("nested").GetString());
    }

    [Fact]
    public async Task NothingOfTheHostIsMountedWritableButTheWorkersOwnEgressSocket()
    {
        await using var function = Function("acme", """
            def main(event, context):
                writable = []
                for line in open("/proc/self/mountinfo"):
                    fields = line.split()
                    point, options = fields[4], fields[5].split(",")
                    kind = fields[fields.index("-") + 1]
                    # bubblewrap's /dev binds the host's null, zero, full, random, urandom and tty device nodes.
                    device = point in ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty")
                    if "rw" in options and kind not in ("tmpfs", "proc", "mqueue", "devpts") and not device:
                        writable.append(point + " " + kind)
                return {"writable": writable}
            """);

        var body = await OkAsync(function);

        Assert.Equal([WorkerSandbox.EgressSocketMount], body.GetProperty("writable").EnumerateArray().Select(e => e.GetString()!.Split(' ')[0]).ToArray());
    }

    [Fact]
    public async Task AHostWithoutUnprivilegedUserNamespacesRefusesPythonFunctionsNamingBothRemedies()
    {
        // bubblewrap that fails as it does where user namespaces are not allowed.
        await using var pool = new WorkerPool(
            Microsoft.Extensions.Options.Options.Create(new WorkerRuntimeOptions { Interpreter = PythonPoolFixture.Interpreter, WarmWorkers = 1, Bubblewrap = "/bin/false", RootlessEvenAsRoot = true }),
            NullLogger<WorkerPool>.Instance);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => pool.RentAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Granary:Python:Isolation=sandbox", error.Message, StringComparison.Ordinal);
        Assert.Contains("unprivileged user namespace", error.Message, StringComparison.Ordinal);
        Assert.Contains("run the silo as root", error.Message, StringComparison.Ordinal);
        Assert.Contains("kernel.unprivileged_userns_clone=1", error.Message, StringComparison.Ordinal);
        Assert.Contains("user.max_user_namespaces", error.Message, StringComparison.Ordinal);
        Assert.Contains("seccomp profile", error.Message, StringComparison.Ordinal);
        Assert.Contains("Granary:Python:Isolation=none", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoTenantsShareTheUidButNotTheirFilesNorTheirProcesses()
    {
        await using var victim = Function("victim", """
            import os

            def main(event, context):
                with open("secret.txt", "w") as f:
                    f.write("victim-secret-42")
                with open("/tmp/victim-tmp.txt", "w") as f:
                    f.write("victim-secret-42")
                return {"uid": os.getuid(), "cwd": os.getcwd(), "pid": os.getpid(), "pidns": os.readlink("/proc/self/ns/pid")}
            """);
        await using var attacker = Function("attacker", """
            import glob, os, signal

            def main(event, context):
                found = []
                paths = [os.path.join(event["cwd"], "secret.txt"), "/tmp/victim-tmp.txt"]
                paths += glob.glob("/tmp/*") + glob.glob("/tmp/granary-py-*/*") + glob.glob("/proc/*/root/function/*") + glob.glob("/proc/*/root/tmp/*")
                for path in paths:
                    try:
                        with open(path) as f:
                            if "victim-secret-" + str(6 * 7) in f.read():
                                found.append(path)
                    except OSError:
                        pass
                try:
                    os.kill(event["pid"], signal.SIGKILL)
                    killed = "killed"
                except OSError as e:
                    killed = type(e).__name__
                return {"uid": os.getuid(), "found": found, "kill": killed, "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit())}
            """);

        var victimBody = await OkAsync(victim);
        var victimPid = HostPid(victimBody);
        var attack = await OkAsync(attacker, new { cwd = victimBody.GetProperty("cwd").GetString(), pid = victimPid });
        var again = await OkAsync(victim);

        Assert.Equal(victimBody.GetProperty("uid").GetInt32(), attack.GetProperty("uid").GetInt32());
        Assert.Empty(attack.GetProperty("found").EnumerateArray());
        Assert.NotEqual("killed", attack.GetProperty("kill").GetString());
        Assert.Equal([1, 2], attack.GetProperty("pids").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        Assert.Equal(victimPid, HostPid(again));
    }

    [Fact]
    public async Task AChildThatLeftTheSessionEndsWithTheFunction()
    {
        var function = Function("acme", """
            import os, subprocess

            def main(event, context):
                child = subprocess.Popen(["sleep", "600"], start_new_session=True)
                return {"pid": child.pid, "pidns": os.readlink("/proc/self/ns/pid")}
            """);
        int child;
        try
        {
            var body = await OkAsync(function);
            child = HostPid(body);
            Assert.True(ProcessExists(child));
        }
        finally
        {
            await function.DisposeAsync();
        }

        Assert.True(await ProcessGoneAsync(child), $"the setsid child {child} outlived its function");
    }
}
