namespace Granary.Gateway.Tests.Contracts;

/// <summary>The Kyma contract's suite again, every function deployed with <c>"isolation": "process"</c> (Node.js workers).</summary>
public sealed class KymaProcessModeTests(GatewayFixture fixture) : KymaContractTests(ProcessMode.Of(fixture));
