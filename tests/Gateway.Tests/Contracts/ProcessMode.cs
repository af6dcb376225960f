namespace Granary.Gateway.Tests.Contracts;

/// <summary>Turns a test class's gateway to process mode: its deploys then send <c>"isolation": "process"</c>.</summary>
internal static class ProcessMode
{
    public static GatewayFixture Of(GatewayFixture fixture)
    {
        fixture.Server.Isolation = "process";
        return fixture;
    }
}
