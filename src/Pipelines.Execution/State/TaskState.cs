namespace Pipelines.Execution.State;

/// <summary>The state of one task in one run, with Airflow's meanings.</summary>
public enum TaskState
{
    /// <summary>Not yet decided: waiting for its upstream tasks.</summary>
    None,

    /// <summary>Ready to run, waiting for a slot.</summary>
    Queued,

    /// <summary>An attempt is running.</summary>
    Running,

    /// <summary>An attempt failed and a retry is waiting for its delay.</summary>
    UpForRetry,

    /// <summary>An attempt succeeded.</summary>
    Success,

    /// <summary>The last attempt failed and no retry is left.</summary>
    Failed,

    /// <summary>Not run: its trigger rule cannot be met because upstream tasks failed.</summary>
    UpstreamFailed,

    /// <summary>Not run (trigger rule), or its attempt exited with a skip exit code.</summary>
    Skipped,

    /// <summary>Stopped by Ctrl+C or SIGTERM; a re-run runs it again.</summary>
    Cancelled,
}

/// <summary>The state of a DAG run.</summary>
public enum RunState
{
    /// <summary>Started and not finished (or its host died; a re-run resumes it).</summary>
    Running,

    /// <summary>Every task finished and none failed.</summary>
    Success,

    /// <summary>Every task finished and at least one failed or is upstream_failed.</summary>
    Failed,

    /// <summary>Stopped by Ctrl+C or SIGTERM.</summary>
    Cancelled,
}

/// <summary>Helpers over <see cref="TaskState"/>.</summary>
public static class TaskStates
{
    /// <summary>True for states a task does not leave in this run (unless cleared).</summary>
    public static bool IsFinished(this TaskState state) =>
        state is TaskState.Success or TaskState.Failed or TaskState.UpstreamFailed or TaskState.Skipped or TaskState.Cancelled;

    /// <summary>The name users know from Airflow: <c>success</c>, <c>upstream_failed</c>, <c>up_for_retry</c>, …</summary>
    public static string ToAirflowName(this TaskState state) => state switch
    {
        TaskState.None => "none",
        TaskState.Queued => "queued",
        TaskState.Running => "running",
        TaskState.UpForRetry => "up_for_retry",
        TaskState.Success => "success",
        TaskState.Failed => "failed",
        TaskState.UpstreamFailed => "upstream_failed",
        TaskState.Skipped => "skipped",
        TaskState.Cancelled => "cancelled",
        _ => state.ToString().ToLowerInvariant(),
    };
}
