using Granary.Functions;
using Granary.Runtime.JavaScript;
using Granary.Runtime.Tests.JavaScript;

namespace Granary.Runtime.Tests.NodeProcess;

/// <summary>The Skipper <c>handler</c> contract's suite, in process mode: the same adapter, in Node.js workers.</summary>
public sealed class HandlerSignatureProcessTests(IsolatePoolFixture isolates, NodePoolFixture node) : HandlerSignatureTests(isolates), IClassFixture<NodePoolFixture>
{
    private protected override Task<ExecutionResult> RunAsync(IsolatePool pool, string code, InvocationRequest? request = null, Func<FunctionSpec, FunctionSpec>? configure = null) =>
        NodeRunner.RunAsync(node.Pool, code, request, configure);
}
