using System.Diagnostics;

namespace Granary.Runtime.Execution;

/// <summary>
/// An invocation waiting for an instance of a <see cref="FunctionEngine{TInstance}"/>; whoever frees one or makes a new
/// one starts it, and the queued caller only waits for its result.
/// </summary>
internal sealed class QueuedInvocation(string json, long arrived, ActivityContext parent, Activity? waiting, CancellationToken cancellation)
{
    /// <summary>
    /// Gets the trace context of the caller (default when it has none): the run starts on another caller's thread or a
    /// work item, where the current span is not this invocation's.
    /// </summary>
    public ActivityContext Parent { get; } = parent;

    /// <summary>Gets the span of the wait in the queue (null unless sampled), ended when the run starts.</summary>
    public Activity? Waiting { get; } = waiting;

    public string Json { get; } = json;

    public long Arrived { get; } = arrived;

    /// <summary>Gets the caller's token: the run started for this invocation is interrupted when it is cancelled.</summary>
    public CancellationToken Cancellation { get; } = cancellation;

    public TaskCompletionSource<ExecutionResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LinkedListNode<QueuedInvocation>? Node { get; set; }

    /// <summary>
    /// Ends the span of the wait, once, on whichever thread the wait ends: the thread's current span is left as it was
    /// (stopping a span makes its parent current, which is another caller's span there).
    /// </summary>
    public void EndWait()
    {
        if (Waiting is { IsStopped: false } waiting)
        {
            var current = Activity.Current;
            waiting.Stop();
            Activity.Current = current;
        }
    }

    /// <summary>Hands the outcome of the run started for this invocation to its waiting caller.</summary>
    public void CompleteWith(Task<ExecutionResult> run) =>
        run.ContinueWith(
            static (task, state) =>
            {
                var waiting = (QueuedInvocation)state!;
                if (task.IsCompletedSuccessfully)
                {
                    waiting.Result.TrySetResult(task.Result);
                }
                else
                {
                    waiting.Result.TrySetException(task.Exception!.InnerExceptions);
                }
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
}
