namespace Granary.Functions;

/// <summary>The persisted state of a function's definition grain.</summary>
public sealed class FunctionDefinitionState
{
    /// <summary>Gets or sets the version that serves, or null when the function does not exist.</summary>
    public FunctionDefinition? Current { get; set; }

    /// <summary>Gets or sets the number of the last version ever deployed (kept across deletion).</summary>
    public int LastVersion { get; set; }

    /// <summary>Gets or sets earlier versions, newest first (bounded).</summary>
    public List<FunctionDefinition> Previous { get; set; } = [];
}
