using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Runtime.JavaScript;

namespace Granary.Runtime.Tests.JavaScript.Builtins;

/// <summary>
/// A function, and the JSON Node 20 returns for the very same code (node -e, working directory '/', as a function's
/// is). The JSON is Node's output laid out for reading, one value a line where it fits; any layout of it compares the
/// same, since one serializer writes both sides before they are compared.
/// </summary>
/// <param name="Name">The case, a sentence: its theory row, and so its failure, is named by it.</param>
/// <param name="Code">The function's module.</param>
/// <param name="NodeJson">What Node returns for the same function.</param>
/// <param name="Spotlight">Values of the result the case points out on their own, checked once the whole result matched.</param>
public sealed record NodeCase(string Name, string Code, string NodeJson, Action<JsonElement>? Spotlight = null)
{
    /// <summary>
    /// The names of <paramref name="cases"/> as theory data: rows carry only the names, so each case is listed, run
    /// and reported on its own, under its name.
    /// </summary>
    public static TheoryData<string> Names(IEnumerable<NodeCase> cases) => new(cases.Select(c => c.Name));

    /// <summary>Runs the case called <paramref name="name"/> in <paramref name="pool"/> and compares its result with Node's.</summary>
    public static async Task AssertAsync(IsolatePool pool, IEnumerable<NodeCase> cases, string name)
    {
        var c = cases.Single(c => c.Name == name);
        var result = await FunctionRunner.RunAsync(pool, c.Code);
        AssertNodeOutput(result, c.NodeJson);
        c.Spotlight?.Invoke(result.JsonBody());
    }

    /// <summary>Compares the function's JSON with Node's, after one serializer has written both (so escaping cannot differ).</summary>
    public static void AssertNodeOutput(ExecutionResult result, string nodeJson) =>
        Assert.Equal(JsonNode.Parse(nodeJson)!.ToJsonString(), JsonNode.Parse(result.Text())!.ToJsonString());
}
