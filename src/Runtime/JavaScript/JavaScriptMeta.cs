using Granary.Functions;
using Granary.Runtime.Egress;
using Granary.Runtime.Execution;

namespace Granary.Runtime.JavaScript;

/// <summary>A function's <see cref="FunctionMeta"/> as the JavaScript runtime serves it.</summary>
internal static class JavaScriptMeta
{
    /// <summary>
    /// Builds the meta of a deployed definition with what only JavaScript uses: the built-in modules <c>require</c>
    /// may load, the directory its npm dependencies are installed in (<paramref name="packagesRoot"/>, null when it has
    /// none), the single-function mode's file system, and <c>fetch</c> through the silo's egress policy.
    /// </summary>
    public static FunctionMeta For(FunctionDefinition definition, FunctionLimits limits, JavaScriptRuntimeOptions options, string? packagesRoot = null, EgressPolicy? egress = null) =>
        FunctionMeta.From(definition, limits, options.PublisherProxyAddress) with
        {
            Module = FunctionModules.Resolve(definition.Spec.Module, definition.Spec.Code),
            BuiltinModules = [.. options.BuiltinModuleList()],
            FileSystemRoot = string.IsNullOrEmpty(options.FileSystemRoot) ? null : Path.GetFullPath(options.FileSystemRoot),
            PackagesRoot = string.IsNullOrEmpty(packagesRoot) ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(packagesRoot)),
            Egress = egress ?? EgressPolicy.Default,
            Fetch = options.ToFetchLimits(),
        };
}
