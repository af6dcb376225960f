namespace Granary.Functions;

/// <summary>The kinds of <see cref="CodeError"/>.</summary>
public static class CodeErrorKinds
{
    /// <summary>The code does not parse.</summary>
    public const string Compile = "compile";

    /// <summary>The module threw, timed out or ran out of memory while loading.</summary>
    public const string Load = "load";

    /// <summary>The module loaded but does not export the handler.</summary>
    public const string Handler = "handler";

    /// <summary>
    /// The code names a module (by a literal <c>require</c> or <c>import</c>, even inside the handler) that is neither a
    /// built-in the function's runtime provides nor a package of its dependencies, or a module that failed to load in the
    /// isolate with a native addon among its dependencies (only process mode loads those).
    /// </summary>
    public const string Module = "module";

    /// <summary>The function's npm dependencies could not be installed.</summary>
    public const string Dependencies = "dependencies";
}
