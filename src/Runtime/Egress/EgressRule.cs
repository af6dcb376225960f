using System.Globalization;
using System.Net;

namespace Granary.Runtime.Egress;

/// <summary>
/// One destination of an egress list: a network (<c>10.0.0.0/8</c>, <c>10.0.0.5</c>, <c>::1</c>), an address and
/// port (<c>127.0.0.1:9000</c>, <c>[::1]:9000</c>), a host name with or without a port (<c>db.internal:5432</c>,
/// <c>api.example.com</c>) or a wildcard name (<c>*.example.com</c>). Names match the name the function asked
/// for, never what it resolved to.
/// </summary>
public sealed record EgressRule(IPNetwork? Network, string? Name, bool Wildcard, int? Port)
{
    /// <summary>Tells whether a connection to <paramref name="host"/> (as asked), resolved to <paramref name="address"/>, on <paramref name="port"/> matches.</summary>
    public bool Matches(string host, IPAddress address, int port)
    {
        if (Port is { } only && only != port)
        {
            return false;
        }

        if (Network is { } network)
        {
            return network.Contains(EgressPolicy.Normalize(address));
        }

        var name = host.TrimEnd('.');
        return Wildcard
            ? name.EndsWith("." + Name, StringComparison.OrdinalIgnoreCase)
            : string.Equals(name, Name, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Parses one entry; <paramref name="error"/> says what is wrong with it otherwise.</summary>
    public static bool TryParse(string? text, bool allowNames, out EgressRule rule, out string error)
    {
        rule = null!;
        error = "";
        var value = text?.Trim() ?? "";
        if (value.Length == 0)
        {
            error = "is empty";
            return false;
        }

        int? port = null;
        var host = value;
        if (value.StartsWith('['))
        {
            // [v6]:port or [v6]
            var close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = "has no closing ']'";
                return false;
            }

            host = value[1..close];
            var rest = value[(close + 1)..];
            if (rest.Length > 0)
            {
                if (!rest.StartsWith(':') || !TryPort(rest[1..], out var p))
                {
                    error = "has a bad port after ']'";
                    return false;
                }

                port = p;
            }
        }
        else if (value.Count(c => c == ':') == 1)
        {
            var colon = value.IndexOf(':', StringComparison.Ordinal);
            if (!TryPort(value[(colon + 1)..], out var p))
            {
                error = "has a bad port (1-65535)";
                return false;
            }

            host = value[..colon];
            port = p;
        }

        if (host.Contains('/', StringComparison.Ordinal))
        {
            if (!IPNetwork.TryParse(host, out var network))
            {
                error = "is not a valid CIDR (for example 10.0.0.0/8)";
                return false;
            }

            rule = new EgressRule(network, null, false, port);
            return true;
        }

        if (IPAddress.TryParse(host, out var address))
        {
            address = EgressPolicy.Normalize(address);
            rule = new EgressRule(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128), null, false, port);
            return true;
        }

        if (!allowNames)
        {
            error = "is not an address or CIDR";
            return false;
        }

        var wildcard = host.StartsWith("*.", StringComparison.Ordinal);
        var name = (wildcard ? host[2..] : host).TrimEnd('.');
        if (name.Length == 0 || name.Length > 253 || Uri.CheckHostName(name) != UriHostNameType.Dns)
        {
            error = "is not a host name, address or CIDR";
            return false;
        }

        rule = new EgressRule(null, name, wildcard, port);
        return true;
    }

    private static bool TryPort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;

    /// <inheritdoc />
    public override string ToString()
    {
        var target = Network is { } network
            ? (network.PrefixLength is 32 or 128 ? network.BaseAddress.ToString() : network.ToString())
            : (Wildcard ? "*." : "") + Name;
        return Port is { } port ? (target.Contains(':', StringComparison.Ordinal) ? $"[{target}]:{port}" : $"{target}:{port}") : target;
    }
}
