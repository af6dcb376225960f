namespace Granary.Gateway.Tests.Contracts;

/// <summary>The Skipper contract's suite again, every function deployed with <c>"isolation": "process"</c> (Node.js workers).</summary>
public sealed class SkipperProcessModeTests(GatewayFixture fixture) : SkipperContractTests(ProcessMode.Of(fixture));
