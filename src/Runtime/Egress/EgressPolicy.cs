using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.Egress;

/// <summary>
/// The one decision of where a function's connections may go, for both runtimes: JavaScript's <c>fetch</c> and
/// Kyma's publisher connect through <see cref="CreateHandler"/>, Python workers (which have no network of their
/// own) through the egress proxy, which calls <see cref="ConnectAsync"/>. A name is resolved once, every address it
/// resolved to is checked, and the connection goes to a checked address: a name that resolves to loopback (DNS
/// rebinding) is refused like the address itself.
/// </summary>
public sealed class EgressPolicy
{
    // Never reachable unless the operator allows them: the host, its neighbours and anything not routed publicly.
    private static readonly (IPNetwork Network, string Why)[] s_blocked =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "'this network' (0.0.0.0/8)"),
        (IPNetwork.Parse("10.0.0.0/8"), "a private network (RFC 1918)"),
        (IPNetwork.Parse("100.64.0.0/10"), "shared address space (100.64.0.0/10)"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local (the cloud metadata address 169.254.169.254 is in it)"),
        (IPNetwork.Parse("172.16.0.0/12"), "a private network (RFC 1918)"),
        (IPNetwork.Parse("192.0.0.0/24"), "IETF protocol assignments (192.0.0.0/24)"),
        (IPNetwork.Parse("192.0.2.0/24"), "documentation (TEST-NET-1)"),
        (IPNetwork.Parse("192.168.0.0/16"), "a private network (RFC 1918)"),
        (IPNetwork.Parse("198.18.0.0/15"), "benchmarking (198.18.0.0/15)"),
        (IPNetwork.Parse("198.51.100.0/24"), "documentation (TEST-NET-2)"),
        (IPNetwork.Parse("203.0.113.0/24"), "documentation (TEST-NET-3)"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved (240.0.0.0/4)"),
        (IPNetwork.Parse("::/128"), "the unspecified address"),
        (IPNetwork.Parse("::1/128"), "loopback"),
        (IPNetwork.Parse("100::/64"), "discard-only (100::/64)"),
        (IPNetwork.Parse("2001:db8::/32"), "documentation (2001:db8::/32)"),
        (IPNetwork.Parse("fc00::/7"), "a unique local network (RFC 4193)"),
        (IPNetwork.Parse("fe80::/10"), "link-local"),
        (IPNetwork.Parse("fec0::/10"), "site-local"),
        (IPNetwork.Parse("ff00::/8"), "multicast"),
    ];

    // IPv6 forms that carry an IPv4 address (NAT64, 6to4): the embedded address is checked as well.
    private static readonly IPNetwork s_nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork s_6to4 = IPNetwork.Parse("2002::/16");

    private readonly EgressOptions _options;
    private readonly EgressRule[] _allow;
    private readonly FrozenDictionary<string, EgressRule[]?> _tenants;
    private readonly ConcurrentDictionary<string, SocketsHttpHandler> _handlers = new(StringComparer.Ordinal);
    private readonly SocketsHttpHandler _defaultHandler;
    private (long Ticks, FrozenSet<IPAddress> Addresses) _own;

    /// <summary>Creates the policy of the silo's configuration.</summary>
    public EgressPolicy(IOptions<EgressOptions> options)
        : this(options?.Value ?? throw new ArgumentNullException(nameof(options)))
    {
    }

    /// <summary>Creates the policy of <paramref name="options"/>.</summary>
    public EgressPolicy(EgressOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _allow = [.. options.Allow.Select(entry => EgressRule.TryParse(entry, allowNames: true, out var rule, out var error)
            ? rule
            : throw new ArgumentException($"{EgressOptions.SectionName}:Allow: '{entry}' {error}", nameof(options)))];
        _tenants = options.Tenants.ToFrozenDictionary(
            static pair => pair.Key,
            static pair => string.Equals(pair.Value?.Trim(), "none", StringComparison.OrdinalIgnoreCase)
                ? null
                : (pair.Value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(entry => EgressRule.TryParse(entry, allowNames: true, out var rule, out var error)
                        ? rule
                        : throw new ArgumentException($"{EgressOptions.SectionName}:Tenants:{pair.Key}: '{entry}' {error}", nameof(options)))
                    .ToArray(),
            StringComparer.Ordinal);
        _defaultHandler = NewHandler(tenant: null);
    }

    /// <summary>Gets a policy that allows nothing beyond the defaults (for tests and tools without configuration).</summary>
    public static EgressPolicy Default { get; } = new(new EgressOptions());

    /// <summary>Gets how long one connection attempt may take.</summary>
    public TimeSpan ConnectTimeout => TimeSpan.FromSeconds(_options.ConnectTimeoutSeconds);

    /// <summary>Tells whether <paramref name="tenant"/> may open connections at all.</summary>
    public bool AllowsAny(string? tenant) => tenant is null || !_tenants.TryGetValue(tenant, out var rules) || rules is not null;

    /// <summary>
    /// Decides one destination: <paramref name="host"/> is the name (or address literal) the function asked for,
    /// <paramref name="address"/> what it resolved to. Returns null when the connection may be made, else why not.
    /// </summary>
    public string? Check(string? tenant, string host, IPAddress address, int port) => Check(tenant, host, address, (int?)port);

    /// <summary>
    /// Decides whether a name lookup (JavaScript's <c>dns</c>) may answer <paramref name="address"/> for
    /// <paramref name="host"/>: as <see cref="Check(string?, string, IPAddress, int)"/>, with a rule that names a port
    /// matching on that port. Returns null when it may, else why not.
    /// </summary>
    public string? CheckLookup(string? tenant, string host, IPAddress address) => Check(tenant, host, address, null);

    private string? Check(string? tenant, string host, IPAddress address, int? port)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(address);
        address = Normalize(address);
        if (tenant is not null && _tenants.TryGetValue(tenant, out var narrowed))
        {
            if (narrowed is null)
            {
                return $"tenant '{tenant}' may not open outbound connections ({EgressOptions.SectionName}:Tenants:{tenant} is 'none')";
            }

            if (!narrowed.Any(rule => rule.Matches(host, address, port ?? rule.Port ?? 0)))
            {
                return $"{(port is { } p ? Describe(host, p) : host)} is not on tenant '{tenant}''s list ({EgressOptions.SectionName}:Tenants:{tenant})";
            }
        }

        if (_allow.Any(rule => rule.Matches(host, address, port ?? rule.Port ?? 0)))
        {
            return null;
        }

        if (Blocked(address) is { } why)
        {
            return $"{address} is {why}; the operator may allow it with {EgressOptions.SectionName}:Allow";
        }

        if (OwnAddresses().Contains(address))
        {
            return $"{address} is an address of this host; the operator may allow it with {EgressOptions.SectionName}:Allow";
        }

        return null;
    }

    /// <summary>
    /// Resolves <paramref name="host"/>, checks every address and connects to the first allowed one that answers.
    /// Throws <see cref="EgressDeniedException"/> when the policy refuses every address, <see cref="SocketException"/>
    /// when none answers.
    /// </summary>
    public async Task<Socket> ConnectAsync(string? tenant, string host, int port, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        if (port is < 1 or > 65535)
        {
            throw new EgressDeniedException($"Port {port} is not a valid destination port.");
        }

        if (!AllowsAny(tenant))
        {
            throw new EgressDeniedException($"Egress to {Describe(host, port)} refused: tenant '{tenant}' may not open outbound connections ({EgressOptions.SectionName}:Tenants:{tenant} is 'none').");
        }

        var literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        IPAddress[] addresses;
        if (IPAddress.TryParse(literal, out var parsed))
        {
            addresses = [parsed];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                throw new EgressDeniedException($"The name {host} could not be resolved ({ex.SocketErrorCode}).", ex);
            }
        }

        string? refusal = null;
        SocketException? lastError = null;
        foreach (var address in addresses)
        {
            if (Check(tenant, host, address, port) is { } why)
            {
                refusal ??= why;
                continue;
            }

            var target = Normalize(address);
            var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ConnectTimeout);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(target, port), timeout.Token).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                lastError = ex;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                lastError = new SocketException((int)SocketError.TimedOut);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        if (lastError is not null)
        {
            throw lastError;
        }

        throw new EgressDeniedException(refusal is null
            ? $"The name {host} resolved to no address."
            : $"Egress to {Describe(host, port)} refused by Granary's egress policy: {refusal}.");
    }

    /// <summary>
    /// Gets the HTTP handler whose every connection goes through <see cref="ConnectAsync"/> for
    /// <paramref name="tenant"/>: no proxy, no cookies, no automatic redirects (the caller follows them, so each hop is
    /// checked when it connects). Shared by every function of tenants without a narrower policy.
    /// </summary>
    public SocketsHttpHandler CreateHandler(string? tenant) =>
        tenant is null || !_tenants.ContainsKey(tenant) ? _defaultHandler : _handlers.GetOrAdd(tenant, NewHandler);

    private SocketsHttpHandler NewHandler(string? tenant) => new()
    {
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.All,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        ConnectTimeout = ConnectTimeout,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = await ConnectAsync(tenant, context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        },
    };

    /// <summary>Turns an IPv4-mapped IPv6 address into its IPv4 form; other addresses are returned as they are.</summary>
    public static IPAddress Normalize(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    /// <summary>Says why <paramref name="address"/> is never reachable by default, or null when it is public.</summary>
    public static string? Blocked(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        address = Normalize(address);
        foreach (var (network, why) in s_blocked)
        {
            if (network.Contains(address))
            {
                return why;
            }
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            if (s_nat64.Contains(address))
            {
                return Blocked(new IPAddress(bytes.AsSpan(12, 4))) is { } inner ? "a NAT64 form of " + inner : null;
            }

            if (s_6to4.Contains(address))
            {
                return Blocked(new IPAddress(bytes.AsSpan(2, 4))) is { } inner ? "a 6to4 form of " + inner : null;
            }

            // IPv4-compatible (::a.b.c.d, deprecated) addresses.
            if (bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0)
            {
                return "an IPv4-compatible IPv6 address (deprecated)";
            }
        }

        return null;
    }

    private static string Describe(string host, int port) =>
        host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]:{port}" : $"{host}:{port}";

    // The machine's own addresses, re-read at most every 30 s (interfaces come and go).
    private FrozenSet<IPAddress> OwnAddresses()
    {
        var own = _own;
        var now = Environment.TickCount64;
        if (own.Addresses is not null && now - own.Ticks < 30_000)
        {
            return own.Addresses;
        }

        FrozenSet<IPAddress> addresses;
        try
        {
            addresses = NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(static nic => nic.GetIPProperties().UnicastAddresses)
                .Select(static unicast => Normalize(unicast.Address))
                .ToFrozenSet();
        }
        catch (NetworkInformationException)
        {
            addresses = own.Addresses ?? FrozenSet<IPAddress>.Empty;
        }

        _own = (now, addresses);
        return addresses;
    }
}
