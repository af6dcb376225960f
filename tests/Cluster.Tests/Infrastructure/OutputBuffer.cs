using System.Text;

namespace Granary.Cluster.Tests.Infrastructure;

/// <summary>The last part of a process's stdout and stderr, interleaved by line, for failure messages.</summary>
internal sealed class OutputBuffer(int capacity = 64 * 1024)
{
    private readonly StringBuilder _text = new();
    private readonly Lock _lock = new();
    private bool _truncated;

    public void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _text.Append(line).Append('\n');
            if (_text.Length > capacity)
            {
                // Keep the end: the reason a process failed is nearly always in its last lines.
                _text.Remove(0, _text.Length - capacity);
                _truncated = true;
            }
        }
    }

    public override string ToString()
    {
        lock (_lock)
        {
            return (_truncated ? "[… earlier output dropped]\n" : "") + _text;
        }
    }
}
