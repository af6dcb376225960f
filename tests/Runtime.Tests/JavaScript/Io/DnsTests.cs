using Granary.Runtime.Egress;
using Granary.Runtime.JavaScript;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Granary.Runtime.Tests.JavaScript.FunctionRunner;

namespace Granary.Runtime.Tests.JavaScript.Io;

/// <summary>
/// require('dns') (builtins/dns.js over Io/DnsOperations.cs): names resolved by the host, and only addresses the
/// function's egress policy lets it reach are answered; a name that resolves to loopback fails as its connection would.
/// </summary>
public sealed class DnsTests
{
    [Fact]
    public async Task LookupAnswersAnAllowedAddressInEachForm()
    {
        using var pool = Pool("127.0.0.1");

        var result = await RunAsync(pool, """
            const dns = require('dns');
            module.exports = async () => {
              const viaCallback = await new Promise((resolve, reject) => dns.lookup('localhost', 4, (e, address, family) => (e ? reject(e) : resolve([address, family]))));
              const all = await new Promise((resolve, reject) => dns.lookup('localhost', { all: true, family: 4 }, (e, addresses) => (e ? reject(e) : resolve(addresses))));
              return {
                viaCallback, all,
                promise: await dns.promises.lookup('localhost', { family: 4 }),
                literal: await require('dns/promises').lookup('127.0.0.1'),
                resolve4: await dns.promises.resolve4('localhost'),
                mx: await dns.promises.resolveMx('example.com').catch((e) => [e.code, e.message.includes('"isolation": "process"')]),
              };
            };
            """);

        Assert.Equal(
            """{"viaCallback":["127.0.0.1",4],"all":[{"address":"127.0.0.1","family":4}],"promise":{"address":"127.0.0.1","family":4},"literal":{"address":"127.0.0.1","family":4},"resolve4":["127.0.0.1"],"mx":["ENOTIMP",true]}""",
            result.Text());
    }

    [Theory]
    [InlineData("localhost", "loopback")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("10.0.0.1", "a private network")]
    public async Task ANameOrAddressThePolicyRefusesIsNotFoundWithThePolicysReason(string hostname, string why)
    {
        using var pool = Pool(null);

        var result = await RunAsync(pool, $$"""
            module.exports = () => new Promise((resolve) => require('dns').lookup('{{hostname}}', (e, address) =>
              resolve(e ? { code: e.code, syscall: e.syscall, hostname: e.hostname, message: e.message } : address)));
            """);

        var body = result.JsonBody();
        Assert.Equal("ENOTFOUND", body.GetProperty("code").GetString());
        Assert.Equal("getaddrinfo", body.GetProperty("syscall").GetString());
        Assert.Equal(hostname, body.GetProperty("hostname").GetString());
        var message = body.GetProperty("message").GetString()!;
        Assert.StartsWith($"getaddrinfo ENOTFOUND {hostname}: refused by Granary's egress policy: ", message, StringComparison.Ordinal);
        Assert.Contains(why, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATenantNarrowedToNoneCannotLookUpNames()
    {
        using var pool = Pool("127.0.0.1", egress => egress.Tenants["acme"] = "none");

        var result = await RunAsync(pool, """
            module.exports = () => require('dns').promises.lookup('localhost').then((a) => a, (e) => e.message);
            """);

        Assert.Equal("getaddrinfo ENOTFOUND localhost: tenant 'acme' may not open outbound connections (Granary:Egress:Tenants:acme is 'none')", result.Text());
    }

    private static IsolatePool Pool(string? allow, Action<EgressOptions>? configure = null)
    {
        var egress = new EgressOptions();
        if (allow is not null)
        {
            egress.Allow.Add(allow);
        }

        configure?.Invoke(egress);
        return new IsolatePool(Options.Create(new JavaScriptRuntimeOptions { WarmIsolates = 0 }), NullLogger<IsolatePool>.Instance, new EgressPolicy(egress));
    }
}
