using Granary.Functions;

namespace Granary.Runtime.Signatures.FunctionsFramework;

/// <summary>
/// The Functions Framework's <c>http</c> signature, <c>(req, res)</c> in Node and <c>fn(request)</c> in Python: the
/// function writes the response; the adapters (functions-framework.js, functions_framework.py) do the rest.
/// </summary>
public sealed class HttpSignature : FunctionSignature
{
    /// <inheritdoc />
    public override string Name => FunctionSignatures.Http;
}
