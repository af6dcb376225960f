using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Granary.Gateway.Tests.Docs;

/// <summary>
/// The README's quick start and the access example in docs/access.md, run word for word in a fresh directory (only the build step differs: the gateway the
/// tests were built with is started instead of <c>dotnet run</c>, on a free port instead of 8080).
/// </summary>
public sealed partial class DocsExampleTests
{
    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task TheQuickStartRunsWordForWordAgainstAFreshHost()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "README.md"), TestContext.Current.CancellationToken);
        var lines = QuickStart(readme).Split('\n');
        Assert.StartsWith("dotnet run --project src/Gateway &", lines[0], StringComparison.Ordinal);
        var expected = lines.Select(l => l.Trim()).Where(l => l.StartsWith("# {", StringComparison.Ordinal)).Select(l => l[2..]).ToList();
        Assert.NotEmpty(expected);

        var port = GranaryServer.FreePort();
        var directory = Directory.CreateTempSubdirectory("granary-readme-").FullName;
        try
        {
            var script = Script(port, lines.Skip(1));
            var (output, log) = await RunAsync(script, directory);

            Assert.All(expected, line => Assert.Contains(line, output, StringComparison.Ordinal));
            Assert.Contains("\"version\":1", output, StringComparison.Ordinal);
            Assert.Contains("\"outcome\":\"ok\"", output, StringComparison.Ordinal);
            Assert.Contains("urn:granary:problem:code-compile", output, StringComparison.Ordinal);
            Assert.DoesNotContain("urn:granary:problem:unauthorized", output, StringComparison.Ordinal);
            var key = Path.Combine(directory, "data", "admin.key");
            Assert.True(File.Exists(key), $"No data/admin.key. Gateway log:\n{log}");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task TheAccessExampleRunsWordForWordAgainstAHostWithItsAdminKey()
    {
        var doc = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "docs", "access.md"), TestContext.Current.CancellationToken);
        var lines = FirstBashBlock(doc, "docs/access.md").Split('\n');
        var expected = lines.Select(l => l.Trim()).Where(l => ExpectedOutput().IsMatch(l)).Select(l => l[2..]).ToList();
        Assert.Contains("{\"connected\":true}", expected);
        Assert.Contains("401", expected);

        var port = GranaryServer.FreePort();
        var directory = Directory.CreateTempSubdirectory("granary-docs-").FullName;
        try
        {
            var script = Script(port, ["export GRANARY_KEY=$(cat data/admin.key)", .. lines]);
            var (output, log) = await RunAsync(script, directory);

            // curl prints a body without a final newline, so a status code written after it ends the body's line.
            var codes = output.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length >= 3 && l[^3..].All(char.IsAsciiDigit)).Select(l => l[^3..]);
            Assert.True(
                expected.Where(e => e.StartsWith('{')).All(e => output.Contains(e, StringComparison.Ordinal))
                    && expected.Where(e => !e.StartsWith('{')).SequenceEqual(codes),
                $"Expected [{string.Join(", ", expected)}] in the output:\n{output}\nGateway log:\n{log}");
            Assert.DoesNotContain("hunter2", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task EveryShellExampleInTheFunctionsGuideRunsWordForWordAndPrintsWhatItSays()
    {
        var doc = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "docs", "functions.md"), TestContext.Current.CancellationToken);
        var blocks = BashBlock().Matches(doc).Select(m => m.Groups["code"].Value).ToList();
        Assert.True(blocks.Count >= 4, $"docs/functions.md has {blocks.Count} bash blocks; every signature should have one.");
        var lines = blocks.SelectMany(b => b.Split('\n')).ToList();
        var expected = lines.Select(l => l.Trim()).Where(l => ExpectedOutput().IsMatch(l)).Select(l => l[2..]).ToList();
        Assert.All(blocks, b => Assert.Contains(b.Split('\n'), l => ExpectedOutput().IsMatch(l.Trim())));

        var port = GranaryServer.FreePort();
        var directory = Directory.CreateTempSubdirectory("granary-functions-doc-").FullName;
        try
        {
            // Each curl's output ends its own line, so that every expected line is matched against one answer only.
            var script = Script(port, ["export GRANARY_KEY=$(cat data/admin.key)", "curl() { command curl \"$@\"; echo; }", .. lines]);
            var (output, log) = await RunAsync(script, directory);

            var answers = output.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
            var at = 0;
            foreach (var line in expected)
            {
                var found = answers.FindIndex(at, a => a == line);
                Assert.True(found >= 0, $"docs/functions.md promises `{line}` after answer {at}, but the answers were:\n{string.Join('\n', answers)}\nGateway log:\n{log}");
                at = found + 1;
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string CultureInfo(FormattableString text) => FormattableString.Invariant(text);

    // Starts the gateway the tests were built with on a free port in the current directory, runs the lines against it
    // (localhost:8080 becomes that port) and stops it.
    private static string Script(int port, IEnumerable<string> lines) => new StringBuilder()
        .AppendLine(CultureInfo($"dotnet '{Path.Combine(AppContext.BaseDirectory, "Granary.Gateway.dll")}' --urls http://localhost:{port} > gateway.log 2>&1 &"))
        .AppendLine(CultureInfo($"for i in $(seq 1 240); do curl -fs localhost:{port}/healthz > /dev/null && break; sleep 0.5; done"))
        .AppendLine(string.Join('\n', lines).Replace("localhost:8080", CultureInfo($"localhost:{port}"), StringComparison.Ordinal))
        .AppendLine("kill %1; wait")
        .ToString();

    private static string QuickStart(string readme) =>
        FirstBashBlock(readme[readme.IndexOf("## Quick start", StringComparison.Ordinal)..], "The README's quick start");

    private static string FirstBashBlock(string text, string where)
    {
        var match = BashBlock().Match(text);
        Assert.True(match.Success, $"{where} has no bash block.");
        return match.Groups["code"].Value;
    }

    private static async Task<(string Output, string Log)> RunAsync(string script, string directory)
    {
        var info = new ProcessStartInfo("bash") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        info.Environment.Remove("Granary__Auth__AdminKey");
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        var log = Path.Combine(directory, "gateway.log");
        return (await output + await errors, File.Exists(log) ? await File.ReadAllTextAsync(log, TestContext.Current.CancellationToken) : "");
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "README.md")) && File.Exists(Path.Combine(directory.FullName, "Orleans.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No README.md beside Orleans.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>A comment line that shows what the line above prints: a JSON object or a status code.</summary>
    [GeneratedRegex("^# (\\{.*\\}|[1-5][0-9][0-9])$")]
    private static partial Regex ExpectedOutput();

    [GeneratedRegex("```bash\\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();
}
