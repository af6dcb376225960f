namespace Granary.Functions;

/// <summary>The calling conventions a function can be written for.</summary>
public static class FunctionSignatures
{
    /// <summary>Skipper style: <c>async (event, context)</c>, event is the request body.</summary>
    public const string Handler = "handler";

    /// <summary>Kyma style: <c>main(event, context)</c> with CloudEvent fields and an Express-like response.</summary>
    public const string Kyma = "kyma";

    /// <summary>Functions Framework <c>http</c>: Express-like <c>(req, res)</c>; the function writes the response.</summary>
    public const string Http = "http";

    /// <summary>Functions Framework <c>cloudevent</c>: <c>(cloudevent)</c>, binary or structured CloudEvents.</summary>
    public const string CloudEvent = "cloudevent";

    /// <summary>Functions Framework legacy <c>event</c> (background functions): <c>(data, context)</c>.</summary>
    public const string Event = "event";

    /// <summary>
    /// A workspace's Custom Code snippets gathered into one module (deployed by the workspace grain through
    /// <c>/v2/functions</c>; not a signature users deploy through the management API).
    /// </summary>
    public const string Snippets = "snippets";

    /// <summary>Gets every supported signature.</summary>
    public static IReadOnlyList<string> All { get; } = [Handler, Kyma, Http, CloudEvent, Event];
}
