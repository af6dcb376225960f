using System.Diagnostics;
using Granary.Runtime.Workers;

namespace Granary.Runtime.NodeProcess;

/// <summary>
/// Node.js workers for JavaScript's process mode: <c>granary_node_worker.js</c> and the contracts' adapters, run by
/// Debian's <c>node</c>. The installed npm package sets are mounted read-only into every sandboxed worker, where a
/// function's own <c>require</c> finds its set.
/// </summary>
public sealed class NodeLauncher : WorkerLauncher
{
    /// <summary>The configuration section of process mode's workers (the settings of <see cref="WorkerRuntimeOptions"/>).</summary>
    public const string ConfigurationSection = "Granary:NodeProcess";

    // The directories every sandboxed worker sees read-only: the npm package sets.
    private readonly string[] _readOnly;

    /// <summary>The program that runs the workers unless <c>Granary:NodeProcess:Interpreter</c> says otherwise.</summary>
    public const string DefaultProgram = "/usr/bin/node";

    /// <summary>Creates the launcher.</summary>
    /// <param name="packagesDirectory">The directory npm package sets are installed under (<c>Granary:Npm:Directory</c>), if any.</param>
    public NodeLauncher(string? packagesDirectory)
    {
        if (!string.IsNullOrEmpty(packagesDirectory))
        {
            var directory = Directory.CreateDirectory(packagesDirectory);
            if (!OperatingSystem.IsWindows())
            {
                // Sandboxed workers run as their tenant's uid: they read the sets (public npm packages), never write them.
                directory.UnixFileMode |= UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
            }

            _readOnly = [directory.FullName];
        }
        else
        {
            _readOnly = [];
        }
    }

    /// <inheritdoc />
    public override string Language => "Node.js";

    /// <inheritdoc />
    public override string SectionName => ConfigurationSection;

    /// <inheritdoc />
    public override string InstallHint => "apt-get install -y nodejs";

    /// <inheritdoc />
    public override string ScriptResourcePrefix => "Granary.Runtime.NodeProcess.Scripts/";

    /// <inheritdoc />
    public override string WorkerScriptName => "granary_node_worker.js";

    /// <inheritdoc />
    public override string DirectoryPrefix => "granary-node-";

    // The isolate bootstrap's parts the contracts' adapters stand on, and the adapters (Runtime.csproj names them).
    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> SharedScripts { get; } = new[]
    {
        "00-globals.js", "10-encoding.js", "20-url.js", "30-http.js", "40-adapters.js", "41-skipper.js", "42-kyma.js", "45-functions-framework.js", "47-snippets.js",
    }.ToDictionary(part => "Granary.Runtime.JavaScript.Scripts." + part, part => "bootstrap/" + part, StringComparer.Ordinal);

    /// <inheritdoc />
    public override IReadOnlyList<string> TrialArguments { get; } = ["-e", ""];

    // SIGUSR1 starts Node's inspector.
    /// <inheritdoc />
    public override int LogsSignal => 12;

    /// <inheritdoc />
    public override IReadOnlyList<string> ReadOnlyDirectories => _readOnly;

    /// <summary>Gets the directory npm package sets are installed under, or null.</summary>
    public string? PackagesDirectory => _readOnly.Length > 0 ? _readOnly[0] : null;

    /// <inheritdoc />
    public override void AddArguments(ProcessStartInfo start, string workerScript, WorkerRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(start);

        // No REPL history, no inspector, no warnings on the host's stderr pipe beyond a crash's.
        start.ArgumentList.Add("--no-warnings");
        start.ArgumentList.Add(workerScript);
    }

    /// <inheritdoc />
    public override void AddEnvironment(IDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);

        // A few libuv threads: every thread counts against the sandbox's process limit.
        environment["UV_THREADPOOL_SIZE"] = "2";
    }
}
