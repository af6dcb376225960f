using System.Diagnostics;
using Granary.Runtime.Workers;

namespace Granary.Runtime.Python;

/// <summary>CPython workers: <c>granary_worker.py</c> and the <c>granary_adapters</c> package, run by <c>python3 -I -u -B</c>.</summary>
public sealed class PythonLauncher : WorkerLauncher
{
    /// <summary>The configuration section of Python's workers (the settings of <see cref="WorkerRuntimeOptions"/>).</summary>
    public const string ConfigurationSection = "Granary:Python";

    /// <summary>Gets the one instance.</summary>
    public static PythonLauncher Instance { get; } = new();

    /// <inheritdoc />
    public override string Language => "Python";

    /// <inheritdoc />
    public override string SectionName => ConfigurationSection;

    /// <inheritdoc />
    public override string InstallHint => "apt-get install -y python3";

    // Embedded as "Granary.Runtime.Python.Scripts/<path>" (Runtime.csproj): the worker and the granary_adapters package.
    /// <inheritdoc />
    public override string ScriptResourcePrefix => "Granary.Runtime.Python.Scripts/";

    /// <inheritdoc />
    public override string WorkerScriptName => "granary_worker.py";

    /// <inheritdoc />
    public override string DirectoryPrefix => "granary-py-";

    /// <inheritdoc />
    public override IReadOnlyList<string> TrialArguments { get; } = ["-I", "-c", "pass"];

    // The sandbox mounts the scripts read-only: their bytecode is compiled here, once.
    /// <inheritdoc />
    public override void PrepareScripts(string program, string scriptsDirectory)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-I", "-m", "compileall", "-q", scriptsDirectory })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"The Python interpreter {program} did not start.");
        _ = process.StandardOutput.ReadToEnd();
        _ = process.StandardError.ReadToEnd();
        process.WaitForExit();
    }

    /// <inheritdoc />
    public override void AddArguments(ProcessStartInfo start, string workerScript, WorkerRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(start);

        // Isolated mode: no user site directory, no PYTHON* variables, no script directory on sys.path.
        start.ArgumentList.Add("-I");
        start.ArgumentList.Add("-u");
        start.ArgumentList.Add("-B");
        start.ArgumentList.Add(workerScript);
    }

    /// <inheritdoc />
    public override void AddEnvironment(IDictionary<string, string?> environment)
    {
        // None: -I ignores every PYTHON* variable (-B and -u say what PYTHONDONTWRITEBYTECODE and PYTHONUNBUFFERED
        // would, and the worker's LANG is C.UTF-8), and the worker clears its environment before it loads a function.
        ArgumentNullException.ThrowIfNull(environment);
    }
}
