namespace Granary.Functions;

/// <summary>The calling conventions a function can be written for.</summary>
public static class FunctionSignatures
{
    /// <summary>Skipper style: <c>async (event, context)</c>, event is the request body.</summary>
    public const string Handler = "handler";

    /// <summary>Kyma style: <c>main(event, context)</c> with CloudEvent fields and an Express-like response.</summary>
    public const string Kyma = "kyma";

    /// <summary>Gets every supported signature.</summary>
    public static IReadOnlyList<string> All { get; } = [Handler, Kyma];
}
