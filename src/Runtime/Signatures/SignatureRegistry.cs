using System.Collections.Frozen;
using Granary.Functions;
using Granary.Runtime.Signatures.CustomCode;
using Granary.Runtime.Signatures.FunctionsFramework;
using Granary.Runtime.Signatures.Kyma;
using Granary.Runtime.Signatures.Skipper;

namespace Granary.Runtime.Signatures;

/// <summary>Every signature the runtimes know, by its <see cref="FunctionSignatures"/> name.</summary>
public static class SignatureRegistry
{
    // One line per signature: adding a contract adds its folder and its line here.
    private static readonly FrozenDictionary<string, IFunctionSignature> s_signatures = new IFunctionSignature[]
    {
        new HandlerSignature(),
        new KymaSignature(),
        new HttpSignature(),
        EventSignature.CloudEvent(TimeProvider.System),
        EventSignature.Legacy(TimeProvider.System),
        new SnippetsSignature(),
    }.ToFrozenDictionary(signature => signature.Name, StringComparer.Ordinal);

    // A name no registration knows: its module does not load (the adapters refuse it), and until then the answers
    // are the ones every contract starts from.
    private static readonly IFunctionSignature s_unknown = new UnknownSignature();

    /// <summary>Gets the signatures by name.</summary>
    public static IReadOnlyDictionary<string, IFunctionSignature> All => s_signatures;

    /// <summary>Gets the signature with that name, or one that answers as most contracts do when none has it.</summary>
    public static IFunctionSignature Get(string name) =>
        name is not null && s_signatures.TryGetValue(name, out var signature) ? signature : s_unknown;

    private sealed class UnknownSignature : FunctionSignature
    {
        public override string Name => "";
    }
}
