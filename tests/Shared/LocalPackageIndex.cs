using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Granary.Tests;

/// <summary>
/// A PEP 503 package index on 127.0.0.1 (<c>python3 -m http.server</c> over a temporary directory), serving wheels and
/// source distributions the tests build here: nothing on the internet is reachable. Shared by the runtime and gateway
/// tests (linked into both projects).
/// </summary>
internal sealed class LocalPackageIndex : IDisposable
{
    /// <summary>The interpreter that serves the index (and that the workers and pip use).</summary>
    public const string Interpreter = "/usr/bin/python3";

    private readonly Process _server;

    public LocalPackageIndex()
    {
        if (!File.Exists(Interpreter))
        {
            throw new InvalidOperationException($"{Interpreter} is missing: the pip tests serve an index with it. Install it with: apt-get install -y python3 python3-pip");
        }

        Directory.CreateDirectory(Path.Combine(Root, "simple"));
        Port = FreePort();
        var start = new ProcessStartInfo(Interpreter) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root };
        foreach (var argument in new[] { "-m", "http.server", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--directory", Root })
        {
            start.ArgumentList.Add(argument);
        }

        _server = Process.Start(start) ?? throw new InvalidOperationException("python3 -m http.server did not start.");
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        WaitUntilListening();
    }

    /// <summary>Gets the directory the index serves.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "granary-index-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>Gets the port it listens on.</summary>
    public int Port { get; }

    /// <summary>Gets the index's URL, for <c>Granary:Pip:IndexUrl</c>.</summary>
    public string Url => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/simple";

    /// <summary>Fails (never skips) when pip is missing for the workers' interpreter, saying how to install it.</summary>
    public static void RequirePip()
    {
        var start = new ProcessStartInfo(Interpreter) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-m", "pip", "--version" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pip is missing for {Interpreter}: the pip tests install with it. Install it with: apt-get install -y python3-pip");
        }
    }

    /// <summary>Adds a pure-Python wheel whose module <paramref name="module"/> has <paramref name="code"/> as its <c>__init__.py</c>.</summary>
    public void AddWheel(string name, string version, string module, string code, params string[] requires)
    {
        var dist = $"{Underscored(name)}-{version}.dist-info";
        var metadata = new StringBuilder($"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
        foreach (var requirement in requires)
        {
            metadata.Append("Requires-Dist: ").Append(requirement).Append('\n');
        }

        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [$"{module}/__init__.py"] = Encoding.UTF8.GetBytes(code),
            [$"{dist}/METADATA"] = Encoding.UTF8.GetBytes(metadata.ToString()),
            [$"{dist}/WHEEL"] = "Wheel-Version: 1.0\nGenerator: granary-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"u8.ToArray(),
        };
        var record = new StringBuilder();
        foreach (var (path, data) in files)
        {
            record.Append(CultureInfo.InvariantCulture, $"{path},sha256={Convert.ToBase64String(SHA256.HashData(data)).TrimEnd('=').Replace('+', '-').Replace('/', '_')},{data.Length}\n");
        }

        record.Append(dist).Append("/RECORD,,\n");
        var file = Path.Combine(Project(name), $"{Underscored(name)}-{version}-py3-none-any.whl");
        using (var zip = ZipFile.Open(file, ZipArchiveMode.Create))
        {
            foreach (var (path, data) in files.Append(KeyValuePair.Create($"{dist}/RECORD", Encoding.UTF8.GetBytes(record.ToString()))))
            {
                using var entry = zip.CreateEntry(path).Open();
                entry.Write(data);
            }
        }

        WritePages(name);
    }

    /// <summary>
    /// Adds a source distribution only (no wheel): its build backend is in the archive itself (PEP 517
    /// <c>backend-path</c>), so pip can build it offline when source builds are allowed.
    /// </summary>
    public void AddSourceOnly(string name, string version, string module, string code)
    {
        var top = $"{name}-{version}";
        var backend = $$"""
            import base64, hashlib, os, zipfile
            NAME, MODULE, VERSION = {{Quote(name)}}, {{Quote(module)}}, {{Quote(version)}}
            def get_requires_for_build_wheel(config_settings=None):
                return []
            def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
                dist = NAME.replace("-", "_") + "-" + VERSION + ".dist-info"
                with open(os.path.join(MODULE, "__init__.py"), "rb") as source:
                    files = {MODULE + "/__init__.py": source.read()}
                files[dist + "/METADATA"] = ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (NAME, VERSION)).encode()
                files[dist + "/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: granary-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
                record = "".join("%s,sha256=%s,%d\n" % (p, base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b"=").decode(), len(d)) for p, d in files.items())
                name = NAME.replace("-", "_") + "-" + VERSION + "-py3-none-any.whl"
                with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as archive:
                    for p, d in files.items():
                        archive.writestr(p, d)
                    archive.writestr(dist + "/RECORD", record + dist + "/RECORD,,\n")
                return name

            """;
        var files = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [$"{top}/pyproject.toml"] = "[build-system]\nrequires = []\nbuild-backend = \"granary_backend\"\nbackend-path = [\".\"]\n",
            [$"{top}/PKG-INFO"] = $"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
            [$"{top}/granary_backend.py"] = backend,
            [$"{top}/{module}/__init__.py"] = code,
        };
        var file = Path.Combine(Project(name), $"{top}.tar.gz");
        using (var output = File.Create(file))
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var (path, text) in files)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, path) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)), Mode = (UnixFileMode)0x1A4 });
            }
        }

        WritePages(name);
    }

    public void Dispose()
    {
        try
        {
            _server.Kill();
            _server.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // It has already exited.
        }

        _server.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temporary directory.
        }
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string Underscored(string name) => name.Replace('-', '_').Replace('.', '_');

    // PEP 503's normalized project name.
    private static string Normalized(string name) => System.Text.RegularExpressions.Regex.Replace(name, "[-_.]+", "-").ToLowerInvariant();

    private string Project(string name)
    {
        var directory = Path.Combine(Root, "simple", Normalized(name));
        Directory.CreateDirectory(directory);
        return directory;
    }

    private void WritePages(string name)
    {
        var project = Project(name);
        var links = Directory.GetFiles(project).Select(Path.GetFileName).Where(f => f != "index.html").Order(StringComparer.Ordinal)
            .Select(f => $"<a href=\"{f}\">{f}</a><br/>");
        File.WriteAllText(Path.Combine(project, "index.html"), "<!DOCTYPE html><html><body>" + string.Concat(links) + "</body></html>");
        var projects = Directory.GetDirectories(Path.Combine(Root, "simple")).Select(Path.GetFileName).Order(StringComparer.Ordinal)
            .Select(p => $"<a href=\"{p}/\">{p}</a><br/>");
        File.WriteAllText(Path.Combine(Root, "simple", "index.html"), "<!DOCTYPE html><html><body>" + string.Concat(projects) + "</body></html>");
    }

    private static int FreePort() => Granary.Cluster.Tests.Infrastructure.Ports.FreePort();

    private void WaitUntilListening()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (_server.HasExited)
            {
                throw new InvalidOperationException($"python3 -m http.server exited with code {_server.ExitCode}.");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(25);
            }
        }

        throw new InvalidOperationException("python3 -m http.server did not listen within 5 s.");
    }
}
