namespace Granary.Runtime.JavaScript;

/// <summary>The resource limits an isolate is created with.</summary>
/// <param name="MemoryLimitMb">The soft heap limit and the ArrayBuffer allocation limit, in MiB.</param>
/// <param name="HeapSampleInterval">How often V8's heap size is checked against the limit while script runs.</param>
/// <param name="ThreadNice">The nice value of the isolate's own thread (0 leaves it at the process's priority).</param>
public sealed record IsolateSettings(int MemoryLimitMb, TimeSpan HeapSampleInterval, int ThreadNice = 0);
