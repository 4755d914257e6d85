namespace Pipelines.Execution;

/// <summary>
/// Which tasks of a DAG a run runs, and how: the whole DAG by its dependencies (a run), or a few tasks alone (the
/// <c>test</c> verb, as <c>airflow tasks test</c>). The executor reads it where it matters — which tasks are included,
/// whether trigger rules apply, whether what an earlier run recorded is kept — instead of branching on the verb.
/// </summary>
public sealed record RunScope
{
    /// <summary>The whole DAG, by its dependencies, resuming what is recorded.</summary>
    public static RunScope All { get; } = new();

    /// <summary>The tasks to run; null for all.</summary>
    public IReadOnlySet<string>? Tasks { get; init; }

    /// <summary>
    /// True for a run: a task starts when its trigger rule says so, and a re-run keeps what succeeded and adopts what was
    /// running. False for a test: the included tasks start at once, whatever their upstream did or they did before
    /// (upstream outputs recorded earlier are still read).
    /// </summary>
    public bool FollowsDependencies { get; init; } = true;

    /// <summary><paramref name="taskIds"/> alone, ignoring their dependencies and what they did before (the <c>test</c> verb).</summary>
    public static RunScope Alone(IEnumerable<string> taskIds)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        return new RunScope { Tasks = taskIds.ToHashSet(StringComparer.Ordinal), FollowsDependencies = false };
    }

    /// <summary>True when the run runs <paramref name="taskId"/>.</summary>
    public bool Includes(string taskId) => Tasks is null || Tasks.Contains(taskId);
}
