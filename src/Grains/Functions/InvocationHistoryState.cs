namespace Granary.Functions;

/// <summary>The persisted invocation records of a function, newest first (bounded).</summary>
public sealed class InvocationHistoryState
{
    /// <summary>Gets or sets the records.</summary>
    public List<InvocationRecord> Records { get; set; } = [];
}
