using System.Collections.Immutable;
using Granary.Functions;

namespace Granary.Runtime.Execution;

/// <summary>What a runtime tells the engine about a call that failed: how, why, and the log lines written before it did.</summary>
internal readonly record struct CallFailure(CallFailureKind Kind, string Message, ImmutableArray<LogLine> Logs);
