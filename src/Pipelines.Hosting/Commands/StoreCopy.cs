using Pipelines.Execution.State;

namespace Pipelines.Hosting.Commands;

/// <summary>A copy of one recorded run in memory: a test reads its upstream outputs and writes nothing back.</summary>
internal static class StoreCopy
{
    public static InMemoryRunStore Of(IRunStore recorded, string dagId, string runId)
    {
        var copy = new InMemoryRunStore();
        if (recorded.FindRun(dagId, runId) is { } run)
        {
            var batch = new StoreBatch();
            batch.Runs.Add(run);
            batch.Tasks.AddRange(recorded.LoadTasks(dagId, runId).Select(t => (dagId, runId, t)));
            batch.Attempts.AddRange(recorded.LoadAttempts(dagId, runId).Select(a => (dagId, runId, a)));
            copy.Commit(batch);
        }

        return copy;
    }
}
