namespace Granary.Runtime.Execution;

/// <summary>
/// An invocation waiting for an instance of a <see cref="FunctionEngine{TInstance}"/>; whoever frees one or makes a new
/// one starts it, and the queued caller only waits for its result.
/// </summary>
internal sealed class QueuedInvocation(string json, long arrived, CancellationToken cancellation)
{
    public string Json { get; } = json;

    public long Arrived { get; } = arrived;

    /// <summary>Gets the caller's token: the run started for this invocation is interrupted when it is cancelled.</summary>
    public CancellationToken Cancellation { get; } = cancellation;

    public TaskCompletionSource<ExecutionResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LinkedListNode<QueuedInvocation>? Node { get; set; }

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
