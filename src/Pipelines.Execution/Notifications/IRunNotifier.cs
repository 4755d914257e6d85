namespace Pipelines.Execution.Notifications;

/// <summary>
/// Told of every callback event of a run — task success, failure and retry, and the run's end — after the DAG's and
/// tasks' own callbacks (the webhook of <c>pipelines.json</c> is one). Calls come one at a time, in the order of the
/// events; what a notifier throws, or how long it takes past the executor's callback timeout, never changes the run.
/// </summary>
public interface IRunNotifier
{
    /// <summary>Handles one event; <paramref name="cancellationToken"/> fires when its time is up.</summary>
    Task NotifyAsync(CallbackContext context, CancellationToken cancellationToken);
}
