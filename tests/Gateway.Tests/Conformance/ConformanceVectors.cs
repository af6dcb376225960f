using System.Text;
using System.Text.Json;

namespace Granary.Gateway.Tests.Conformance;

/// <summary>
/// The Functions Framework conformance vectors (tests/ff-vectors): every request the public conformance client
/// sends, with its exact headers, and the file its output is compared with.
/// </summary>
public static class ConformanceVectors
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    public static string Root => s_root.Value;

    public static IEnumerable<ConformanceCase> EventCases(string signature)
    {
        using var cases = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Root, "cases.json")));
        foreach (var item in cases.RootElement.GetProperty("event_cases").EnumerateArray())
        {
            if (item.GetProperty("signature").GetString() != signature)
            {
                continue;
            }

            var request = item.GetProperty("request");
            var inputFile = Path.Combine(Root, item.GetProperty("input_file").GetString()!);
            var headers = request.GetProperty("headers").EnumerateObject().Select(h => (h.Name, h.Value.GetString()!)).ToArray();
            byte[] body;
            if (item.GetProperty("input_type").GetString() == "cloudevent")
            {
                // Binary mode: the body is the raw bytes of the fixture's data member.
                using var input = JsonDocument.Parse(File.ReadAllBytes(inputFile));
                body = Encoding.UTF8.GetBytes(input.RootElement.GetProperty("data").GetRawText());
            }
            else
            {
                body = File.ReadAllBytes(inputFile);
            }

            yield return new ConformanceCase(
                item.GetProperty("name").GetString()!,
                item.GetProperty("phase").GetString()!,
                item.GetProperty("comparator").GetString()!,
                headers,
                body,
                File.ReadAllText(Path.Combine(Root, item.GetProperty("expected_file").GetString()!)));
        }
    }

    public static TheoryData<string, string> Names(string signature)
    {
        var data = new TheoryData<string, string>();
        foreach (var c in EventCases(signature))
        {
            data.Add(c.Phase, c.Name);
        }

        return data;
    }

    public static ConformanceCase Case(string signature, string phase, string name) =>
        EventCases(signature).Single(c => c.Phase == phase && c.Name == name);

    public static HttpRequestMessage Request(ConformanceCase c, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(c.Body) };
        foreach (var (name, value) in c.Headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "ff-vectors");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/ff-vectors was not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>One request of the conformance client and the output expected for it.</summary>
public sealed record ConformanceCase(string Name, string Phase, string Comparator, (string Name, string Value)[] Headers, byte[] Body, string Expected);
