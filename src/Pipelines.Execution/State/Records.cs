using Pipelines.Execution;

namespace Pipelines.Execution.State;

/// <summary>One DAG run: a DAG for a logical date, in an environment, on a runtime.</summary>
/// <param name="DagId">The DAG.</param>
/// <param name="RunId">The run id (unique per DAG), such as <c>manual__2026-11-25T00:00:00+00:00</c>.</param>
/// <param name="LogicalDate">The logical date.</param>
/// <param name="State">Running until every task finished.</param>
/// <param name="Environment">The environment it runs in.</param>
/// <param name="Runtime">The runtime it runs on.</param>
/// <param name="ParamsJson">The parameter values as a JSON object.</param>
/// <param name="StartedAt">When it was first started.</param>
/// <param name="EndedAt">When it last finished, or null.</param>
public sealed record DagRunRecord(
    string DagId,
    string RunId,
    DateTimeOffset LogicalDate,
    RunState State,
    string Environment,
    string Runtime,
    string ParamsJson,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt);

/// <summary>The state of one task in one run.</summary>
/// <param name="TaskId">The task.</param>
/// <param name="State">Its state.</param>
/// <param name="TryNumber">The highest try number used in this run (0 before the first attempt). Never reused, also after <c>clear</c>.</param>
/// <param name="Reason">Why it is failed, skipped or upstream_failed.</param>
/// <param name="UpdatedAt">When the state was last written.</param>
public sealed record TaskInstanceRecord(string TaskId, TaskState State, int TryNumber, string? Reason, DateTimeOffset UpdatedAt);

/// <summary>The state of one attempt.</summary>
public enum AttemptState
{
    /// <summary>Recorded before the runtime is asked to start it: after a crash, it may or may not exist.</summary>
    Starting,

    /// <summary>The runtime reported it started; <see cref="AttemptRecord.Handle"/> finds it.</summary>
    Running,

    /// <summary>It exited 0 with a valid output.</summary>
    Success,

    /// <summary>It failed: a non-zero exit, a timeout, an invalid output, or it was lost.</summary>
    Failed,

    /// <summary>It exited with one of the task's skip exit codes.</summary>
    Skipped,

    /// <summary>It was stopped because the run was cancelled.</summary>
    Cancelled,
}

/// <summary>One attempt of a task: try number, times, exit code, reason, output, runtime handle, log file, and the runtime that started it.</summary>
/// <param name="TaskId">The task.</param>
/// <param name="TryNumber">The try number, from 1.</param>
/// <param name="State">Its state.</param>
/// <param name="StartedAt">When it was recorded as starting.</param>
/// <param name="EndedAt">When its end was recorded.</param>
/// <param name="ExitCode">Its exit code, when it exited.</param>
/// <param name="Reason">Why it failed, was skipped or cancelled.</param>
/// <param name="Output">The output JSON of a succeeded attempt, as written.</param>
/// <param name="Handle">What finds it on its runtime (container id, pod name, pid and start time).</param>
/// <param name="LogPath">Its log file.</param>
/// <param name="Runtime">The runtime that started it (<c>process</c>, <c>docker</c>, …); null in stores written before version 3, where the run's runtime is the attempts'.</param>
public sealed record AttemptRecord(
    string TaskId,
    int TryNumber,
    AttemptState State,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    int? ExitCode,
    string? Reason,
    string? Output,
    string? Handle,
    string? LogPath,
    string? Runtime = null)
{
    /// <summary>The most memory the attempt held at once, in bytes, when its runtime measured it (Docker).</summary>
    public long? MemoryPeakBytes { get; init; }

    /// <summary>The CPU time the attempt used, in seconds, when its runtime measured it (Docker).</summary>
    public double? CpuSeconds { get; init; }
}
