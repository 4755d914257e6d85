using Pipelines.Execution.State;

namespace Pipelines.Execution.Tests;

/// <summary>An in-memory store that refuses the batches a test picks, as a full disk would: nothing of such a batch is written.</summary>
internal sealed class RefusingRunStore(Func<StoreBatch, bool> refuse) : IRunStore
{
    public const string Path = "/full/disk/state.db";

    public InMemoryRunStore Written { get; } = new();

    public string Location => Path;

    public string StoreId => Written.StoreId;

    public int Refused { get; private set; }

    public DagRunRecord? FindRun(string dagId, string runId) => Written.FindRun(dagId, runId);

    public IReadOnlyList<DagRunRecord> ListRuns(string dagId) => Written.ListRuns(dagId);

    public IReadOnlyList<TaskInstanceRecord> LoadTasks(string dagId, string runId) => Written.LoadTasks(dagId, runId);

    public IReadOnlyList<AttemptRecord> LoadAttempts(string dagId, string runId, string? taskId = null) => Written.LoadAttempts(dagId, runId, taskId);

    public IReadOnlyDictionary<string, TimeSpan> PastDurations(string dagId) => Written.PastDurations(dagId);

    public IReadOnlyDictionary<string, TaskHistory> History(string dagId) => Written.History(dagId);

    public void Commit(StoreBatch batch)
    {
        if (refuse(batch))
        {
            Refused++;
            throw new RunStoreException(Path, $"Could not write to the run store '{Path}' (disk full); nothing of the batch was written.", new IOException("No space left on device"));
        }

        Written.Commit(batch);
    }

    public IDisposable? TryLockRun(string dagId, string runId, out string? holder) => Written.TryLockRun(dagId, runId, out holder);

    public void Dispose() => Written.Dispose();
}
