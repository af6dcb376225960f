using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Granary.Cluster.Tests.Infrastructure;

/// <summary>
/// A child process with captured output and POSIX signals, optionally run as an unprivileged system user: the
/// database servers refuse to run as root, and the tests run as root on the build machines.
/// </summary>
internal sealed partial class ServerProcess : IDisposable
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    private readonly Process _process;

    private ServerProcess(Process process, OutputBuffer output)
    {
        _process = process;
        Output = output;
    }

    public OutputBuffer Output { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Gets the user to run a server as: <paramref name="preferred"/> (the system user its Debian package
    /// created) or <c>nobody</c> when the tests run as root; <see langword="null"/> (the current user) otherwise.
    /// </summary>
    public static string? UnprivilegedUser(string preferred)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return null;
        }

        var users = File.ReadAllLines("/etc/passwd").Select(line => line.Split(':')[0]).ToHashSet(StringComparer.Ordinal);
        return users.Contains(preferred) ? preferred : "nobody";
    }

    /// <summary>Starts a program, through <c>setpriv</c> when it must run as another user.</summary>
    public static ServerProcess Start(string fileName, IEnumerable<string> arguments, string? user, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var startInfo = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        if (user is null)
        {
            startInfo.FileName = fileName;
        }
        else
        {
            // setpriv execs the program, so the child's pid is the server's own and signals reach it directly.
            startInfo.FileName = Binaries.Require("/usr/bin/setpriv", "util-linux");
            foreach (var argument in new[] { $"--reuid={user}", $"--regid={user}", "--clear-groups", "--", fileName })
            {
                startInfo.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            startInfo.Environment.Clear();
            foreach (var (name, value) in environment)
            {
                startInfo.Environment[name] = value;
            }
        }

        var output = new OutputBuffer();
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => output.Append(e.Data);
        process.ErrorDataReceived += (_, e) => output.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServerProcess(process, output);
    }

    /// <summary>Runs a program to completion and fails with its output if it does not exit with 0.</summary>
    public static async Task RunAsync(string fileName, IEnumerable<string> arguments, string? user, TimeSpan timeout, IDictionary<string, string>? environment = null)
    {
        using var process = Start(fileName, arguments, user, environment);
        if (!await process.WaitForExitAsync(timeout))
        {
            process.Signal(SigKill);
            throw new InvalidOperationException($"{fileName} did not finish within {timeout}. Output:\n{process.Output}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}. Output:\n{process.Output}");
        }
    }

    /// <summary>Gives a directory tree to a user (no-op when <paramref name="user"/> is null).</summary>
    public static Task ChownAsync(string path, string? user) =>
        user is null ? Task.CompletedTask : RunAsync("/bin/chown", ["-R", $"{user}:", path], null, TimeSpan.FromSeconds(30));

    public void Signal(int signal)
    {
        if (!_process.HasExited && Kill(_process.Id, signal) != 0 && !_process.HasExited)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>Kills the process and every process it started with SIGKILL.</summary>
    public void KillTree()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Waits for the process to exit and its output to be read; false if the time ran out.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Sends <paramref name="signal"/>, waits, and kills the process if it is still there after the timeout.</summary>
    public async Task StopAsync(int signal, TimeSpan timeout)
    {
        Signal(signal);
        if (!await WaitForExitAsync(timeout))
        {
            Signal(SigKill);
            await WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Signal(SigKill);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
