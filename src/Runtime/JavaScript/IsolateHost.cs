using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Microsoft.ClearScript;

namespace Granary.Runtime.JavaScript;

/// <summary>
/// The only .NET object script ever sees: the bootstrap captures it in a closure, so user code cannot
/// reach it. Members are invisible to script unless marked, and reflection is off in the engine.
/// Every member is called on the isolate's own thread. Public only because ClearScript binds public types.
/// </summary>
[DefaultScriptUsage(ScriptAccess.None)]
public sealed class IsolateHost
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly V8Isolate _isolate;

    internal IsolateHost(V8Isolate isolate) => _isolate = isolate;

    /// <summary>Delivers an invocation result.</summary>
    [ScriptMember("complete", ScriptAccess.Full)]
    public void Complete(int seq, string json) => _isolate.OnComplete(seq, json);

    /// <summary>Arms a timer on the event loop.</summary>
    [ScriptMember("setTimer", ScriptAccess.Full)]
    public void SetTimer(int id, double delayMs) => _isolate.SetTimer(id, delayMs);

    /// <summary>Disarms a timer.</summary>
    [ScriptMember("clearTimer", ScriptAccess.Full)]
    public void ClearTimer(int id) => _isolate.ClearTimer(id);

    /// <summary>Returns cryptographically random bytes as hex.</summary>
    [ScriptMember("randomHex", ScriptAccess.Full)]
    [SuppressMessage("Performance", "CA1822", Justification = "Script sees instance members only.")]
    public string RandomHex(int byteCount) =>
        Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(Math.Clamp(byteCount, 0, 65536)));

    /// <summary>Returns milliseconds since the isolate started.</summary>
    [ScriptMember("hrtime", ScriptAccess.Full)]
    public double HrTime() => Stopwatch.GetElapsedTime(_start).TotalMilliseconds;
}
