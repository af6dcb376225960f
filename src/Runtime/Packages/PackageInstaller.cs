using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Packages;

/// <summary>
/// What npm and pip installs share: one directory per distinct package set under <see cref="Root"/>, named by a hash
/// of the set, shared by every function and workspace that declares the same set. A set is installed once per silo at
/// a time (a gate per set), into a hidden staging directory that is renamed into place only when the tool has
/// succeeded and the <see cref="MarkerFileName"/> marker is written, so no reader, in this process or another, ever
/// sees a half-installed set; the tool is killed at its time limit; failures leave nothing behind and are never
/// remembered (a later deploy retries: the registry or index may have been down).
/// </summary>
public abstract partial class PackageInstaller
{
    /// <summary>The file that marks a directory whose install completed.</summary>
    public const string MarkerFileName = ".granary-installed";

    /// <summary>The tool's cache (downloads), kept under the root so installs never use the operator's home directory.</summary>
    protected const string CacheDirectoryName = ".cache";

    private const int MaxErrorLength = 2000;

    private static readonly PackageInstall s_nothing = new(null, null);

    private readonly ILogger _logger;

    // Installed sets by hash: the hot path (every activation of a function with packages) does no I/O.
    private readonly ConcurrentDictionary<string, string> _installed = new(StringComparer.Ordinal);

    // One gate per set: concurrent activations of functions sharing a set wait for one tool run.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    private long _installs;

    /// <summary>Creates the installer.</summary>
    /// <param name="root">The directory the sets go to (made absolute).</param>
    /// <param name="tool">The tool's name in messages and logs (<c>npm</c>, <c>pip</c>).</param>
    /// <param name="logger">The logger.</param>
    protected PackageInstaller(string root, string tool, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentException.ThrowIfNullOrEmpty(tool);
        ArgumentNullException.ThrowIfNull(logger);
        Root = Path.GetFullPath(root);
        Tool = tool;
        _logger = logger;
    }

    /// <summary>Gets the directory the installs go to.</summary>
    public string Root { get; }

    /// <summary>Gets how many times this service has started its tool.</summary>
    public long Installs => Interlocked.Read(ref _installs);

    /// <summary>Gets the tool's name in messages and logs.</summary>
    protected string Tool { get; }

    /// <summary>The outcome when a function declares no packages.</summary>
    protected static PackageInstall Nothing => s_nothing;

