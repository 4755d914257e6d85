namespace Pipelines.Execution.State;

/// <summary>
/// Where runs, task states and attempts are recorded. The executor commits every transition before
/// it acts on it (the transitions of one scheduling step in one <see cref="StoreBatch"/>), so a host
/// that dies at any point leaves a store a re-run can resume from.
/// </summary>
public interface IRunStore : IDisposable
{
    /// <summary>Where the store lives, for messages: a file path, or <c>memory</c>.</summary>
    string Location { get; }

    /// <summary>
    /// A random id that this store keeps for life (12 lowercase hex digits). Attempt identities, work
    /// folders and cgroups include it, so two stores running the same DAG and date never touch each other's attempts.
    /// </summary>
    string StoreId { get; }

    /// <summary>The run, or null.</summary>
    DagRunRecord? FindRun(string dagId, string runId);

    /// <summary>Every run of a DAG, newest logical date first.</summary>
    IReadOnlyList<DagRunRecord> ListRuns(string dagId);

    /// <summary>Every task state of a run that has one.</summary>
    IReadOnlyList<TaskInstanceRecord> LoadTasks(string dagId, string runId);

    /// <summary>Every attempt of a run (of one task when <paramref name="taskId"/> is given), in try order.</summary>
    IReadOnlyList<AttemptRecord> LoadAttempts(string dagId, string runId, string? taskId = null);

    /// <summary>The median duration of each task's successful attempts over the DAG's past runs.</summary>
    IReadOnlyDictionary<string, TimeSpan> PastDurations(string dagId);

    /// <summary>What each task's last successful attempts used, across the DAG's runs (<see cref="TaskHistory"/>).</summary>
    IReadOnlyDictionary<string, TaskHistory> History(string dagId);

    /// <summary>Writes a batch in one transaction: all of it, or nothing.</summary>
    void Commit(StoreBatch batch);

    /// <summary>
    /// Takes the lock of a live run (an OS file lock for the file store): null when another live
    /// process holds it, with <paramref name="holder"/> describing it. A dead holder's lock is free.
    /// </summary>
    IDisposable? TryLockRun(string dagId, string runId, out string? holder);
}

/// <summary>Writes for one transaction: run, task and attempt records, each replacing the one with the same key.</summary>
public sealed class StoreBatch
{
    /// <summary>Runs to insert or replace (key: dag, run id).</summary>
    public List<DagRunRecord> Runs { get; } = [];

    /// <summary>Task states to insert or replace (key: dag, run id, task).</summary>
    public List<(string DagId, string RunId, TaskInstanceRecord Task)> Tasks { get; } = [];

    /// <summary>Attempts to insert or replace (key: dag, run id, task, try).</summary>
    public List<(string DagId, string RunId, AttemptRecord Attempt)> Attempts { get; } = [];

    /// <summary>True when there is nothing to write.</summary>
    public bool IsEmpty => Runs.Count == 0 && Tasks.Count == 0 && Attempts.Count == 0;
}
