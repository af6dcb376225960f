using System.Net;
using System.Net.Sockets;
using Granary.Runtime.Egress;

namespace Granary.Runtime.Tests.Egress;

/// <summary>The egress policy's decisions and its connector, against real loopback sockets.</summary>
public sealed class EgressPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.5.6.7", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("10.1.2.3", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("100.64.0.1", "shared")]
    [InlineData("169.254.169.254", "metadata")]
    [InlineData("fd00::1", "unique local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("0.0.0.0", "this network")]
    [InlineData("64:ff9b::7f00:1", "NAT64")]
    [InlineData("2002:7f00:1::", "6to4")]
    public void PrivateAndHostAddressesAreRefusedByDefault(string address, string reason)
    {
        var why = EgressPolicy.Default.Check("t", "example.test", IPAddress.Parse(address), 80);

        Assert.NotNull(why);
        Assert.Contains(reason, why, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Granary:Egress:Allow", why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700:4700::1111")]
    public void PublicAddressesAreAllowedByDefault(string address) =>
        Assert.Null(EgressPolicy.Default.Check("t", "example.test", IPAddress.Parse(address), 443));

    [Fact]
    public void TheOperatorAllowsAnAddressAndPortButNotItsOtherPorts()
    {
        var policy = new EgressPolicy(new EgressOptions { Allow = ["127.0.0.1:9000", "10.20.0.0/16", "[::1]:9001", "db.internal:5432"] });

        Assert.Null(policy.Check("t", "127.0.0.1", IPAddress.Loopback, 9000));
        Assert.NotNull(policy.Check("t", "127.0.0.1", IPAddress.Loopback, 9001));
        Assert.Null(policy.Check("t", "x", IPAddress.Parse("10.20.3.4"), 1));
        Assert.NotNull(policy.Check("t", "x", IPAddress.Parse("10.21.3.4"), 1));
        Assert.Null(policy.Check("t", "::1", IPAddress.IPv6Loopback, 9001));
        Assert.Null(policy.Check("t", "db.internal", IPAddress.Parse("10.9.9.9"), 5432));
        Assert.NotNull(policy.Check("t", "db.internal", IPAddress.Parse("10.9.9.9"), 5433));
    }

    [Fact]
    public void ATenantIsNarrowedToNoneOrToItsList()
    {
        var policy = new EgressPolicy(new EgressOptions
        {
            Tenants = new() { ["closed"] = "none", ["listed"] = "api.example.com, *.example.org:443" },
        });
        var pub = IPAddress.Parse("93.184.216.34");

        Assert.Contains("'none'", policy.Check("closed", "api.example.com", pub, 443), StringComparison.Ordinal);
        Assert.False(policy.AllowsAny("closed"));
        Assert.Null(policy.Check("listed", "api.example.com", pub, 443));
        Assert.Null(policy.Check("listed", "a.example.org", pub, 443));
        Assert.NotNull(policy.Check("listed", "a.example.org", pub, 80));
        Assert.NotNull(policy.Check("listed", "other.example.com", pub, 443));
        Assert.Null(policy.Check("open", "other.example.com", pub, 443));

        // A tenant's list never widens the silo's policy: its name resolving to loopback is still refused.
        Assert.NotNull(policy.Check("listed", "api.example.com", IPAddress.Loopback, 443));
    }

    [Theory]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("10.0.0.0/33")]
    [InlineData("[::1")]
    [InlineData("not a host")]
    public void BadEntriesAreNamedAtStartUp(string entry)
    {
        var options = new EgressOptions { Allow = [entry] };
        var results = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        Assert.Single(results);
        Assert.Contains("Allow:0", results[0].MemberNames);
        Assert.Contains(entry, results[0].ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectingToALoopbackListenerIsRefusedUntilTheOperatorAllowsIt()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var refused = await Assert.ThrowsAsync<EgressDeniedException>(() => EgressPolicy.Default.ConnectAsync("t", "127.0.0.1", port, CancellationToken.None));
        Assert.Contains("loopback", refused.Message, StringComparison.Ordinal);

        // "localhost" resolves to loopback: refused after resolution, as any name that does (DNS rebinding).
        var byName = await Assert.ThrowsAsync<EgressDeniedException>(() => EgressPolicy.Default.ConnectAsync("t", "localhost", port, CancellationToken.None));
        Assert.Contains("loopback", byName.Message, StringComparison.Ordinal);

        var allowed = new EgressPolicy(new EgressOptions { Allow = [$"127.0.0.1:{port}"] });
        using var socket = await allowed.ConnectAsync("t", "127.0.0.1", port, CancellationToken.None);
        Assert.True(socket.Connected);
        Assert.Equal(port, ((IPEndPoint)socket.RemoteEndPoint!).Port);
    }

    [Fact]
    public async Task TheHttpHandlerRefusesLoopbackWithTheReason()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var client = new HttpClient(EgressPolicy.Default.CreateHandler("t"), disposeHandler: false);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri($"http://localhost:{port}/")));
        var denied = Assert.IsType<EgressDeniedException>(error.InnerException);
        Assert.Contains("loopback", denied.Message, StringComparison.Ordinal);
    }
}
