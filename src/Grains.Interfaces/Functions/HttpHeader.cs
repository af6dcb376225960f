using System.Collections.Immutable;

namespace Granary.Functions;

/// <summary>One HTTP header field; a header with several values appears once per value.</summary>
/// <param name="Name">The field name.</param>
/// <param name="Value">The field value.</param>
[GenerateSerializer, Immutable, Alias("granary.HttpHeader")]
public readonly record struct HttpHeader(
    [property: Id(0)] string Name,
    [property: Id(1)] string Value)
{
    /// <summary>Gets the first value of the header <paramref name="name"/> in <paramref name="headers"/>, matched case-insensitively; null when absent.</summary>
    public static string? Find(ImmutableArray<HttpHeader> headers, string name)
    {
        foreach (var header in headers)
        {
            if (string.Equals(header.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return header.Value;
            }
        }

        return null;
    }
}