    /// <summary>The name of a set: 16 hex digits of the SHA-256 of its canonical text (the same set gives the same name).</summary>
    protected static string Hash(string canonical) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..16];

    /// <summary>
    /// Makes sure the set named <paramref name="hash"/> is installed and returns its directory. When it is not,
    /// <paramref name="install"/> runs once (callers for the same set wait for it) with a fresh, empty staging
    /// directory and returns null on success or the tool's message; the staging directory then becomes the set's.
    /// </summary>
    protected async Task<PackageInstall> EnsureSetAsync(string hash, Func<string, CancellationToken, Task<string?>> install, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(install);
        if (Installed(hash) is { } installed)
        {
            return installed;
        }

        var gate = _gates.GetOrAdd(hash, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            // Whoever held the gate may have just installed the same set (or another silo sharing the directory).
            if (Installed(hash) is { } justInstalled)
            {
                return justInstalled;
            }

            var directory = Path.Combine(Root, hash);
            var staging = Path.Combine(Root, "." + hash + "." + Guid.NewGuid().ToString("N")[..8]);
            string? error;
            try
            {
                Directory.CreateDirectory(staging);
                error = await install(staging, cancellationToken);
                if (error is null)
                {
                    await File.WriteAllTextAsync(Path.Combine(staging, MarkerFileName), DateTimeOffset.UtcNow.ToString("O"), CancellationToken.None);
                    Publish(staging, directory);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The data directory itself is the problem (read-only, full disk): say so rather than throw.
                LogInstallDirectoryFailed(Tool, directory, ex);
                error = $"{Tool} install could not use its directory '{directory}': {ex.Message}";
            }
            finally
            {
                TryDelete(staging);
            }

            if (error is not null)
            {
                return new PackageInstall(null, error);
            }

            _installed[hash] = directory;
            return new PackageInstall(directory, null);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Runs the tool: stdin closed, output collected, killed (with its children) after the time limit of <paramref name="settings"/>.
    /// Returns null when it exits with 0, else the message to answer with (its output through <paramref name="summarize"/>,
    /// or why it could not start or finish, naming the settings).
    /// </summary>
    protected async Task<string?> RunToolAsync(ProcessStartInfo start, ToolSettings settings, int count, string directory, Func<string, string, int, string> summarize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(summarize);
        start.UseShellExecute = false;
        start.CreateNoWindow = true;
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;

        using var process = new Process { StartInfo = start };
        LogInstalling(count, Tool, directory);
        var started = Stopwatch.GetTimestamp();
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            LogToolNotStarted(Tool, settings.CommandSetting, start.FileName, ex);
            // ENOENT (2): no such file on PATH; EACCES (13) is reported with the system's own words.
            return ex.NativeErrorCode == 2
                ? $"{Tool} was not found ({settings.CommandSetting} = '{start.FileName}'); install it with: {settings.InstallHint}"
                : $"{Tool} could not be started ({settings.CommandSetting} = '{start.FileName}'): {ex.Message}";
        }

        Interlocked.Increment(ref _installs);
        // The tool must never wait for an answer on stdin.
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            await Task.WhenAll(stdout, stderr).WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await DrainAsync(stdout, stderr);
            cancellationToken.ThrowIfCancellationRequested();
            LogInstallTimedOut(Tool, directory, settings.TimeoutSeconds);
            return $"{Tool} install timed out after {settings.TimeoutSeconds} s ({settings.TimeoutSetting}).";
        }

        var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (process.ExitCode == 0)
        {
            LogInstalled(count, Tool, directory, elapsedMs);
            return null;
        }

        var message = $"{Tool} install failed: " + Shorten(summarize(await stderr, await stdout, process.ExitCode));
        LogInstallFailed(Tool, directory, process.ExitCode, message);
        return message;
    }

    // The end of a long message: the tool's last lines say what went wrong.
    private static string Shorten(string summary)
    {
        if (summary.Length <= MaxErrorLength)
        {
            return summary;
        }

        var tail = summary[^MaxErrorLength..];
        var lineStart = tail.IndexOf('\n', StringComparison.Ordinal);
        return "…\n" + (lineStart >= 0 ? tail[(lineStart + 1)..] : tail);
    }

    // The set's directory when it is installed: known to this process, or marked complete on disk by an earlier one.
    private PackageInstall? Installed(string hash)
    {
        if (_installed.TryGetValue(hash, out var ready))
        {
            return new PackageInstall(ready, null);
        }

        var directory = Path.Combine(Root, hash);
        if (!File.Exists(Path.Combine(directory, MarkerFileName)))
        {
            return null;
        }

        _installed[hash] = directory;
        return new PackageInstall(directory, null);
    }

    // The rename is atomic: the set's directory appears complete or not at all. A directory already there without the
    // marker is an install that an older version interrupted; one with it was published by another silo meanwhile.
    private static void Publish(string staging, string directory)
    {
        if (Directory.Exists(directory))
        {
            if (File.Exists(Path.Combine(directory, MarkerFileName)))
            {
                return;
            }

            Directory.Delete(directory, recursive: true);
        }

        try
        {
            Directory.Move(staging, directory);
        }
        catch (IOException) when (File.Exists(Path.Combine(directory, MarkerFileName)))
        {
            // Another silo published the same set between the check and the rename.
        }
    }

    private void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            LogKillFailed(Tool, process.Id, ex);
        }
    }

    // Once the tool is killed its pipes close; the readers are awaited so that none outlives the process object.
    private static async Task DrainAsync(Task stdout, Task stderr)
    {
        try
        {
            await Task.WhenAll(stdout, stderr).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or ObjectDisposedException)
        {
            // A grandchild still holds the pipe open; the reads end with it.
        }
    }

    private void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogCleanupFailed(Tool, directory, ex);
        }
    }

    [LoggerMessage(EventId = 3300, Level = LogLevel.Information, Message = "Installing {Count} {Tool} packages into {Directory}")]
    private partial void LogInstalling(int count, string tool, string directory);

    [LoggerMessage(EventId = 3301, Level = LogLevel.Information, Message = "Installed {Count} {Tool} packages into {Directory} in {ElapsedMs:F0} ms")]
    private partial void LogInstalled(int count, string tool, string directory, double elapsedMs);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Warning, Message = "{Tool} install into {Directory} exited with code {ExitCode}: {Error}")]
    private partial void LogInstallFailed(string tool, string directory, int exitCode, string error);

    [LoggerMessage(EventId = 3303, Level = LogLevel.Warning, Message = "{Tool} install into {Directory} did not finish within {TimeoutSeconds} s and was killed")]
    private partial void LogInstallTimedOut(string tool, string directory, int timeoutSeconds);

    [LoggerMessage(EventId = 3304, Level = LogLevel.Error, Message = "{Tool} could not be started ({Setting} = '{Command}')")]
    private partial void LogToolNotStarted(string tool, string setting, string command, Exception exception);

    [LoggerMessage(EventId = 3305, Level = LogLevel.Warning, Message = "Could not delete the {Tool} staging directory {Directory}")]
    private partial void LogCleanupFailed(string tool, string directory, Exception exception);

    [LoggerMessage(EventId = 3306, Level = LogLevel.Warning, Message = "Could not kill {Tool} (process {ProcessId})")]
    private partial void LogKillFailed(string tool, int processId, Exception exception);

    [LoggerMessage(EventId = 3307, Level = LogLevel.Error, Message = "Could not prepare the {Tool} install directory {Directory}")]
    private partial void LogInstallDirectoryFailed(string tool, string directory, Exception exception);

    /// <summary>How one tool is run and named in messages.</summary>
    /// <param name="CommandSetting">The setting that names the tool's command (for messages).</param>
    /// <param name="InstallHint">How to install the tool when it is missing.</param>
    /// <param name="TimeoutSeconds">How long one install may run.</param>
    /// <param name="TimeoutSetting">The setting that sets the time limit (for messages).</param>
    protected sealed record ToolSettings(string CommandSetting, string InstallHint, int TimeoutSeconds, string TimeoutSetting);
}
