namespace Pipelines;

/// <summary>What a callback is called for.</summary>
public enum CallbackEvent
{
    /// <summary>A task succeeded; for a DAG callback, the run succeeded.</summary>
    Success,

    /// <summary>A task failed with no retry left; for a DAG callback, the run failed.</summary>
    Failure,

    /// <summary>An attempt failed and the task will be tried again.</summary>
    Retry,
}

/// <summary>
/// A user's callback (Airflow's <c>on_failure_callback</c>): it gets what happened and a token that fires when its time
/// is up. What it throws is logged and never changes the run's result.
/// </summary>
public delegate Task Callback(CallbackContext context, CancellationToken cancellationToken);

/// <summary>A task that failed in a run, as a DAG's <see cref="CallbackEvent.Failure"/> callback sees it.</summary>
/// <param name="TaskId">The task.</param>
/// <param name="TryNumber">The try that failed last.</param>
/// <param name="Reason">Why, secrets masked; null when the run did not see it fail (it failed in an earlier run of the same date).</param>
/// <param name="ExitCode">Its exit code, when it had one.</param>
public sealed record FailedTask(string TaskId, int TryNumber, string? Reason, int? ExitCode);

/// <summary>
/// What a callback is given: the run, and either the task whose attempt ended (with its try, reason and the tail of its
/// log, secrets masked) or, for a DAG callback at the end of a run, the failed tasks.
/// </summary>
public sealed record CallbackContext
{
    /// <summary>The run.</summary>
    public required RunContext Run { get; init; }

    /// <summary>What happened.</summary>
    public required CallbackEvent Event { get; init; }

    /// <summary>The task whose attempt ended; null when the run ended.</summary>
    public ContainerTask? Task { get; init; }

    /// <summary>The try that ended (1 for the first attempt); 0 when the run ended.</summary>
    public int TryNumber { get; init; }

    /// <summary>Why the attempt or run ended as it did, secrets masked; null on success.</summary>
    public string? Reason { get; init; }

    /// <summary>The attempt's exit code, when it had one.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The last lines the attempt wrote (at most <see cref="LogTailLines"/>), secrets masked.</summary>
    public IReadOnlyList<string> LogTail { get; init; } = [];

    /// <summary>When the run ended in failure: the tasks that failed.</summary>
    public IReadOnlyList<FailedTask> FailedTasks { get; init; } = [];

    /// <summary>When the attempt (or the run) started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset EndedAt { get; init; }

    /// <summary>The name of the event as notifications write it: <c>task_failure</c>, <c>task_retry</c>, <c>run_success</c>, ….</summary>
    public string EventName => (Task is null ? "run_" : "task_") + Event.ToString().ToLowerInvariant();

    /// <summary>How many lines of an attempt's log <see cref="LogTail"/> holds at most.</summary>
    public const int LogTailLines = 20;
}

/// <summary>The callbacks of a task or a DAG, in the order they were added.</summary>
public sealed record Callbacks
{
    /// <summary>No callback.</summary>
    public static Callbacks None { get; } = new();

    /// <summary>Called when the task (or the run) succeeds.</summary>
    public ImmutableArray<Callback> OnSuccess { get; init; } = [];

    /// <summary>Called when the task fails with no retry left (or the run fails).</summary>
    public ImmutableArray<Callback> OnFailure { get; init; } = [];

    /// <summary>Called when an attempt failed and the task will be tried again (for a DAG: any task of it).</summary>
    public ImmutableArray<Callback> OnRetry { get; init; } = [];

    /// <summary>True when there is no callback at all.</summary>
    public bool IsEmpty => OnSuccess.IsEmpty && OnFailure.IsEmpty && OnRetry.IsEmpty;

    /// <summary>The callbacks for <paramref name="event"/>.</summary>
    public ImmutableArray<Callback> For(CallbackEvent @event) => @event switch
    {
        CallbackEvent.Success => OnSuccess,
        CallbackEvent.Failure => OnFailure,
        _ => OnRetry,
    };

    /// <summary>A copy with <paramref name="callback"/> added for <paramref name="event"/>.</summary>
    public Callbacks With(CallbackEvent @event, Callback callback) => @event switch
    {
        CallbackEvent.Success => this with { OnSuccess = OnSuccess.Add(callback) },
        CallbackEvent.Failure => this with { OnFailure = OnFailure.Add(callback) },
        _ => this with { OnRetry = OnRetry.Add(callback) },
    };

    /// <summary>Wraps a synchronous callback.</summary>
    internal static Callback FromAction(Action<CallbackContext> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return (context, _) =>
        {
            action(context);
            return System.Threading.Tasks.Task.CompletedTask;
        };
    }
}
