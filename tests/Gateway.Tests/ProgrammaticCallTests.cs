using Granary.Functions;

namespace Granary.Gateway.Tests;

/// <summary>Another .NET service calls a function through an Orleans client, without HTTP.</summary>
public sealed class ProgrammaticCallTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task AnOrleansClientInvokesAFunctionGrainDirectly()
    {
        var ws = GatewayFixture.Workspace();
        await fixture.Server.DeployOkAsync(ws, "api", "module.exports = (event, context) => ({ sum: event.a + event.b, via: context.method });");

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => client.UseLocalhostClustering(
            fixture.Server.OrleansGatewayPort,
            "granary-test",
            fixture.Server.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Orleans.Configuration.ClusterOptions>>().Value.ClusterId));
        using var host = builder.Build();
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IClusterClient>();
        var id = new FunctionId("default", ws, "api");

        var response = await grains.GetFunction(id).InvokeAsync(InvocationRequest.Json("{\"a\":2,\"b\":40}"));
        var info = await grains.GetFunctionDefinition(id).GetAsync();

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("{\"sum\":42,\"via\":\"POST\"}", response.BodyText);
        Assert.Equal("application/json; charset=utf-8", response.GetHeader("content-type"));
        Assert.False(string.IsNullOrEmpty(response.InvocationId));
        Assert.Equal(1, info?.Definition.Version);
        Assert.Equal(FunctionState.Running, info?.Status.State);
        await host.StopAsync();
    }
}
