using System.Diagnostics;

namespace Granary.Runtime.Workers;

/// <summary>
/// What one language's worker processes need from the shared worker machinery (<see cref="WorkerPool"/>,
/// <see cref="WorkerProcess"/>, the sandbox and its egress proxy, which are the worker-process layer of every language):
/// the program, its arguments and environment, the scripts the pool writes for it, and how it is named in messages.
/// The protocol, the warm pool, the limits, the sandbox and the records are the same for every language.
/// </summary>
public abstract class WorkerLauncher
{
    /// <summary>Gets the language as messages name it (<c>Python</c>, <c>Node.js</c>).</summary>
    public abstract string Language { get; }

    /// <summary>Gets the configuration section of the language's worker settings.</summary>
    public abstract string SectionName { get; }

    /// <summary>Gets how to install the program when it is missing (a command).</summary>
    public abstract string InstallHint { get; }

    /// <summary>Gets the prefix of the embedded resources the pool writes to its scripts directory (<c>Prefix/relative/path</c>).</summary>
    public abstract string ScriptResourcePrefix { get; }

    /// <summary>Gets the worker script, relative to the scripts directory.</summary>
    public abstract string WorkerScriptName { get; }

    /// <summary>Gets the prefix of a worker's private temporary directory.</summary>
    public abstract string DirectoryPrefix { get; }

    /// <summary>
    /// Gets other embedded resources the pool writes beside the scripts: resource name → path relative to the scripts
    /// directory (Node.js: the isolate's adapter parts, one copy of each contract's adapter for both modes).
    /// </summary>
    public virtual IReadOnlyDictionary<string, string> SharedScripts { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Prepares the written scripts once per pool (Python compiles them to bytecode); nothing by default.</summary>
    /// <param name="program">The program that runs workers.</param>
    /// <param name="scriptsDirectory">The pool's scripts directory.</param>
    public virtual void PrepareScripts(string program, string scriptsDirectory)
    {
    }

    /// <summary>Adds the program's arguments that run <paramref name="workerScript"/>.</summary>
    public abstract void AddArguments(ProcessStartInfo start, string workerScript, WorkerRuntimeOptions options);

    /// <summary>Adds the language's own environment variables (the environment is cleared before).</summary>
    public abstract void AddEnvironment(IDictionary<string, string?> environment);

    /// <summary>Gets the arguments of a run of the program that does nothing (the sandbox's trial at start-up).</summary>
    public abstract IReadOnlyList<string> TrialArguments { get; }

    /// <summary>
    /// Gets the signal that asks a worker for the log lines of an invocation about to be killed at its timeout (Python:
    /// SIGUSR1, which Node.js reserves for its inspector).
    /// </summary>
    public virtual int LogsSignal => 10;

    /// <summary>
    /// Gets directories of the host every sandboxed worker sees read-only at the same path (the npm packages of Node
    /// workers); none by default.
    /// </summary>
    public virtual IReadOnlyList<string> ReadOnlyDirectories => [];
}
