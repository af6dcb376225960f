namespace Granary.Gateway.Tests.Docs;

/// <summary>The metrics example of docs/observability.md, run word for word against a fresh host.</summary>
public sealed partial class DocsExampleTests
{
    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task TheMetricsKeyExampleRunsWordForWordAndAnswersWhatItSays()
    {
        var doc = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "docs", "observability.md"), TestContext.Current.CancellationToken);
        var lines = FirstBashBlock(doc, "docs/observability.md").Split('\n');
        var expected = lines.Select(l => l.Trim()).Where(l => ExpectedOutput().IsMatch(l)).Select(l => l[2..]).ToList();
        Assert.Equal(["401", "200", "403"], expected);

        var port = GranaryServer.FreePort();
        var directory = Directory.CreateTempSubdirectory("granary-docs-").FullName;
        try
        {
            var (output, log) = await RunAsync(Script(port, ["export GRANARY_KEY=$(cat data/admin.key)", .. lines]), directory);

            var codes = output.Split('\n').Select(l => l.Trim()).Where(l => l.Length == 3 && l.All(char.IsAsciiDigit));
            Assert.True(expected.SequenceEqual(codes), $"Expected [{string.Join(", ", expected)}] in the output:\n{output}\nGateway log:\n{log}");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
