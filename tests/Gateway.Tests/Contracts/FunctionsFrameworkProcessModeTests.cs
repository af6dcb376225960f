namespace Granary.Gateway.Tests.Contracts;

/// <summary>The Functions Framework contract's suite again, every function deployed with <c>"isolation": "process"</c> (Node.js workers).</summary>
public sealed class FunctionsFrameworkProcessModeTests(GatewayFixture fixture) : FunctionsFrameworkContractTests(ProcessMode.Of(fixture));
