namespace Granary.Logs;

/// <summary>The stored log of a function: its newest lines, oldest first, and the last sequence given.</summary>
public sealed class FunctionLogState
{
    /// <summary>Gets or sets the lines, oldest first.</summary>
    public List<FunctionLogEntry> Lines { get; set; } = [];

    /// <summary>Gets or sets the sequence of the newest line written (lines are numbered from 1).</summary>
    public long LastSequence { get; set; }
}
