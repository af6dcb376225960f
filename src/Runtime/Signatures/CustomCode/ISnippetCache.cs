namespace Granary.Runtime.Signatures.CustomCode;

/// <summary>The atomic operations a workspace's snippets perform on the shared cache (held by the workspace grain).</summary>
public interface ISnippetCache
{
    /// <summary>Adds <paramref name="delta"/> to the number at <paramref name="key"/> (0 when absent) and returns the new value.</summary>
    Task<double> IncrementAsync(string key, double delta);
}
