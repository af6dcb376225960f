using System.Text.Json.Nodes;

namespace Granary.Runtime.Signatures.CustomCode;

/// <summary>
/// Why a workspace's snippets were refused, in the Custom Code service's error shape:
/// <c>{"error": Error, "message": Message, "details": Details}</c>.
/// </summary>
/// <param name="Error">The error class, for example <c>RequestValidationError</c>.</param>
/// <param name="Message">What is wrong, naming the path in the request body.</param>
/// <param name="Details">Extra facts (function, line, column), or null.</param>
public sealed record SnippetError(string Error, string Message, JsonObject? Details = null)
{
    /// <summary>The answer to a path the service does not serve (a workspace or function that does not exist).</summary>
    public static SnippetError NotFound(string path) => new("ObjectNotFoundError", "Object not found", new JsonObject { ["path"] = path });

    /// <summary>The body of the error response.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject { ["error"] = Error, ["message"] = Message };
        if (Details is not null)
        {
            json["details"] = Details.DeepClone();
        }

        return json;
    }
}
