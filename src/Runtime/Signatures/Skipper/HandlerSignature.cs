using Granary.Functions;

namespace Granary.Runtime.Signatures.Skipper;

/// <summary>
/// Skipper's signature, <c>handler(event, context)</c>: the event is the request body. Everything the contract adds
/// (its <c>/health</c> and <c>/event</c> routes, how a result becomes the response) is in its adapters,
/// skipper.js and skipper.py; the host answers as most contracts do.
/// </summary>
public sealed class HandlerSignature : FunctionSignature
{
    /// <inheritdoc />
    public override string Name => FunctionSignatures.Handler;
}
