using Pipelines.Execution.Notifications;
using Pipelines.Execution.State;
using Pipelines.Secrets;

namespace Pipelines.Execution;

/// <summary>
/// Calls a run's callbacks — the task's, then the DAG's, then the notifiers — one at a time, in the order the scheduling
/// loop saw the events, on the thread pool and never on the loop. Each call gets a token that fires at the callback
/// timeout and is waited for no longer than that; what it throws is logged (masked) through the observer and changes
/// nothing. The run returns only after every call ended or timed out.
/// </summary>
internal sealed class RunCallbacks(RunContext run, IReadOnlyList<IRunNotifier> notifiers, IRunObserver observer, SecretMasker? masker, TimeProvider time, TimeSpan timeout)
{
    private readonly object _gate = new();
    private Task _chain = Task.CompletedTask;

    /// <summary>True when anything listens: only then do attempts keep the tail of their log.</summary>
    public bool Enabled { get; } = notifiers.Count > 0 || !run.Dag.Callbacks.IsEmpty || run.Dag.Tasks.Any(t => !t.Callbacks.IsEmpty);

    /// <summary>An attempt of <paramref name="task"/> ended and the task succeeded, failed for good or goes up for retry.</summary>
    public void TaskEnded(ContainerTask task, CallbackEvent @event, int tryNumber, string? reason, int? exitCode, IReadOnlyList<string> tail, DateTimeOffset startedAt)
    {
        if (!Enabled)
        {
            return;
        }

        var callbacks = task.Callbacks.For(@event);
        if (@event == CallbackEvent.Retry)
        {
            callbacks = callbacks.AddRange(run.Dag.Callbacks.OnRetry);
        }

        Enqueue(new CallbackContext
        {
            Run = run,
            Event = @event,
            Task = task,
            TryNumber = tryNumber,
            Reason = reason,
            ExitCode = exitCode,
            LogTail = tail,
            StartedAt = startedAt,
            EndedAt = time.GetUtcNow(),
        }, callbacks, $"task '{task.Id}' try {tryNumber}");
    }

    /// <summary>The run ended: success or failure call the DAG's callbacks; a cancelled run calls none.</summary>
    public void RunEnded(RunState state, IReadOnlyList<FailedTask> failed, DateTimeOffset startedAt)
    {
        if (!Enabled || state is not (RunState.Success or RunState.Failed))
        {
            return;
        }

        var @event = state == RunState.Success ? CallbackEvent.Success : CallbackEvent.Failure;
        Enqueue(new CallbackContext
        {
            Run = run,
            Event = @event,
            Reason = state == RunState.Failed ? $"{failed.Count} task(s) failed: {string.Join(", ", failed.Select(f => f.TaskId))}" : null,
            FailedTasks = failed,
            StartedAt = startedAt,
            EndedAt = time.GetUtcNow(),
        }, run.Dag.Callbacks.For(@event), $"DAG '{run.Dag.Id}'");
    }

    /// <summary>Completes when every call so far ended or timed out; never throws.</summary>
    public Task DrainAsync()
    {
        lock (_gate)
        {
            return _chain;
        }
    }

    private void Enqueue(CallbackContext context, ImmutableArray<Callback> callbacks, string owner)
    {
        if (callbacks.IsEmpty && notifiers.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            // Not ExecuteSynchronously: a user's callback never runs on the scheduling loop.
            _chain = _chain.ContinueWith(_ => CallAllAsync(context, callbacks, owner), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        }
    }

    private async Task CallAllAsync(CallbackContext context, ImmutableArray<Callback> callbacks, string owner)
    {
        var name = "On" + context.Event;
        for (var i = 0; i < callbacks.Length; i++)
        {
            var callback = callbacks[i];
            await CallAsync(token => callback(context, token), $"{name} callback{(callbacks.Length > 1 ? $" #{i + 1}" : "")} of {owner}").ConfigureAwait(false);
        }

        foreach (var notifier in notifiers)
        {
            await CallAsync(token => notifier.NotifyAsync(context, token), $"notifier {notifier} for {context.EventName} of {owner}").ConfigureAwait(false);
        }
    }

    private async Task CallAsync(Func<CancellationToken, Task> call, string what)
    {
        using var cancel = new CancellationTokenSource(timeout, time);
        try
        {
            await call(cancel.Token).WaitAsync(timeout, time, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await cancel.CancelAsync().ConfigureAwait(false);
            Notice($"{what} did not end within {timeout.TotalSeconds:0.###} s; the run goes on without it");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Notice($"{what} failed, which changes nothing in the run: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private void Notice(string message)
    {
        try
        {
            observer.Notice(masker?.Mask(message) ?? message);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // An observer that fails must not break the chain.
        }
    }
}
