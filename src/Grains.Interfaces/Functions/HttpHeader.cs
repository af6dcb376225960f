namespace Granary.Functions;

/// <summary>One HTTP header field; a header with several values appears once per value.</summary>
/// <param name="Name">The field name.</param>
/// <param name="Value">The field value.</param>
[GenerateSerializer, Immutable, Alias("granary.HttpHeader")]
public readonly record struct HttpHeader(
    [property: Id(0)] string Name,
    [property: Id(1)] string Value);
