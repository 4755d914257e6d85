using System.Globalization;

namespace Pipelines.Execution.State;

/// <summary>
/// A run store in memory with the same rules as <see cref="SqliteRunStore"/> (upserts by key, whole
/// batches or nothing, the same orders and checks), for tests and benchmarks. Thread-safe.
/// Run locks are in-process and belong to this instance.
/// </summary>
public sealed class InMemoryRunStore : IRunStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string DagId, string RunId), RunEntry> _runs = [];
    private readonly Dictionary<(string DagId, string RunId), string> _locks = [];

    /// <summary>Always <c>memory</c>.</summary>
    public string Location => "memory";

    /// <inheritdoc />
    public string StoreId { get; } = SqliteStoreFile.NewStoreId();

    /// <inheritdoc />
    public DagRunRecord? FindRun(string dagId, string runId)
    {
        lock (_gate)
        {
            return _runs.GetValueOrDefault((dagId, runId))?.Run;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<DagRunRecord> ListRuns(string dagId)
    {
        lock (_gate)
        {
            return StoreRules.OrderRuns(_runs.Values.Select(e => e.Run).Where(r => r.DagId == dagId));
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<TaskInstanceRecord> LoadTasks(string dagId, string runId)
    {
        lock (_gate)
        {
            return _runs.TryGetValue((dagId, runId), out var entry) ? StoreRules.OrderTasks(entry.Tasks.Values) : [];
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<AttemptRecord> LoadAttempts(string dagId, string runId, string? taskId = null)
    {
        lock (_gate)
        {
            return _runs.TryGetValue((dagId, runId), out var entry)
                ? StoreRules.OrderAttempts(entry.Attempts.Values.Where(a => taskId is null || a.TaskId == taskId))
                : [];
        }
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, TimeSpan> PastDurations(string dagId)
    {
        lock (_gate)
        {
            return StoreRules.Medians(_runs.Values
                .Where(e => e.Run.DagId == dagId)
                .SelectMany(e => e.Attempts.Values)
                .Where(StoreRules.CountsAsPastDuration)
                .Select(a => (a.TaskId, a.EndedAt!.Value - a.StartedAt)));
        }
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, TaskHistory> History(string dagId)
    {
        lock (_gate)
        {
            return StoreRules.Histories([.. _runs.Values.Where(e => e.Run.DagId == dagId).SelectMany(e => e.Attempts.Values)]);
        }
    }

    /// <inheritdoc />
    /// <exception cref="RunStoreException">A record broke a rule of the store (an attempt of a task with no
    /// state, a task of an unknown run, a negative try number, a null id); nothing was written.</exception>
    public void Commit(StoreBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        lock (_gate)
        {
            Validate(batch);
            foreach (var run in batch.Runs)
            {
                if (_runs.TryGetValue((run.DagId, run.RunId), out var entry))
                {
                    entry.Run = run;
                }
                else
                {
                    _runs[(run.DagId, run.RunId)] = new RunEntry(run);
                }
            }

            foreach (var (dagId, runId, task) in batch.Tasks)
            {
                _runs[(dagId, runId)].Tasks[task.TaskId] = task;
            }

            foreach (var (dagId, runId, attempt) in batch.Attempts)
            {
                _runs[(dagId, runId)].Attempts[(attempt.TaskId, attempt.TryNumber)] = attempt;
            }
        }
    }

    /// <inheritdoc />
    public IDisposable? TryLockRun(string dagId, string runId, out string? holder)
    {
        ArgumentNullException.ThrowIfNull(dagId);
        ArgumentNullException.ThrowIfNull(runId);
        lock (_gate)
        {
            if (_locks.TryGetValue((dagId, runId), out holder))
            {
                return null;
            }

            _locks[(dagId, runId)] = $"pid {Environment.ProcessId.ToString(CultureInfo.InvariantCulture)} on host {Environment.MachineName} " +
                $"since {DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)} (in memory)";
            holder = null;
            return new Release(this, (dagId, runId));
        }
    }

    /// <summary>Nothing to release: the records live as long as the instance.</summary>
    public void Dispose()
    {
    }

    // The file store's constraints (NOT NULL, CHECK, FOREIGN KEY), checked for the whole batch before
    // anything is applied, in the order the file store writes: runs, tasks, attempts.
    private void Validate(StoreBatch batch)
    {
        var newRuns = new HashSet<(string, string)>();
        var newTasks = new HashSet<(string, string, string)>();
        foreach (var run in batch.Runs)
        {
            if (run.DagId is null || run.RunId is null || run.Environment is null || run.Runtime is null || run.ParamsJson is null)
            {
                throw Broken("a run has a null field");
            }

            if (!Enum.IsDefined(run.State))
            {
                throw Broken($"run {run.RunId} has an unknown state {run.State}");
            }

            newRuns.Add((run.DagId, run.RunId));
        }

        foreach (var (dagId, runId, task) in batch.Tasks)
        {
            if (dagId is null || runId is null || task.TaskId is null)
            {
                throw Broken("a task state has a null id");
            }

            if (!Enum.IsDefined(task.State) || task.TryNumber < 0)
            {
                throw Broken($"task {task.TaskId} has state {task.State} and try number {task.TryNumber}");
            }

            if (!newRuns.Contains((dagId, runId)) && !_runs.ContainsKey((dagId, runId)))
            {
                throw Broken($"FOREIGN KEY: task {task.TaskId} belongs to run {runId} of DAG {dagId}, which is not recorded");
            }

            newTasks.Add((dagId, runId, task.TaskId));
        }

        foreach (var (dagId, runId, attempt) in batch.Attempts)
        {
            if (dagId is null || runId is null || attempt.TaskId is null)
            {
                throw Broken("an attempt has a null id");
            }

            if (!Enum.IsDefined(attempt.State) || attempt.TryNumber < 1)
            {
                throw Broken($"an attempt of task {attempt.TaskId} has state {attempt.State} and try number {attempt.TryNumber}");
            }

            if (!newTasks.Contains((dagId, runId, attempt.TaskId))
                && !(_runs.TryGetValue((dagId, runId), out var entry) && entry.Tasks.ContainsKey(attempt.TaskId)))
            {
                throw Broken($"FOREIGN KEY: attempt {attempt.TryNumber} of task {attempt.TaskId} in run {runId} has no task state");
            }
        }
    }

    private RunStoreException Broken(string problem) =>
        new(Location, $"Could not write to the run store '{Location}' ({problem}); nothing of the batch was written.");

    private sealed class RunEntry(DagRunRecord run)
    {
        public DagRunRecord Run { get; set; } = run;

        public Dictionary<string, TaskInstanceRecord> Tasks { get; } = new(StringComparer.Ordinal);

        public Dictionary<(string TaskId, int TryNumber), AttemptRecord> Attempts { get; } = [];
    }

    private sealed class Release(InMemoryRunStore store, (string, string) key) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                lock (store._gate)
                {
                    store._locks.Remove(key);
                }
            }
        }
    }
}
