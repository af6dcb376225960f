namespace Granary.Functions;

/// <summary>The language runtimes a function can use.</summary>
public static class FunctionRuntimes
{
    /// <summary>JavaScript (CommonJS modules) in a V8 isolate inside the silo process.</summary>
    public const string NodeJs = "nodejs";

    /// <summary>Python 3 (Debian's CPython) in worker processes of the silo.</summary>
    public const string Python = "python";

    /// <summary>Gets every supported runtime.</summary>
    public static IReadOnlyList<string> All { get; } = [NodeJs, Python];
}
