using System.Net;
using Granary.Gateway.Hosting;

namespace Granary.Gateway.Tests.Contracts;

/// <summary>Host-based routing: {function}--{workspace}--{tenant}.{domain} owns the whole path space of that host.</summary>
public sealed class HostRoutingTests
{
    [Theory]
    [InlineData("hello--main--default.fn.test", "hello", "main", "default")]
    [InlineData("my-fn--shop-eu--acme.FN.TEST", "my-fn", "shop-eu", "acme")]
    public void AHostNamesTheFunction(string host, string name, string workspace, string tenant)
    {
        var id = HostRouting.Parse(host, ".fn.test");

        Assert.Equal(new Granary.Functions.FunctionId(tenant, workspace, name), id);
    }

    [Theory]
    [InlineData("fn.test")]
    [InlineData("hello.fn.test")]
    [InlineData("hello--main.fn.test")]
    [InlineData("hello--main--Bad_Tenant.fn.test")]
    [InlineData("hello--main--default.other.test")]
    public void OtherHostsAreNotFunctions(string host) => Assert.Null(HostRouting.Parse(host, ".fn.test"));

    [Fact]
    public async Task EveryPathOfAFunctionsHostReachesIt()
    {
        await using var server = await GranaryServer.StartAsync(settings: new Dictionary<string, string?> { ["Granary:Gateway:FunctionsDomain"] = "fn.test" });
        await server.DeployOkAsync("main", "site", "exports.fn = (req, res) => res.send(req.method + ' ' + req.path);", new { signature = "http", handler = "fn" });

        async Task<HttpResponseMessage> Send(string path)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = "site--main--default.fn.test";
            return await server.Http.SendAsync(request);
        }

        var root = await Send("/");
        var deep = await Send("/a/b");
        var robots = await Send("/robots.txt");
        var api = await server.Http.GetAsync("/healthz");

        Assert.Equal("GET /", await root.Content.ReadAsStringAsync());
        Assert.Equal("GET /a/b", await deep.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, robots.StatusCode);
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
    }
}
