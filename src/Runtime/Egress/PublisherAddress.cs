namespace Granary.Runtime.Egress;

/// <summary>
/// Kyma's event publisher address (<c>Granary:JavaScript:PublisherProxyAddress</c>, <c>Granary:Python:PublisherProxyAddress</c>):
/// the one destination outside the egress policy, so only an http(s) URL of the operator's configuration qualifies.
/// </summary>
public static class PublisherAddress
{
    /// <summary>Says why <paramref name="address"/> cannot be the publisher address, or null when it can.</summary>
    public static string? Problem(string address) =>
        !Uri.TryCreate(address, UriKind.Absolute, out var uri)
            ? $"'{address}' is not an absolute URL; the publisher address must be an http or https URL such as http://eventing-publisher-proxy.kyma-system/publish."
            : uri.Scheme is not ("http" or "https")
                ? $"'{address}' is a {uri.Scheme}: URL; the publisher address must be an http or https URL."
                : uri.Host.Length == 0
                    ? $"'{address}' names no host; the publisher address must be an http or https URL with a host."
                    : null;

    /// <summary>Parses a configured address; false when it is unset or has a <see cref="Problem"/>.</summary>
    public static bool TryParse(string? address, out Uri uri)
    {
        uri = null!;
        return !string.IsNullOrWhiteSpace(address) && Problem(address) is null && Uri.TryCreate(address, UriKind.Absolute, out uri!);
    }
}
