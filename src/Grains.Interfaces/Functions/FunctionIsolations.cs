namespace Granary.Functions;

/// <summary>How a JavaScript function is run (<c>"isolation"</c>): in a V8 isolate of the silo, or in Node.js worker processes.</summary>
public static class FunctionIsolations
{
    /// <summary>A V8 isolate inside the silo process (the default): the quickest start and the least memory, with Granary's own built-ins.</summary>
    public const string Isolate = "isolate";

    /// <summary>Real Node.js worker processes in the workers' sandbox: all of Node, native addons, at the cost of a process per instance.</summary>
    public const string Process = "process";

    /// <summary>Gets every isolation.</summary>
    public static IReadOnlyList<string> All { get; } = [Isolate, Process];
}
