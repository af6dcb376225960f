using System.Diagnostics;
using System.Text;

namespace Granary.Gateway.Tests.Conformance;

/// <summary>
/// Granary's single-function mode as a real process (`Granary.Gateway serve …`) in its own working directory,
/// started the way the conformance client starts a framework: flags and environment, then requests on the port.
/// </summary>
public sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private ServeProcess(Process process, string directory, int port)
    {
        _process = process;
        Directory = directory;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        process.OutputDataReceived += (_, e) => { lock (_stdout) { _stdout.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (_stderr) { _stderr.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Directory { get; }

    public HttpClient Http { get; }

    public string Stdout { get { lock (_stdout) { return _stdout.ToString(); } } }

    public string Stderr { get { lock (_stderr) { return _stderr.ToString(); } } }

    public static async Task<ServeProcess> StartAsync(string source, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("granary-serve-test-").FullName;
        // Laid out as the Node framework's conformance folder: function.js named by package.json.
        await File.WriteAllTextAsync(Path.Combine(directory, "function.js"), source);
        await File.WriteAllTextAsync(Path.Combine(directory, "package.json"), """{ "name": "conformance", "main": "function.js" }""");
        var port = GranaryServer.FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Granary.Gateway.dll"));
        info.ArgumentList.Add("serve");
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var serve = new ServeProcess(Process.Start(info)!, directory, port);
        await serve.WaitUntilServingAsync();
        return serve;
    }

    public async Task<string> ReadOutputAsync() => await File.ReadAllTextAsync(Path.Combine(Directory, "function_output.json"));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // The temporary directory goes with the OS's cleanup.
        }
    }

    private async Task WaitUntilServingAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"granary serve exited with {_process.ExitCode}:\n{Stdout}\n{Stderr}");
            }

            if (Stdout.Contains("Serving function", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"granary serve did not start within a minute:\n{Stdout}\n{Stderr}");
    }
}
